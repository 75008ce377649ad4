"""The HTTP mode as Slack reaches it: signatures, the one path, and bursts of concurrent requests."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier

from bot import HttpServer
from tests.conftest import DEV, SIGNING_SECRET, TEAM, Bot


@pytest.fixture
def server(bot: Bot) -> Iterator[str]:
    srv = HttpServer(bot.app, SIGNING_SECRET, "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.port}"
    srv.stop()
    thread.join(timeout=5)
    assert not thread.is_alive()


def post(url: str, body: str, *, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> tuple[int, str]:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=ts, body=body),
    }
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback test server)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def command_body(user: str, text: str) -> str:
    return urlencode(
        {
            "team_id": TEAM,
            "user_id": user,
            "command": "/amplify-dev",
            "text": text,
            "channel_id": "C1",
            "response_url": "http://127.0.0.1:9/none",
            "trigger_id": "t",
        }
    )


def test_signed_command_is_answered_at_slack_events(server: str) -> None:
    status, body = post(f"{server}/slack/events", command_body(DEV, "help"))
    assert status == 200 and "/amplify-dev request" in body


def test_bad_signature_gets_401_and_does_nothing(server: str, bot: Bot) -> None:
    status, _ = post(f"{server}/slack/events", command_body(DEV, "request x"), secret="wrong-secret")
    assert status == 401
    assert bot.store.latest_for(DEV) is None


def test_stale_signature_gets_401(server: str, bot: Bot) -> None:
    status, _ = post(f"{server}/slack/events", command_body(DEV, "request x"), timestamp=int(time.time()) - 600)
    assert status == 401
    assert bot.store.latest_for(DEV) is None


def test_other_paths_are_not_slack(server: str) -> None:
    status, _ = post(f"{server}/other", command_body(DEV, "help"))
    assert status == 404
    with urllib.request.urlopen(f"{server}/healthz", timeout=5) as response:  # noqa: S310
        assert response.status == 200


def test_fifty_concurrent_requests_are_all_answered(server: str) -> None:
    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(
            pool.map(lambda i: post(f"{server}/slack/events", command_body(f"U{i:05d}", "status")), range(50))
        )
    assert [status for status, _ in results] == [200] * 50
    assert all("no amplify-dev access" in body for _, body in results)


@pytest.mark.parametrize("body", ["payload=not-json", "payload=%7Bbroken"])
def test_malformed_signed_body_is_acknowledged_without_a_500(server: str, bot: Bot, body: str) -> None:
    status, text = post(f"{server}/slack/events", body)
    assert status == 200 and "Traceback" not in text
    assert not [c for c in bot.slack.calls if c.method != "auth.test"]


def test_malformed_unsigned_body_gets_401(server: str) -> None:
    status, _ = post(f"{server}/slack/events", "payload=not-json", secret="wrong")
    assert status == 401
