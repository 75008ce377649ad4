"""The /amplify-dev command as Slack sends it: parsing, replies and refusals."""

from __future__ import annotations

import pytest

from handlers.commands import parse_command
from store import State
from tests.conftest import CHANNEL, DEV, LEAD, OTHER, Bot, message_text


@pytest.mark.parametrize(
    ("text", "verb", "console", "reason", "target"),
    [
        ("", "form", False, "", None),
        ("request fix the login page", "request", False, "fix the login page", None),
        ("request --console fix the login page", "request", True, "fix the login page", None),
        ("REQUEST --CONSOLE  spaced   out", "request", True, "spaced out", None),
        ("remove", "remove", False, "", None),
        ("remove <@U0ABC123|alice>", "remove", False, "", "U0ABC123"),
        ("remove <@W0ABC123>", "remove", False, "", "W0ABC123"),
        ("remove alice", "unknown", False, "", None),
        ("rotate", "rotate", False, "", None),
        ("status", "status", False, "", None),
        ("list", "list", False, "", None),
        ("help", "help", False, "", None),
        ("request --admin please", "unknown", False, "", None),
        ("delete everything", "unknown", False, "", None),
        ("status now", "unknown", False, "", None),
    ],
)
def test_parse_command(text: str, verb: str, console: bool, reason: str, target: str | None) -> None:
    parsed = parse_command(text)
    assert (parsed.verb, parsed.console, parsed.reason, parsed.target) == (verb, console, reason, target)


def test_no_text_opens_the_request_modal(bot: Bot) -> None:
    response = bot.command(DEV, "")
    assert response.status == 200
    opened = bot.slack.calls_to("views.open")
    assert len(opened) == 1 and opened[0].params["trigger_id"] == "trigger-UDEV"
    view = opened[0].params["view"]
    inputs = {b["block_id"]: b for b in view["blocks"]}
    assert not inputs["reason"].get("optional", False)
    assert inputs["reason"]["element"]["type"] == "plain_text_input"
    assert inputs["console"]["element"]["type"] == "checkboxes"


def test_modal_has_no_console_checkbox_when_console_is_off(make_bot) -> None:
    bot = make_bot(AMPLIFY_DEV_ALLOW_CONSOLE="false")
    bot.command(DEV, "")
    view = bot.slack.calls_to("views.open")[0].params["view"]
    assert [b["block_id"] for b in view["blocks"]] == ["reason", "days"]


def test_request_posts_to_approvers_and_confirms_to_requester(bot: Bot) -> None:
    bot.command(DEV, "request need to deploy")
    request = bot.store.open_request_for(DEV)
    assert request is not None and request.state == State.PENDING and request.reason == "need to deploy"
    assert request.approval_ts and request.approval_channel == CHANNEL
    assert bot.approval_post().params["channel"] == CHANNEL
    reply = bot.replies_to(DEV)[-1]
    assert reply["response_type"] == "ephemeral"
    assert request.id in message_text(reply)


def test_request_without_reason_changes_nothing(bot: Bot) -> None:
    bot.command(DEV, "request")
    assert bot.store.latest_for(DEV) is None
    assert not bot.slack.calls_to("chat.postMessage")
    assert "why you need access" in bot.last_reply_text(DEV)


def test_second_request_is_answered_with_the_first(bot: Bot) -> None:
    bot.command(DEV, "request first")
    first = bot.store.open_request_for(DEV)
    bot.command(DEV, "request second")
    assert len(bot.slack.calls_to("chat.postMessage")) == 1
    assert bot.store.open_request_for(DEV) == first
    assert "already have an open request" in bot.last_reply_text(DEV)
    assert "waiting for a lead" in bot.last_reply_text(DEV)


def test_console_request_refused_when_console_is_off(make_bot) -> None:
    bot = make_bot(AMPLIFY_DEV_ALLOW_CONSOLE="false")
    bot.command(DEV, "request --console please")
    assert bot.store.latest_for(DEV) is None
    assert "Console access is turned off" in bot.last_reply_text(DEV)


@pytest.mark.parametrize("text", ["help", "frobnicate", "status now", "request --admin x"])
def test_help_and_unknown_text_show_usage_and_change_nothing(bot: Bot, text: str) -> None:
    response = bot.command(DEV, text)
    assert response.status == 200
    assert "/amplify-dev request [--console]" in response.body
    assert bot.store.latest_for(DEV) is None
    assert [c.method for c in bot.slack.calls] == ["auth.test"]  # Bolt's one call at start-up


def test_status_with_nothing(bot: Bot) -> None:
    response = bot.command(DEV, "status")
    assert "no amplify-dev access" in response.body


def test_status_shows_pending_then_active(bot: Bot) -> None:
    bot.command(DEV, "request x")
    assert "waiting for a lead" in bot.command(DEV, "status").body
    bot.click(LEAD, "amplify_dev_approve", bot.request_id_for(DEV))
    body = bot.command(DEV, "status").body
    assert "dana.dev-udev" in body and "Show credentials" in body


