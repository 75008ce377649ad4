"""Slack's request shapes as personas builds them for the playground, the tests' harness and the benchmark."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from slack_bolt.request.payload_utils import to_command, to_event
from slack_sdk.signature import SignatureVerifier

from playground import personas


def _payload(body: str) -> dict[str, Any]:
    return json.loads(parse_qs(body)["payload"][0])


def test_signed_headers_verify_with_the_same_secret_only() -> None:
    body = personas.command_body("U0DEV", "help", channel="DU0DEV", response_url="http://r", trigger_id="t")

    headers = personas.signed_headers("s3cret", body, timestamp=1_700_000_000)

    assert headers["Content-Type"] == personas.FORM and headers["X-Slack-Request-Timestamp"] == "1700000000"
    signature = headers["X-Slack-Signature"]
    assert SignatureVerifier("s3cret").is_valid(body, "1700000000", signature) is False  # too old to replay
    assert signature == SignatureVerifier("s3cret").generate_signature(timestamp="1700000000", body=body)
    assert signature != SignatureVerifier("other").generate_signature(timestamp="1700000000", body=body)


def test_a_command_from_someone_who_is_no_persona_in_another_workspace() -> None:
    body = personas.command_body(
        "UB0001", "request x", channel="C0GENERAL", response_url="http://r/1", trigger_id="t1", team="T0TEAM"
    )

    fields = {k: v[0] for k, v in parse_qs(body).items()}
    assert to_command(fields) == fields
    assert (fields["user_id"], fields["user_name"], fields["team_id"]) == ("UB0001", "ub0001", "T0TEAM")
    assert (fields["command"], fields["text"], fields["response_url"]) == ("/amplify-dev", "request x", "http://r/1")


def test_a_plain_button_clicked_on_a_message_known_only_by_its_channel_and_ts() -> None:
    button = personas.plain_button("amplify_dev_approve", "r1")

    body = personas.block_actions_body(
        "ULEAD", button, trigger_id="t", message={"ts": "1.0", "channel": "C0APPROVE"}, response_url="http://r", team="T0TEAM"
    )  # fmt: skip

    payload = _payload(body)
    assert payload["team"]["id"] == "T0TEAM" and payload["user"] == {
        "id": "ULEAD", "username": "ulead", "name": "ulead", "team_id": "T0TEAM",
    }  # fmt: skip
    action = payload["actions"][0]
    assert (action["action_id"], action["value"], action["block_id"]) == ("amplify_dev_approve", "r1", "b")
    assert "text" not in action and "style" not in action
    assert payload["container"] == {"type": "message", "message_ts": "1.0", "channel_id": "C0APPROVE", "is_ephemeral": False}  # fmt: skip
    assert payload["message"] == {"ts": "1.0", "type": "message"}


def test_a_click_on_the_home_tab_has_a_view_container_and_no_response_url() -> None:
    home = {"id": "VHOME", "type": "home", "callback_id": "amplify_dev_home", "blocks": []}

    payload = _payload(personas.block_actions_body("U0DEV", personas.plain_button("x", "v"), trigger_id="t", view=home))

    assert payload["container"] == {"type": "view", "view_id": "VHOME"}
    assert payload["view"]["callback_id"] == "amplify_dev_home" and "response_url" not in payload


def test_a_form_submission_carries_the_answers_in_the_workspace_asked_for() -> None:
    view = {
        "id": "V1",
        "callback_id": "amplify_dev_request",
        "blocks": [{"type": "input", "block_id": "reason", "element": {"type": "plain_text_input", "action_id": "reason_input"}}],
    }  # fmt: skip

    payload = _payload(personas.view_submission_body("UDEV", view, {"reason_input": "why"}, team="T0TEAM"))

    assert payload["type"] == "view_submission" and payload["team"]["id"] == "T0TEAM"
    assert payload["view"]["state"]["values"] == {"reason": {"reason_input": {"type": "plain_text_input", "value": "why"}}}  # fmt: skip


def test_an_event_is_wrapped_in_the_event_callback_envelope() -> None:
    event = {"type": "subteam_members_changed", "subteam_id": "SLEADS"}

    envelope = json.loads(personas.event_body(event, bot_user_id="UBOT", team="T0TEAM"))

    assert envelope["type"] == "event_callback" and envelope["team_id"] == "T0TEAM"
    assert to_event(envelope) == event
    assert envelope["authorizations"][0]["user_id"] == "UBOT" and envelope["event_id"].startswith("Ev")
    opened = json.loads(personas.app_home_opened_body("U0DEV", "U0BOT"))
    assert opened["team_id"] == personas.TEAM_ID and opened["event"]["type"] == "app_home_opened"
