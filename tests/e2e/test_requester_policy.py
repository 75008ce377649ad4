"""Who may request (AMPLIFY_DEV_REQUESTERS), end to end through signed requests and the fake Slack."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from authz import Reason
from playground.slack_api import FakeSlack
from tests.conftest import CHANNEL, DEV, OTHER, Bot

GUEST, SINGLE_GUEST, ROBOT, GONE, TEAMMATE = "UGUEST", "UGUEST1", "UROBOT", "UGONE", "UTEAMMATE"
DEVS_GROUP = "SDEVS"


@pytest.fixture(autouse=True)
def more_people(slack: FakeSlack) -> None:
    slack.add_user(GUEST, name="guest", real_name="Gus Guest", is_restricted=True)
    slack.add_user(SINGLE_GUEST, name="guest1", real_name="Gia Guest", is_ultra_restricted=True)
    slack.add_user(ROBOT, name="robot", real_name="Robo", is_bot=True)
    slack.add_user(GONE, name="gone", real_name="Gone Person", deleted=True)
    slack.add_user(TEAMMATE, name="mate", real_name="Tia Teammate")
    slack.set_usergroup(DEVS_GROUP, [TEAMMATE, GUEST])


def posted_to_leads(bot: Bot) -> list[object]:
    return [c for c in bot.slack.calls_to("chat.postMessage") if c.params.get("channel") == CHANNEL]


def refusals(bot: Bot) -> list[tuple[str | None, str]]:
    return [(e.actor, e.outcome) for e in bot.workflow.d.audit.events() if e.event == "refused"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("user", "code"),
    [
        (GUEST, Reason.REQUESTER_GUEST),
        (SINGLE_GUEST, Reason.REQUESTER_GUEST),
        (ROBOT, Reason.REQUESTER_BOT),
        (GONE, Reason.REQUESTER_DEACTIVATED),
    ],
)
def test_guests_bots_and_deactivated_users_are_refused_without_a_requester_list(
    bot: Bot, user: str, code: Reason
) -> None:
    response = bot.command(user, "request need the staging app")
    assert response.status == 200
    assert posted_to_leads(bot) == []
    assert bot.store.latest_for(user) is None
    assert refusals(bot) == [(user, str(code))]
    if code == Reason.REQUESTER_GUEST:
        assert f"<#{CHANNEL}>" in bot.last_reply_text(user)  # says who to ask


def test_users_not_on_the_requester_list_are_refused_and_nothing_reaches_the_leads(
    make_bot: Callable[..., Bot],
) -> None:
    bot = make_bot(AMPLIFY_DEV_REQUESTERS=f"{DEV},{DEVS_GROUP}")
    bot.command(OTHER, "request let me in")
    assert posted_to_leads(bot) == [] and bot.store.latest_for(OTHER) is None
    assert "aren't among the people allowed" in bot.last_reply_text(OTHER)
    assert f"<#{CHANNEL}>" in bot.last_reply_text(OTHER)
    assert refusals(bot) == [(OTHER, str(Reason.REQUESTER_NOT_LISTED))]
    bot.command(GUEST, "request in the group but a guest")  # a group never lets a guest in
    assert refusals(bot)[-1] == (GUEST, str(Reason.REQUESTER_GUEST))
    assert posted_to_leads(bot) == []


def test_listed_users_group_members_and_a_guest_listed_by_id_may_request(make_bot: Callable[..., Bot]) -> None:
    bot = make_bot(AMPLIFY_DEV_REQUESTERS=f"{DEV},{GUEST},{DEVS_GROUP}")
    for user in (DEV, GUEST, TEAMMATE):
        bot.command(user, "request build the app")
        assert bot.store.open_request_for(user) is not None, user
    assert len(posted_to_leads(bot)) == 3
    assert refusals(bot) == []


def test_a_listed_deactivated_or_bot_account_is_still_refused(make_bot: Callable[..., Bot]) -> None:
    bot = make_bot(AMPLIFY_DEV_REQUESTERS=f"{ROBOT},{GONE}")
    bot.command(ROBOT, "request x")
    bot.command(GONE, "request x")
    assert posted_to_leads(bot) == []
    assert refusals(bot) == [(ROBOT, str(Reason.REQUESTER_BOT)), (GONE, str(Reason.REQUESTER_DEACTIVATED))]


def test_an_unresolvable_requester_group_lets_nobody_in_through_it(make_bot: Callable[..., Bot]) -> None:
    bot = make_bot(AMPLIFY_DEV_REQUESTERS=DEVS_GROUP)
    bot.slack.fail("usergroups.users.list", error="ratelimited", times=10)
    bot.command(TEAMMATE, "request x")
    assert posted_to_leads(bot) == []
    assert refusals(bot) == [(TEAMMATE, str(Reason.REQUESTER_NOT_LISTED))]


def test_the_form_is_not_opened_for_someone_the_list_leaves_out(make_bot: Callable[..., Bot]) -> None:
    bot = make_bot(AMPLIFY_DEV_REQUESTERS=DEV)
    bot.command(OTHER, "")
    assert bot.slack.calls_to("views.open") == []
    assert "aren't among the people allowed" in bot.last_reply_text(OTHER)
    assert refusals(bot) == [(OTHER, str(Reason.REQUESTER_NOT_LISTED))]
    bot.command(DEV, "")
    assert len(bot.slack.calls_to("views.open")) == 1


def test_a_guest_submitting_the_form_is_refused_at_submission(bot: Bot) -> None:
    bot.command(GUEST, "")  # the profile is not read before the form (the trigger is valid 3 seconds)
    assert len(bot.slack.calls_to("views.open")) == 1
    bot.submit_form(GUEST, "need access")
    assert posted_to_leads(bot) == [] and bot.store.latest_for(GUEST) is None
    assert refusals(bot) == [(GUEST, str(Reason.REQUESTER_GUEST))]
    dm = [c for c in bot.slack.calls_to("chat.postMessage") if c.params.get("channel") == f"D{GUEST}"]
    assert dm and "Guests of this workspace" in str(dm[-1].params.get("text"))
