"""Hostile and malformed input: refused or neutralised, never a state change, a 500 or a broken message."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import messages as msg
from handlers.commands import parse_command
from store import Request, State
from tests.conftest import CHANNEL, DEV, LEAD, TEAM, Bot, message_text

TRICKY = [
    "x" * 4500,
    "<!channel> <!here> <!everyone> please approve",
    "<https://evil.example|aws.amazon.com> sign in here",
    "*bold* _italics_ ~strike~ `code` ```block``` > quote",
    "\u202eevil.exe\u202c right-to-left override",
    "zero\u200bwidth\u200djoiner\ufeff",
    "emoji 🚀🔑👩🏽‍💻 and CJK 漢字 and عربى",
    "<@ULEAD> &amp; &lt;tag&gt; <#C123|general>",
]


@pytest.mark.parametrize("reason", TRICKY)
def test_hostile_reason_is_stored_capped_and_rendered_literally(bot: Bot, reason: str) -> None:
    bot.command(DEV, f"request {reason}")
    request = bot.store.open_request_for(DEV)
    assert request is not None and len(request.reason) <= msg.REASON_MAX
    post = bot.approval_post().params
    plain = [
        b["text"] for b in post["blocks"] if b["type"] == "section" and b.get("text", {}).get("type") == "plain_text"
    ]
    assert [t["text"] for t in plain] == [request.reason]  # the reason appears only as plain text
    mrkdwn = [t for t in message_text(post).split("\n") if t != request.reason]
    joined = "\n".join(mrkdwn)
    assert "<!channel>" not in joined and "<https://evil" not in joined and "<!here>" not in joined
    assert request.reason[:50] not in post["text"]  # never in the notification text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reason=st.text(max_size=5000), console=st.booleans(), name=st.text(max_size=80))
def test_message_builders_stay_inside_block_kit_limits(reason: str, console: bool, name: str) -> None:
    request = Request(
        id="r0123456789abcdef",
        slack_user_id="U0ABC",
        team_id=TEAM,
        reason=msg.clip_reason(reason),
        console=console,
        iam_user_name=name,
        state=State.DENIED,
        decided_by="U0LEAD",
        decided_at=datetime.now(UTC),
        created_at=datetime.now(UTC),
    )
    for message in (msg.approval_request_message(request), msg.approval_outcome_message(request, "done")):
        blocks = [b.to_dict() for b in message.blocks]  # slack_sdk validates lengths here
        assert len(blocks) <= 50
        for block in blocks:
            text = block.get("text", {}).get("text", "")
            assert len(text) <= 3000
            for field in block.get("fields", []):
                assert len(field["text"]) <= 2000
            if block.get("text", {}).get("type") == "mrkdwn":
                assert "<!" not in text.replace("<!date^", "")
        assert len(message.text) <= 4000 and "<!" not in message.text
    msg.status_reply(request).to_kwargs()


@given(st.text(max_size=300))
def test_command_parser_never_raises_and_only_known_verbs_act(text: str) -> None:
    parsed = parse_command(text)
    assert parsed.verb in {"form", "request", "remove", "rotate", "status", "list", "help", "unknown"}
    if parsed.verb == "remove" and parsed.target:
        assert parsed.target[0] in "UW" and parsed.target.isalnum()


@given(st.text(max_size=12), st.text(max_size=40))
def test_days_option_never_raises_and_takes_only_ascii_digits(days: str, reason: str) -> None:
    text = f"request --days {days} {reason}"
    parsed = parse_command(text)
    if parsed.days is not None:
        assert any(w.isascii() and w.isdigit() and int(w) == parsed.days for w in text.split())


@given(st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=5).filter(lambda t: not t.isascii()))
def test_days_in_other_digits_get_the_usage_answer(days: str) -> None:
    parsed = parse_command(f"request --days {days} build the app")
    assert parsed.verb == "unknown" and parsed.days is None


def test_retried_command_with_retry_header_files_one_request(bot: Bot) -> None:
    body = urlencode(
        {
            "team_id": TEAM,
            "user_id": DEV,
            "command": "/amplify-dev",
            "text": "request x",
            "channel_id": "C1",
            "response_url": bot.slack.response_url("cmd-UDEV"),
            "trigger_id": "t",
        }
    )
    bot.dispatch(body)
    bot.dispatch(body, extra_headers={"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"})
    assert len([c for c in bot.slack.calls_to("chat.postMessage") if c.params["channel"] == CHANNEL]) == 1
    assert "already have an open request" in bot.last_reply_text(DEV)


def _action_payload(bot: Bot, **overrides: object) -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": LEAD, "team_id": TEAM},
        "response_url": bot.slack.response_url("click-ULEAD"),
        "actions": [{"action_id": "amplify_dev_approve", "value": "r1", "type": "button"}],
        **overrides,
    }
    return urlencode({"payload": json.dumps(payload)})


@pytest.mark.parametrize(
    "body",
    [
        "payload=%7B%7D",
        "",
        "garbage&&==",
        "PAYLOAD",
    ],
)
def test_malformed_bodies_get_no_500_and_change_nothing(bot: Bot, body: str, caplog) -> None:
    bot.command(DEV, "request x")
    response = bot.dispatch(body)
    assert response.status < 500
    assert bot.store.open_request_for(DEV).state == State.PENDING
    assert "hooks.slack.com" not in caplog.text


@pytest.mark.parametrize(
    "overrides",
    [
        {"actions": [{"action_id": "amplify_dev_something_new", "value": "x"}]},
        {"actions": []},
        {"actions": "nope"},
        {"user": {"team_id": TEAM}},
        {"actions": [{"action_id": "amplify_dev_approve"}]},
    ],
)
def test_unexpected_actions_are_acknowledged_and_ignored(bot: Bot, overrides: dict, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    bot.command(DEV, "request x")
    request_id = bot.request_id_for(DEV)
    response = bot.dispatch(_action_payload(bot, **overrides))
    assert response.status == 200
    assert bot.store.get(request_id).state == State.PENDING
    assert bot.iam_users() == []
    assert "/response/" not in caplog.text  # the payload's response_url is never logged


def test_unknown_view_submission_is_acknowledged(bot: Bot) -> None:
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": DEV, "team_id": TEAM},
        "view": {"id": "V", "callback_id": "something_else", "state": {"values": {}}},
    }
    response = bot.dispatch(urlencode({"payload": json.dumps(payload)}))
    assert response.status == 200
    assert bot.store.latest_for(DEV) is None


@pytest.mark.parametrize("value", ["", "x" * 5000, "r" + "0" * 16, "../../etc/passwd"])
def test_show_credentials_for_someone_elses_or_unknown_request_is_refused(bot: Bot, value: str) -> None:
    request_id = bot.approved_user()
    bot.click("UOTHER", "amplify_dev_show_credentials", value or request_id)
    assert bot.iam.list_access_keys(UserName="dana.dev-udev")["AccessKeyMetadata"] == []
    text = bot.last_reply_text("UOTHER")
    assert "Only the person who asked" in text or "don't know that request" in text


def test_name_clash_inside_our_path_without_tags_is_not_adopted(bot: Bot) -> None:
    bot.iam.create_user(UserName="dana.dev-udev", Path="/amplify-dev/")
    request_id = bot.approved_user()
    assert bot.store.get(request_id).state == State.FAILED
    assert bot.iam.list_user_tags(UserName="dana.dev-udev")["Tags"] == []
    assert bot.iam.list_attached_user_policies(UserName="dana.dev-udev")["AttachedPolicies"] == []


def test_name_clash_with_our_tags_from_another_request_is_not_adopted(bot: Bot) -> None:
    tags = [{"Key": "amplify-dev:slack-user-id", "Value": DEV}, {"Key": "amplify-dev:request-id", "Value": "rold"}]
    bot.iam.create_user(UserName="dana.dev-udev", Path="/amplify-dev/", Tags=tags)
    request_id = bot.approved_user()
    assert bot.store.get(request_id).state == State.FAILED
    assert {t["Value"] for t in bot.iam.list_user_tags(UserName="dana.dev-udev")["Tags"]} == {DEV, "rold"}
