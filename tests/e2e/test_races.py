"""Double clicks and two leads at once: every race has exactly one outcome."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from store import Credentials, State
from tests.conftest import DEV, LEAD, LEAD2, Bot


def test_ten_simultaneous_approvals_create_one_user_and_one_dm(bot: Bot) -> None:
    bot.command(DEV, "request x")
    request_id = bot.request_id_for(DEV)
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(
            pool.map(lambda i: bot.click((LEAD, LEAD2)[i % 2], "amplify_dev_approve", request_id).status, range(10))
        )
    assert statuses == [200] * 10
    assert bot.iam_users() == ["dana.dev-udev"]
    assert len(bot.dms_to(DEV)) == 1
    assert len(bot.iam.list_attached_user_policies(UserName="dana.dev-udev")["AttachedPolicies"]) == 1
    assert bot.store.get(request_id).state == State.ACTIVE
    refusals = [r for r in bot.replies_to(LEAD) + bot.replies_to(LEAD2)]
    assert len(refusals) == 9 and all("already handled" in str(r) for r in refusals)


def test_approve_against_deny_at_the_same_moment_has_one_outcome(bot: Bot) -> None:
    bot.command(DEV, "request x")
    request_id = bot.request_id_for(DEV)
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(
            pool.map(
                lambda a: bot.click(a[0], a[1], request_id),
                [(LEAD, "amplify_dev_approve"), (LEAD2, "amplify_dev_deny")],
            )
        )
    state = bot.store.get(request_id).state
    assert state in (State.ACTIVE, State.DENIED)
    assert bot.iam_users() == (["dana.dev-udev"] if state == State.ACTIVE else [])
    assert len(bot.dms_to(DEV)) == 1


def test_two_show_credentials_clicks_at_once_mint_one_key(bot: Bot) -> None:
    request_id = bot.approved_user()
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV"), range(4)))
    assert len(bot.iam.list_access_keys(UserName="dana.dev-udev")["AccessKeyMetadata"]) == 1
    assert len(bot.ephemerals_to(DEV)) == 1
    assert bot.store.get(request_id).credentials == Credentials.SHOWN


def test_replayed_signed_click_changes_nothing(bot: Bot) -> None:
    request_id = bot.approved_user()
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")  # same body, same signature age
    assert len(bot.iam.list_access_keys(UserName="dana.dev-udev")["AccessKeyMetadata"]) == 1
    assert len(bot.ephemerals_to(DEV)) == 1
