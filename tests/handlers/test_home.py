"""The App Home tab: what each person sees, and that its buttons act under the same rules as the command."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from slack_bolt import BoltResponse

import messages as msg
from messages import HomeState
from store import Fields, Request, State
from tests.conftest import CHANNEL, DEV, GROUP_LEAD, LEAD, LEAD2, OTHER, TEAM, Bot, message_text

APPROVE, DENY, SHOW = msg.APPROVE_ACTION, msg.DENY_ACTION, msg.SHOW_CREDENTIALS_ACTION
HOME_REQUEST, HOME_ROTATE, HOME_REMOVE = msg.HOME_REQUEST_ACTION, msg.HOME_ROTATE_ACTION, msg.HOME_REMOVE_ACTION
IAM_USER = "dana.dev-udev"


# --- sending what Slack sends from the Home tab ----------------------------------------------------


def open_home(bot: Bot, user: str, *, tab: str = "home") -> dict[str, Any]:
    """Open the App Home as `user` and return the view published for them."""
    before = len(published_to(bot, user))
    response = bot.event(
        {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": tab, "event_ts": "1.0"}
    )
    assert response.status == 200
    views = published_to(bot, user)
    assert len(views) == before + 1, f"no Home view was published for {user}"
    return views[-1]


def published_to(bot: Bot, user: str) -> list[dict[str, Any]]:
    return [c.params["view"] for c in bot.slack.calls_to("views.publish") if c.params.get("user_id") == user]


def home_click(bot: Bot, user: str, action_id: str, value: str) -> BoltResponse:
    """A click on a Home tab button: the container is a view and there is no response_url, as on Slack."""
    response = bot.click(user, action_id, value, home=True)
    assert response.status == 200
    return response


# --- reading a view --------------------------------------------------------------------------------


def view_text(view: dict[str, Any]) -> str:
    return message_text({"blocks": view["blocks"]})


def buttons(view: dict[str, Any]) -> list[tuple[str, str]]:
    """(action_id, value) of every button, in order."""
    found = []
    for block in view["blocks"]:
        elements = block.get("elements", []) if block["type"] == "actions" else [block.get("accessory") or {}]
        found += [(e["action_id"], e.get("value", "")) for e in elements if e.get("type") == "button"]
    return found


def dm_texts(bot: Bot, user: str) -> list[str]:
    return [message_text(c.params) for c in bot.dms_to(user)]


def pending(bot: Bot, user: str = DEV, reason: str = "need access") -> str:
    bot.command(user, f"request {reason}")
    return bot.request_id_for(user)


# --- what each person sees -------------------------------------------------------------------------


def test_home_for_someone_with_nothing_offers_only_a_request_button(bot: Bot) -> None:
    view = open_home(bot, DEV)

    assert view["type"] == "home"
    assert "no amplify-dev access and no pending request" in view_text(view)
    assert [action for action, _ in buttons(view)] == [HOME_REQUEST]
    assert "Pending requests" not in view_text(view)


def test_home_for_a_pending_request_shows_it_and_the_reason_as_plain_text(bot: Bot) -> None:
    request_id = pending(bot, reason="<!channel> *urgent* <https://evil.example|click>")

    view = open_home(bot, DEV)

    assert f"`{request_id}`" in view_text(view) and "waiting for a lead" in view_text(view)
    reasons = [
        e for b in view["blocks"] if b["type"] == "context" for e in b["elements"] if "<!channel>" in e.get("text", "")
    ]
    assert reasons and all(e["type"] == "plain_text" for e in reasons)
    assert buttons(view) == [(HOME_REMOVE, DEV)]  # withdraw; no Approve for your own request


def test_home_for_active_access_shows_iam_user_and_key_age_after_show_credentials(bot: Bot) -> None:
    request_id = bot.approved_user()

    before = open_home(bot, DEV)
    assert IAM_USER in view_text(before) and "none yet" in view_text(before)
    assert (SHOW, request_id) in buttons(before)

    home_click(bot, DEV, SHOW, request_id)  # the reused listener answers a home click in the DM
    key_id = bot.store.get(request_id).access_key_id
    assert key_id and key_id in message_text(bot.ephemerals_to(DEV)[-1].params)

    after = open_home(bot, DEV)
    assert IAM_USER in view_text(after)
    assert "less than a minute old" in view_text(after)
    assert [action for action, _ in buttons(after)] == [HOME_ROTATE, HOME_REMOVE]
    assert (HOME_REMOVE, DEV) in buttons(after)


def test_old_key_age_is_shown_with_a_rotate_hint(bot: Bot) -> None:
    request_id = bot.approved_user()
    home_click(bot, DEV, SHOW, request_id)
    bot.clock.advance(days=100, hours=1)

    view = open_home(bot, DEV)

    assert "100 days old" in view_text(view)
    assert "older than 90 days" in view_text(view)


def test_key_age_is_unknown_when_iam_cannot_be_read_and_the_tab_still_opens(bot: Bot) -> None:
    request_id = bot.approved_user()
    home_click(bot, DEV, SHOW, request_id)

    def refuse(**_: object) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "nope"}}, "ListAccessKeys")

    bot.iam.meta.events.register("before-call.iam.ListAccessKeys", refuse)
    try:
        view = open_home(bot, DEV)
    finally:
        bot.iam.meta.events.unregister("before-call.iam.ListAccessKeys", refuse)

    assert "age unknown" in view_text(view)
    assert IAM_USER in view_text(view)
    assert "AccessDenied" not in view_text(view)


def test_expiry_is_shown_when_the_access_has_one(bot: Bot) -> None:
    request_id = bot.approved_user()
    expires = datetime(2031, 5, 4, 12, 0, tzinfo=UTC)
    assert bot.store.compare_and_set(request_id, Fields(state=State.ACTIVE), Fields(expires_at=expires))

    text = view_text(open_home(bot, DEV))

    assert "*Expires*" in text and f"<!date^{int(expires.timestamp())}^" in text


@pytest.mark.parametrize("approver", [LEAD2, GROUP_LEAD])
def test_approver_sees_the_pending_queue_and_active_users_with_their_buttons(bot: Bot, approver: str) -> None:
    bot.approved_user(requester=OTHER, approver=LEAD)
    request_id = pending(bot, DEV, reason="<@ULEAD> please")

    view = open_home(bot, approver)
    text = view_text(view)

    assert "Pending requests (1)" in text and "Active users (1)" in text
    assert (APPROVE, request_id) in buttons(view) and (DENY, request_id) in buttons(view)
    assert (HOME_REMOVE, OTHER) in buttons(view)
    assert "<@UDEV>" in text and "<@UOTHER>" in text
    assert buttons(view)[0][0] == HOME_REQUEST  # their own state comes first


def test_non_approver_sees_only_their_own_state(bot: Bot) -> None:
    bot.approved_user(requester=LEAD2, approver=LEAD)
    pending(bot, DEV)

    view = open_home(bot, OTHER)

    assert "Pending requests" not in view_text(view) and "Active users" not in view_text(view)
    assert [action for action, _ in buttons(view)] == [HOME_REQUEST]
    assert "<@UDEV>" not in view_text(view) and "<@ULEAD2>" not in view_text(view)


def test_an_approvers_own_pending_request_has_no_decision_buttons(bot: Bot) -> None:
    request_id = pending(bot, LEAD)

    view = open_home(bot, LEAD)

    assert (APPROVE, request_id) not in buttons(view)
    assert "another lead decides" in view_text(view)
    assert (APPROVE, request_id) in buttons(open_home(bot, LEAD2))


# --- what its buttons do ---------------------------------------------------------------------------


def test_approve_from_home_provisions_and_answers_by_dm(bot: Bot) -> None:
    request_id = pending(bot)
    assert (APPROVE, request_id) in buttons(open_home(bot, LEAD))

    home_click(bot, LEAD, APPROVE, request_id)

    assert bot.store.get(request_id).state == State.ACTIVE
    assert bot.iam_users() == [IAM_USER]
    assert any("approved your access" in t for t in dm_texts(bot, DEV))
    home_click(bot, LEAD2, APPROVE, request_id)  # a late second click from another lead's Home tab
    assert "already handled" in dm_texts(bot, LEAD2)[-1]
    assert bot.iam_users() == [IAM_USER] and len(bot.dms_to(DEV)) == 1
    assert not [c for c in bot.slack.calls_to("response_url") if c.params["_key"].startswith("click-")]


def test_non_approver_cannot_approve_from_a_forged_home_click(bot: Bot) -> None:
    request_id = pending(bot)

    home_click(bot, OTHER, APPROVE, request_id)

    assert bot.store.get(request_id).state == State.PENDING
    assert bot.iam_users() == []
    assert "Only the leads" in dm_texts(bot, OTHER)[-1]


def test_non_approvers_forged_home_remove_is_refused_and_changes_nothing(bot: Bot) -> None:
    request_id = bot.approved_user()
    channel_posts = len(bot.slack.calls_to("chat.postMessage"))

    home_click(bot, OTHER, HOME_REMOVE, DEV)  # the value names someone else: a target, never authority

    assert bot.store.get(request_id).state == State.ACTIVE
    assert bot.iam_users() == [IAM_USER]
    assert "Only the leads" in dm_texts(bot, OTHER)[-1]
    assert len(bot.slack.calls_to("chat.postMessage")) == channel_posts + 1  # only that DM to OTHER
    assert not [c for c in bot.slack.calls_to("chat.postMessage") if c.params.get("channel") == CHANNEL][1:]
    assert published_to(bot, OTHER), "the clicker's Home tab is refreshed"


def test_approver_removes_someone_from_home_and_their_home_is_refreshed(bot: Bot) -> None:
    request_id = bot.approved_user()
    assert (HOME_REMOVE, DEV) in buttons(open_home(bot, LEAD))

    home_click(bot, LEAD, HOME_REMOVE, DEV)

    assert bot.store.get(request_id).state == State.REVOKED
    assert bot.iam_users() == []
    assert "access is removed" in dm_texts(bot, LEAD)[-1]
    assert any("removed your AWS Amplify access" in t for t in dm_texts(bot, DEV))
    refreshed = published_to(bot, LEAD)[-1]
    assert "Active users (0)" in view_text(refreshed) and (HOME_REMOVE, DEV) not in buttons(refreshed)


def test_withdraw_from_home_cancels_the_pending_request(bot: Bot) -> None:
    request_id = pending(bot)

    home_click(bot, DEV, HOME_REMOVE, DEV)

    assert bot.store.get(request_id).state == State.CANCELLED
    assert "withdrawn" in dm_texts(bot, DEV)[-1]
    assert [action for action, _ in buttons(published_to(bot, DEV)[-1])] == [HOME_REQUEST]


@pytest.mark.parametrize("value", ["", "<!channel>", "UDEV> <!here", "r0123456789abcdef"])
def test_home_remove_with_a_malformed_target_does_nothing(bot: Bot, value: str) -> None:
    request_id = bot.approved_user()
    dms = len(bot.slack.calls_to("chat.postMessage"))

    home_click(bot, LEAD, HOME_REMOVE, value)

    assert bot.store.get(request_id).state == State.ACTIVE
    assert len(bot.slack.calls_to("chat.postMessage")) == dms


def test_home_request_button_opens_the_form_and_confirms_by_dm(bot: Bot) -> None:
    home_click(bot, DEV, HOME_REQUEST, "request")

    (opened,) = bot.slack.calls_to("views.open")
    assert opened.params["trigger_id"] == "trigger-home-UDEV"
    assert opened.params["view"]["callback_id"] == msg.REQUEST_VIEW
    assert "response_url" not in json.loads(opened.params["view"]["private_metadata"])

    bot.submit_form(DEV, "sprint work")  # the form's metadata has no response_url: the answer goes by DM
    assert bot.store.open_request_for(DEV).state == State.PENDING
    assert "is with the leads" in dm_texts(bot, DEV)[-1]


def test_home_request_button_says_what_to_do_when_the_form_cannot_open(bot: Bot) -> None:
    bot.slack.fail("views.open", error="expired_trigger_id")

    home_click(bot, DEV, HOME_REQUEST, "request")

    assert "request [--console] <reason>" in dm_texts(bot, DEV)[-1]
    assert bot.store.latest_for(DEV) is None


def test_rotate_from_home_delivers_the_new_key_ephemeral_in_the_dm(bot: Bot) -> None:
    request_id = bot.approved_user()
    home_click(bot, DEV, SHOW, request_id)
    old = bot.store.get(request_id).access_key_id

    home_click(bot, DEV, HOME_ROTATE, request_id)

    keys = bot.iam.list_access_keys(UserName=IAM_USER)["AccessKeyMetadata"]
    assert len(keys) == 1 and keys[0]["AccessKeyId"] != old
    ephemeral = bot.ephemerals_to(DEV)[-1].params
    assert ephemeral["channel"] == "DUDEV" and keys[0]["AccessKeyId"] in message_text(ephemeral)
    assert "old key was deleted" in dm_texts(bot, DEV)[-1]
    assert "less than a minute old" in view_text(published_to(bot, DEV)[-1])


def test_rotate_from_home_only_ever_rotates_the_clickers_own_key(bot: Bot) -> None:
    request_id = bot.approved_user()
    home_click(bot, DEV, SHOW, request_id)
    keys_before = bot.iam.list_access_keys(UserName=IAM_USER)["AccessKeyMetadata"]

    home_click(bot, OTHER, HOME_ROTATE, request_id)  # a forged value naming DEV's request

    assert bot.iam.list_access_keys(UserName=IAM_USER)["AccessKeyMetadata"] == keys_before
    assert "no active access" in dm_texts(bot, OTHER)[-1]
    assert not bot.ephemerals_to(OTHER)


# --- the event itself ------------------------------------------------------------------------------


def test_opening_the_messages_tab_publishes_nothing(bot: Bot) -> None:
    response = bot.event({"type": "app_home_opened", "user": DEV, "channel": "DUDEV", "tab": "messages"})

    assert response.status == 200
    assert not bot.slack.calls_to("views.publish")


def test_a_views_publish_failure_is_acknowledged_and_logged(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    bot.slack.fail("views.publish", error="not_enabled")

    response = bot.event({"type": "app_home_opened", "user": DEV, "channel": "DUDEV", "tab": "home"})

    assert response.status == 200
    assert "views.publish failed" in caplog.text and "not_enabled" in caplog.text
    assert not bot.dms_to(DEV)


def test_home_view_stays_inside_block_kit_limits_with_a_long_queue() -> None:
    now = datetime.now(UTC)

    def request(n: int, state: State) -> Request:
        return Request(
            id=f"r{n:016x}",
            slack_user_id=f"U{n:08d}",
            team_id=TEAM,
            reason="<!channel> " + "x" * 2000,
            console=n % 2 == 0,
            iam_user_name=f"user-{n}",
            state=state,
            created_at=now,
            decided_by=LEAD if state != State.PENDING else None,
            decided_at=now if state != State.PENDING else None,
        )

    state = HomeState(
        user_id=LEAD,
        now=now,
        is_approver=True,
        pending=tuple(request(n, State.PENDING) for n in range(40)),
        active=tuple(request(100 + n, State.ACTIVE) for n in range(40)),
    )

    view = msg.home_view(state).to_dict()  # slack_sdk validates lengths here
    text = view_text(view)

    assert len(view["blocks"]) <= 100
    assert "25 more requests not shown" in text and "15 more users not shown" in text
    assert view["blocks"][-1]["type"] == "context"  # nothing was cut off
    for block in view["blocks"]:
        if block.get("text", {}).get("type") == "mrkdwn":
            assert "<!" not in block["text"]["text"].replace("<!date^", "")
            assert len(block["text"]["text"]) <= 3000
