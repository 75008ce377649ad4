"""Identity Center mode: every text that named an IAM user names the assignment instead (and the IAM-user mode's
words are unchanged, which the rest of the suite pins)."""

from __future__ import annotations

import json
from typing import Any

from store import Fields, State
from tests.conftest import CHANNEL, DEV, LEAD, Bot, message_text
from tests.identity_center.conftest import ACCOUNT, IdentityCenterWorld

GRANTED = f"permission set `AmplifyDeveloper` in account {ACCOUNT}"


def walk_text(node: Any) -> str:
    """Every string in a view or message, joined: what a person can read on it."""
    if isinstance(node, dict):
        return "\n".join(walk_text(v) for v in node.values())
    if isinstance(node, list):
        return "\n".join(walk_text(v) for v in node)
    return node if isinstance(node, str) else ""


def answer(bot: Bot, user: str, text: str) -> dict[str, Any]:
    """The reply to a command: in the ack's body, or later through the response_url."""
    body = bot.command(user, text).body
    return json.loads(body) if body else bot.replies_to(user)[-1]


def home_of(bot: Bot, user: str) -> str:
    bot.event({"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home", "event_ts": "1.0"})
    view = [c.params["view"] for c in bot.slack.calls_to("views.publish") if c.params.get("user_id") == user][-1]
    return walk_text(json.loads(view) if isinstance(view, str) else view)


def test_the_leads_message_and_the_confirmation_name_the_assignment(ic_bot: Bot, world) -> None:
    ic_bot.command(DEV, "request build the app")

    post = message_text(ic_bot.approval_post().params)
    # The Identity Store user is resolved when the request is filed, and the leads see which one they approve.
    assert f"*Access*\nassignment of {GRANTED} to Identity Center user `{world.dana}`" in post
    assert "IAM user" not in post
    confirmation = ic_bot.last_reply_text(DEV)
    assert f"the assignment of {GRANTED} to the Identity Store user matched by email." in confirmation
    assert "IAM user" not in confirmation

    ic_bot.click(LEAD, "amplify_dev_approve", ic_bot.request_id_for(DEV))
    outcome = message_text(ic_bot.slack.calls_to("chat.update")[-1].params)
    assert "*Access*" in outcome and "IAM user" not in outcome


def test_status_and_list_name_the_assignment_and_offer_no_keys(ic_bot: Bot) -> None:
    ic_bot.approved_user()

    status = answer(ic_bot, DEV, "status")
    text = message_text(status)
    assert f"You have access through the assignment of {GRANTED}" in text
    assert "IAM user" not in text and "rotate" not in text and "credentials" not in text
    assert not [b for b in status.get("blocks", []) if b["type"] == "actions"]  # no Show credentials

    listed = message_text(answer(ic_bot, LEAD, "list"))
    assert f"<@{DEV}> through {GRANTED} (active)" in listed
    assert "IAM user" not in listed


def test_the_home_tab_names_the_assignment_without_key_or_rotate(ic_bot: Bot, world) -> None:
    ic_bot.approved_user()

    own = home_of(ic_bot, DEV)
    assert f"assignment of {GRANTED} to Identity Center user `{world.dana}`" in own
    assert f"The assignment of {GRANTED} is deleted at once." in own  # the Remove button's confirmation
    assert "IAM user" not in own and "Access key" not in own and "Rotate" not in own

    queue = home_of(ic_bot, LEAD)
    assert f"<@{DEV}> through {GRANTED}" in queue
    assert f"<@{DEV}>'s assignment of {GRANTED} is deleted at once; they are told by DM." in queue
    assert "IAM user" not in queue


def test_a_pending_request_on_the_leads_home_tab_names_the_assignment(ic_bot: Bot) -> None:
    ic_bot.command(DEV, "request build the app")

    queue = home_of(ic_bot, LEAD)
    assert f"<@{DEV}> asks for the assignment of {GRANTED}" in queue
    assert "IAM user" not in queue


def test_the_drift_heading_names_identity_center(ic_bot: Bot, world: IdentityCenterWorld) -> None:
    stranger = world.add_user("stranger@example.com", "Stranger")
    world.assign(stranger)

    ic_bot.workflow.sweep(reconcile=True)

    notices = [
        message_text(c.params)
        for c in ic_bot.slack.calls_to("chat.postMessage")
        if c.params.get("channel") == CHANNEL and "Drift" in message_text(c.params)
    ]
    assert notices and all("Drift between IAM Identity Center and amplify-dev's records" in n for n in notices)


def test_a_removal_left_mid_way_is_worded_as_the_assignment(ic_bot: Bot) -> None:
    request_id = ic_bot.approved_user()
    ic_bot.store.compare_and_set(request_id, Fields(state=State.ACTIVE), Fields(state=State.REVOKING))

    status = message_text(answer(ic_bot, DEV, "status"))

    assert f"Removal of the assignment of {GRANTED}" in status
    assert f"Removal of the assignment of {GRANTED}" in home_of(ic_bot, DEV)
