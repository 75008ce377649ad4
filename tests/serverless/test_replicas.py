"""Two bot processes on one DynamoDB table behave as one bot: each its own Slack, store, DynamoDB and IAM clients."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from store import Credentials, Fields, State
from tests.conftest import CHANNEL, DEV, LEAD, LEAD2, OTHER, Bot, message_text

USER = "dana.dev-udev"


def later(bot: Bot, delta: timedelta) -> None:
    """Move the clock every replica and the store share."""
    bot.workflow.d.clock.offset = delta  # type: ignore[attr-defined]


def test_concurrent_clicks_split_across_two_replicas_give_one_user_one_dm_one_key(
    make_replica: Callable[..., Bot],
) -> None:
    one, two = make_replica(), make_replica()
    assert one.store is not two.store and one.iam is not two.iam and one.app.client is not two.app.client
    one.command(DEV, "request x")
    request_id = two.request_id_for(DEV)  # the other replica sees it: one table

    clicks = [(one if i % 2 else two, LEAD if i % 3 else LEAD2) for i in range(10)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(lambda c: c[0].click(c[1], "amplify_dev_approve", request_id), clicks))
    assert [u for u in one.iam_users() if u == USER] == [USER]
    assert len(one.dms_to(DEV)) == 1
    assert one.store.get(request_id).state == State.ACTIVE

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(
            pool.map(
                lambda bot: bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV"),
                [one, two] * 3,
            )
        )
    assert len(one.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]) == 1
    assert len(one.ephemerals_to(DEV)) == 1
    assert two.store.get(request_id).credentials == Credentials.SHOWN


def test_both_replicas_sweep_and_expiry_reminder_and_drift_deletion_happen_once(
    make_replica: Callable[..., Bot],
) -> None:
    one, two = make_replica(), make_replica()
    request_id = one.approved_user(text="request --days 3 x")
    # Reminders: 3 days before the end, both replicas sweeping at once.
    for bot in (one, two):
        later(bot, timedelta(hours=1))
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda bot: bot.workflow.sweep(), [one, two, one, two]))
    reminders = [c for c in one.dms_to(DEV) if "Extend" in message_text(c.params)]
    assert len(reminders) == 1

    # Drift: a user whose request is closed but whose removal never finished: deleted once, reported once.
    orphan_id = one.approved_user(requester=OTHER)
    orphan = one.store.get(orphan_id).iam_user_name
    one.store.compare_and_set(orphan_id, Fields(state=State.ACTIVE), Fields(state=State.REVOKED))
    # One after the other (hourly drift checks of two replicas overlap rarely; when they do, IAM still deletes
    # the user once, but both may report it: the report is not claimed in the store).
    findings = [one.workflow.reconcile(), two.workflow.reconcile()]
    assert orphan not in one.iam_users()
    assert sum("removed" in f for found in findings for f in found) == 1

    # Expiry: both sweep after the end; one revocation, one notice.
    for bot in (one, two):
        later(bot, timedelta(days=3, minutes=1))
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda bot: bot.workflow.sweep(), [one, two]))
    assert one.store.get(request_id).state == State.EXPIRED
    assert USER not in one.iam_users()
    expired = [
        c
        for c in one.slack.calls_to("chat.postMessage")
        if c.params.get("channel") == CHANNEL and "expired" in message_text(c.params).lower()
    ]
    assert len(expired) == 1
    assert (
        len([c for c in one.dms_to(DEV) if "ended" in message_text(c.params) or "expired" in message_text(c.params)])
        == 1
    )
