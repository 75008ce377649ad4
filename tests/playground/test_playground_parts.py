"""The playground's parts on their own: what each person sees, Slack's payloads, the isolated environment."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs

import pytest
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from playground import personas
from playground.run import TrackingExecutor, isolate_environment, playground_port
from playground.world import PlaygroundSlack, ResponseTarget

TOKEN = "xoxb-playground-test"
BUTTONS = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "hi"}},
    {
        "type": "actions",
        "block_id": "decide",
        "elements": [
            {
                "type": "button",
                "action_id": "approve",
                "value": "r1",
                "style": "primary",
                "text": {"type": "plain_text", "text": "Approve"},
            },
            {
                "type": "button",
                "action_id": "approve",
                "value": "r2",
                "text": {"type": "plain_text", "text": "Approve"},
            },
        ],
    },
]


@pytest.fixture
def slack() -> Iterator[PlaygroundSlack]:
    fake = PlaygroundSlack(team_id=personas.TEAM_ID)
    fake.world.add_conversation("C0LEADS", "#leads")
    for user in ("U0DEV", "U0LEAD1"):
        fake.world.add_conversation(f"D{user}", "amplify-dev", frozenset({user}))
    with fake:
        yield fake


@pytest.fixture
def client(slack: PlaygroundSlack) -> WebClient:
    return WebClient(token=TOKEN, base_url=slack.url)


def _texts(slack: PlaygroundSlack, user: str) -> list[str]:
    return [m["text"] for c in slack.world.visible_to(user)["conversations"] for m in c["messages"]]


def test_an_ephemeral_is_seen_only_by_its_reader(slack: PlaygroundSlack, client: WebClient) -> None:
    client.chat_postMessage(channel="C0LEADS", text="for everyone")
    client.chat_postEphemeral(channel="C0LEADS", user="U0DEV", text="only dev")

    assert _texts(slack, "U0DEV") == ["for everyone", "only dev"]
    assert _texts(slack, "U0LEAD1") == ["for everyone"]


def test_dms_are_private_and_updates_and_deletes_apply(slack: PlaygroundSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="U0DEV", text="pending")
    gone = client.chat_postMessage(channel="U0DEV", text="soon gone")

    client.chat_update(channel=posted["channel"], ts=posted["ts"], text="approved")
    client.chat_delete(channel=gone["channel"], ts=gone["ts"])

    assert _texts(slack, "U0DEV") == ["approved"]
    assert _texts(slack, "U0LEAD1") == []


def test_response_urls_answer_the_actor_or_replace_the_message(slack: PlaygroundSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C0LEADS", text="request")
    slack.world.expect_response_url("k1", ResponseTarget("U0LEAD1", "C0LEADS", posted["ts"]))
    slack.world.expect_response_url("k2", ResponseTarget("U0LEAD1", "C0LEADS", posted["ts"]))

    WebhookClient(slack.response_url("k1")).send(text="only you", response_type="ephemeral", replace_original=False)
    WebhookClient(slack.response_url("k2")).send(text="replaced", replace_original=True)

    assert _texts(slack, "U0LEAD1") == ["replaced", "only you"]
    assert _texts(slack, "U0DEV") == ["replaced"]


def test_modals_belong_to_whoever_got_the_trigger_and_homes_are_per_person(
    slack: PlaygroundSlack, client: WebClient
) -> None:
    slack.world.expect_trigger("t1", "U0DEV")
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Form"}, "blocks": []}

    opened = client.views_open(trigger_id="t1", view=view)["view"]
    client.views_update(view_id=opened["id"], view={**view, "title": {"type": "plain_text", "text": "Again"}})
    client.views_publish(user_id="U0LEAD1", view={"type": "home", "blocks": []})

    assert slack.world.modal("U0DEV")["title"]["text"] == "Again"
    assert slack.world.modal("U0LEAD1") is None
    assert slack.world.home("U0LEAD1")["type"] == "home" and slack.world.home("U0DEV") is None


def test_find_button_needs_the_value_when_several_share_an_action_id() -> None:
    with pytest.raises(personas.PayloadError, match="several"):
        personas.find_button(BUTTONS, "approve", None)
    with pytest.raises(personas.PayloadError, match="no button"):
        personas.find_button(BUTTONS, "deny", None)

    block_id, button = personas.find_button(BUTTONS, "approve", "r2")

    assert (block_id, button["value"]) == ("decide", "r2")


def test_a_click_is_sent_as_slack_sends_block_actions() -> None:
    message = {"channel": "C0LEADS", "ts": "1.2", "text": "hi", "blocks": BUTTONS, "user": "U0BOT", "ephemeral": False}
    button = personas.find_button(BUTTONS, "approve", "r1")

    body = personas.block_actions_body("U0LEAD1", button, trigger_id="t", message=message, response_url="http://r")
    payload = json.loads(parse_qs(body)["payload"][0])

    assert payload["type"] == "block_actions"
    assert payload["user"]["id"] == "U0LEAD1" and payload["team"]["id"] == personas.TEAM_ID
    assert payload["actions"][0] | {"action_ts": "x"} == {
        "type": "button", "action_id": "approve", "block_id": "decide", "value": "r1", "style": "primary",
        "text": {"type": "plain_text", "text": "Approve"}, "action_ts": "x",
    }  # fmt: skip
    assert payload["container"] == {
        "type": "message",
        "message_ts": "1.2",
        "channel_id": "C0LEADS",
        "is_ephemeral": False,
    }
    assert payload["response_url"] == "http://r"


def test_state_values_follow_the_modal_inputs_and_keep_initial_values() -> None:
    view = {
        "blocks": [
            {"type": "input", "block_id": "reason", "element": {"type": "plain_text_input", "action_id": "reason_input"}},
            {"type": "input", "block_id": "days", "element": {"type": "number_input", "action_id": "days_input", "initial_value": "30"}},
            {"type": "input", "block_id": "console", "element": {"type": "checkboxes", "action_id": "console_input",
             "options": [{"value": "console", "text": {"type": "plain_text", "text": "Console"}}]}},
        ]
    }  # fmt: skip

    values = personas.state_values(view, {"reason_input": "why", "console_input": ["console"]})

    assert values["reason"] == {"reason_input": {"type": "plain_text_input", "value": "why"}}
    assert values["days"] == {"days_input": {"type": "number_input", "value": "30"}}
    assert values["console"]["console_input"]["selected_options"][0]["value"] == "console"


def test_isolate_environment_drops_every_slack_and_aws_setting() -> None:
    environ = {"SLACK_BOT_TOKEN": "xoxb-real", "AWS_PROFILE": "prod", "AWS_ENDPOINT_URL": "http://x", "HOME": "/h"}

    isolate_environment(environ, "/tmp/pg")

    assert "SLACK_BOT_TOKEN" not in environ and "AWS_PROFILE" not in environ and "AWS_ENDPOINT_URL" not in environ
    assert environ["AWS_ACCESS_KEY_ID"].startswith("playground-fake")
    assert environ["AWS_CONFIG_FILE"] == "/tmp/pg/no-aws-config"
    assert environ["HOME"] == "/h" and "127.0.0.1" in environ["NO_PROXY"]


def test_port_defaults_to_3000_and_rejects_nonsense() -> None:
    assert playground_port(None) == 3000 and playground_port("8080") == 8080 and playground_port("0") == 0
    with pytest.raises(ValueError, match="PORT"):
        playground_port("http")


def test_tracking_executor_waits_for_work_started_by_work() -> None:
    runner = TrackingExecutor(max_workers=2)
    done: list[str] = []
    release = threading.Event()

    def inner() -> None:
        release.wait(5)
        done.append("inner")

    runner.submit(lambda: runner.submit(inner))
    assert runner.wait_idle(0.2) is False
    release.set()

    assert runner.wait_idle(5) is True and done == ["inner"]
    runner.shutdown()
