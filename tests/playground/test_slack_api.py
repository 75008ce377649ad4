"""The fake Slack Web API behaves like Slack for the real slack_sdk and Bolt clients."""

import hashlib
import hmac
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.error import URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest
from slack_bolt import Ack, App, BoltRequest, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from playground.slack_api import FakeSlack

REPO_ROOT = Path(__file__).resolve().parents[2]
TOKEN = "xoxb-test-token"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """A running fake, stopped after the test."""
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    """A real WebClient pointed at the fake."""
    return WebClient(token=TOKEN, base_url=slack.url)


def test_auth_test_answers_with_the_configured_identity() -> None:
    with FakeSlack(team_id="T9", bot_user_id="U9BOT", bot_id="B9") as slack:
        response = WebClient(token=TOKEN, base_url=slack.url).auth_test()

    assert (response["team_id"], response["user_id"], response["bot_id"]) == ("T9", "U9BOT", "B9")
    assert slack.calls_to("auth.test")[0].token == TOKEN


def test_post_message_records_json_blocks_and_returns_increasing_ts(slack: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "approve?"}}]

    first = client.chat_postMessage(channel="C1", text="approve?", blocks=blocks)
    second = client.chat_postMessage(channel="C1", text="again")

    assert first["channel"] == "C1"
    assert first["message"]["blocks"] == blocks
    assert float(second["ts"]) > float(first["ts"])
    recorded = slack.calls_to("chat.postMessage")[0]
    assert recorded.params["blocks"] == blocks
    assert recorded.token == TOKEN


def test_form_encoded_blocks_are_parsed_from_their_json_string(slack: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "divider"}]

    client.api_call("chat.postMessage", params={"channel": "C1", "blocks": json.dumps(blocks)})

    assert slack.calls_to("chat.postMessage")[0].params["blocks"] == blocks