def test_list_is_for_approvers_only(bot: Bot) -> None:
    bot.command(DEV, "request x")
    bot.command(OTHER, "list")
    assert "Only the leads" in bot.last_reply_text(OTHER)
    bot.command(LEAD, "list")
    text = bot.last_reply_text(LEAD)
    assert "Pending requests* (1)" in text and "<@UDEV>" in text


def test_list_works_for_a_user_group_member(bot: Bot) -> None:
    bot.command("UGROUPLEAD", "list")
    assert "Pending requests" in bot.last_reply_text("UGROUPLEAD")
    bot.command("UGROUPLEAD", "list")
    assert len(bot.slack.calls_to("usergroups.users.list")) == 1  # cached


def test_remove_pending_request_withdraws_it(bot: Bot) -> None:
    bot.command(DEV, "request x")
    request_id = bot.request_id_for(DEV)
    bot.command(DEV, "remove")
    assert bot.store.get(request_id).state == State.CANCELLED
    assert "withdrawn" in bot.last_reply_text(DEV)
    update = bot.slack.calls_to("chat.update")[-1]
    assert "Withdrawn by <@UDEV>" in message_text(update.params)
    bot.click(LEAD, "amplify_dev_approve", request_id)
    assert bot.iam_users() == []


def test_remove_with_nothing_to_remove(bot: Bot) -> None:
    bot.command(DEV, "remove")
    assert "no amplify-dev access to remove" in bot.last_reply_text(DEV)


def test_only_approvers_remove_others(bot: Bot) -> None:
    bot.approved_user()
    bot.command(OTHER, "remove <@UDEV|dana>")
    assert "Only the leads" in bot.last_reply_text(OTHER)
    assert "dana.dev-udev" in bot.iam_users()
    bot.command(LEAD, "remove <@UDEV|dana>")
    assert bot.iam_users() == []
    assert "<@UDEV>'s access is removed" in bot.last_reply_text(LEAD)
    assert "removed your AWS Amplify access" in message_text(bot.dms_to(DEV)[-1].params)
    channel_posts = [c for c in bot.slack.calls_to("chat.postMessage") if c.params["channel"] == CHANNEL]
    assert "<@ULEAD> removed <@UDEV>'s access" in message_text(channel_posts[-1].params)


def test_remove_before_credentials_retires_the_dm_button(bot: Bot) -> None:
    request_id = bot.approved_user()
    bot.command(DEV, "remove")
    last_update = bot.slack.calls_to("chat.update")[-1]
    assert last_update.params["channel"] == "DUDEV"
    assert not [b for b in last_update.params["blocks"] if b["type"] == "actions"]
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    assert "no credentials to show" in bot.last_reply_text(DEV)


def test_payloads_from_another_workspace_are_refused(bot: Bot) -> None:
    response = bot.command(DEV, "request x", team="T0OTHER")
    assert response.status == 200 and "only serves its own workspace" in response.body
    assert bot.store.latest_for(DEV) is None
    bot.command(DEV, "request x")
    request_id = bot.request_id_for(DEV)
    bot.click(LEAD, "amplify_dev_approve", request_id, team="T0OTHER")
    assert bot.store.get(request_id).state == State.PENDING
    assert bot.iam_users() == []


def test_messages_carry_no_sandbox_label_outside_sandbox_mode(bot: Bot) -> None:
    bot.command(DEV, "request x")
    assert "SANDBOX" not in message_text(bot.approval_post().params)
    assert "SANDBOX" not in bot.last_reply_text(DEV)


# Digits to str.isdigit(), but not ASCII: int() refuses the first two and reads the others as numbers.
NOT_ASCII_DIGITS = ["\u00b2", "\u2460", "\u0661\u0664", "\u06f1\u06f4", "\uff11\uff14", "\u0967\u096a"]


@pytest.mark.parametrize("days", NOT_ASCII_DIGITS, ids=ascii)
def test_days_that_are_not_ascii_digits_get_the_usage_answer(bot: Bot, days: str) -> None:
    response = bot.command(DEV, f"request --days {days} build the app")

    assert response.status == 200
    assert "whole number of days" in response.body and "/amplify-dev request" in response.body
    assert bot.store.latest_for(DEV) is None
    assert not bot.slack.calls_to("chat.postMessage")


def test_days_in_ascii_digits_are_taken(bot: Bot) -> None:
    bot.command(DEV, "request --days 14 build the app")

    request = bot.store.open_request_for(DEV)
    assert request is not None and request.days == 14


def test_review_parses_only_without_arguments() -> None:
    assert parse_command("review").verb == "review"
    assert parse_command("REVIEW").verb == "review"
    assert parse_command("review everything").verb == "unknown"
    assert parse_command("rev\u0131ew").verb == "unknown"  # dotless i: no Unicode case folding into a verb