def test_update_ephemeral_delete_and_views_answer_like_slack(slack: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C1", text="pending")

    updated = client.chat_update(channel="C1", ts=posted["ts"], text="approved")
    ephemeral = client.chat_postEphemeral(channel="D1", user="U1", text="secret")
    client.chat_delete(channel="C1", ts=posted["ts"])
    view = client.views_open(trigger_id="t1", view={"type": "modal", "title": {"type": "plain_text", "text": "x"}})

    assert (updated["ts"], updated["text"]) == (posted["ts"], "approved")
    assert ephemeral["message_ts"]
    assert view["view"]["id"].startswith("V")
    assert view["view"]["type"] == "modal"
    assert slack.calls_to("views.open")[0].params["view"]["type"] == "modal"


def test_conversations_open_returns_the_users_dm(client: WebClient) -> None:
    assert client.conversations_open(users="U123")["channel"]["id"] == "DU123"


def test_users_info_returns_added_user_and_rejects_unknown(slack: FakeSlack, client: WebClient) -> None:
    slack.add_user("U1", name="alice", real_name="Alice Liddell", display_name="al")

    user = client.users_info(user="U1")["user"]

    assert (user["name"], user["team_id"], user["deleted"]) == ("alice", "T0TEAM", False)
    assert user["profile"] == {"real_name": "Alice Liddell", "display_name": "al"}
    with pytest.raises(SlackApiError) as raised:
        client.users_info(user="U404")
    assert raised.value.response["error"] == "user_not_found"


def test_usergroup_members_and_unknown_group(slack: FakeSlack, client: WebClient) -> None:
    slack.set_usergroup("S1", ["U1", "U2"])

    assert client.usergroups_users_list(usergroup="S1")["users"] == ["U1", "U2"]
    with pytest.raises(SlackApiError) as raised:
        client.usergroups_users_list(usergroup="S404")
    assert raised.value.response["error"] == "no_such_subteam"


def test_missing_token_and_unknown_method_are_refused(slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as not_authed:
        WebClient(base_url=slack.url).chat_postMessage(channel="C1", text="hi")
    with pytest.raises(SlackApiError) as unknown:
        WebClient(token=TOKEN, base_url=slack.url).api_call("files.nothing")

    assert not_authed.value.response["error"] == "not_authed"
    assert unknown.value.response["error"] == "unknown_method"


def test_fail_with_error_raises_once_and_is_still_recorded(slack: FakeSlack, client: WebClient) -> None:
    slack.fail("chat.postMessage", error="channel_not_found")

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="first")
    client.chat_postMessage(channel="C1", text="second")

    assert raised.value.response["error"] == "channel_not_found"
    assert [call.params["text"] for call in slack.calls_to("chat.postMessage")] == ["first", "second"]


def test_rate_limit_is_retried_by_slack_sdk_retry_handler(slack: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=slack.url, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    slack.fail("chat.update", status=429, retry_after=1)

    started = time.monotonic()
    response = client.chat_update(channel="C1", ts="1700000000.000100", text="approved")

    assert response["ok"] is True
    assert len(slack.calls_to("chat.update")) == 2
    assert time.monotonic() - started >= 1.0  # the handler honoured Retry-After


def test_rate_limit_without_retry_handler_raises_ratelimited(slack: FakeSlack, client: WebClient) -> None:
    slack.fail("chat.postMessage", status=429, retry_after=7)

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="hi")

    assert raised.value.response.status_code == 429
    assert raised.value.response["error"] == "ratelimited"
    assert raised.value.response.headers["Retry-After"] == "7"


def test_delay_makes_a_client_with_a_short_timeout_give_up(slack: FakeSlack) -> None:
    slack.fail("users.info", delay=2.0)
    impatient = WebClient(token=TOKEN, base_url=slack.url, timeout=0.2)

    with pytest.raises((TimeoutError, URLError)):
        impatient.users_info(user="U1")

    assert len(slack.calls_to("users.info")) == 1


def test_response_url_posts_are_recorded_with_their_key(slack: FakeSlack) -> None:
    WebhookClient(slack.response_url("cmd-1")).send(text="working on it", replace_original=False)

    (call,) = slack.calls_to("response_url")
    assert call.params == {"text": "working on it", "replace_original": False, "_key": "cmd-1"}
    assert call.token is None


def test_wait_for_returns_once_another_thread_has_called(slack: FakeSlack, client: WebClient) -> None:
    worker = threading.Timer(0.1, lambda: client.chat_postMessage(channel="C1", text="later"))
    worker.start()

    calls = slack.wait_for("chat.postMessage", timeout=5)

    worker.join()
    assert calls[0].params["text"] == "later"


def test_wait_for_times_out_listing_what_was_called(slack: FakeSlack, client: WebClient) -> None:
    client.auth_test()

    with pytest.raises(AssertionError, match=r"chat\.postMessage.*auth\.test"):
        slack.wait_for("chat.postMessage", timeout=0.2)


def test_reset_clears_calls_and_failures_but_keeps_users(slack: FakeSlack, client: WebClient) -> None:
    slack.add_user("U1", name="alice")
    slack.fail("users.info", error="ratelimited")
    client.auth_test()

    slack.reset()

    assert client.users_info(user="U1")["user"]["name"] == "alice"
    assert [call.method for call in slack.calls] == ["users.info"]


def _sign(secret: str, body: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    base = f"v0:{timestamp}:{body}".encode()
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": signature,
    }


def test_bolt_app_acks_then_its_listener_reaches_the_fake(slack: FakeSlack) -> None:
    app = App(client=WebClient(token=TOKEN, base_url=slack.url), token=TOKEN, signing_secret="shh", logger=None)

    @app.command("/amplify-dev")
    def _command(ack: Ack, respond: Respond, client: WebClient) -> None:
        ack()
        respond("received")
        client.chat_postMessage(channel="C1", text="done")

    body = urlencode(
        {
            "command": "/amplify-dev",
            "text": "help",
            "team_id": "T0TEAM",
            "user_id": "U1",
            "channel_id": "C1",
            "response_url": slack.response_url("cmd"),
            "trigger_id": "t1",
        }
    )
    response = app.dispatch(BoltRequest(body=body, headers=_sign("shh", body)))

    assert response.status == 200
    assert slack.wait_for("response_url")[0].params["text"] == "received"
    assert slack.wait_for("chat.postMessage")[0].params["text"] == "done"
    assert len(slack.calls_to("auth.test")) >= 1  # Bolt verified the token against the fake


def _control(url: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    """GET a control endpoint of the standalone fake, or POST `payload` to it as JSON."""
    data = None if payload is None else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    request = Request(url, data=data, headers=headers, method="GET" if data is None else "POST")  # noqa: S310
    with urlopen(request, timeout=5) as reply:  # noqa: S310 - local server
        return json.load(reply)


def test_standalone_process_prints_ready_and_reports_counts() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "playground.slack_api", "--port", "0"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready, base_url = process.stdout.readline().split()
        root = base_url.removesuffix("/api/")
        client = WebClient(token=TOKEN, base_url=base_url)

        _control(root + "/_users", {"id": "U1", "name": "alice"})
        seeded_name = client.users_info(user="U1")["user"]["name"]
        client.chat_postMessage(channel="C1", text="one")
        client.chat_postMessage(channel="C1", text="two")
        client.auth_test()
        report = _control(root + "/_calls")
        _control(root + "/_reset", {})
        after_reset = _control(root + "/_calls")
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()

    assert ready == "READY"
    assert seeded_name == "alice"
    assert report["counts"] == {"users.info": 1, "chat.postMessage": 2, "auth.test": 1}
    assert report["calls"][1]["params"]["text"] == "one"
    assert after_reset == {"counts": {}, "calls": []}
    assert process.returncode == 0  # SIGTERM is a clean shutdown
