"""The HTTP mode as Slack reaches it: signatures, the one path, and bursts of concurrent requests."""

from __future__ import annotations

import io
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from slack_sdk.signature import SignatureVerifier

from http_server import MAX_BODY_BYTES, HttpServer, wsgi_app
from playground import personas
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
    headers = personas.signed_headers(secret, body, timestamp=timestamp)
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback test server)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def command_body(user: str, text: str) -> str:
    return personas.command_body(
        user, text, channel="C1", response_url="http://127.0.0.1:9/none", trigger_id="t", team=TEAM
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


# --- bodies Slack never sends: refused before they are read --------------------------------------------


def raw_request(server: str, head: str, body: bytes = b"", *, timeout: float = 5) -> tuple[int, float]:
    """Send `head` (and `body`) on a bare socket; the status of the answer and how long it took."""
    host, port = server.removeprefix("http://").split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(head.encode() + b"\r\n" + body)
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return int(answer.split(b" ", 2)[1]), time.monotonic() - started


def signed_headers(body: str = "", *, timestamp: int | None = None) -> str:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=ts, body=body)
    return f"X-Slack-Request-Timestamp: {ts}\r\nX-Slack-Signature: {signature}\r\n"


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
def test_a_256_mib_content_length_gets_413_before_the_body_is_sent(server: str, bot: Bot, signed: bool) -> None:
    head = (
        "POST /slack/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {256 * 1024 * 1024}\r\n{signed_headers() if signed else ''}"
    )

    # Only the headers and 5 bytes go out: an answer proves the server did not wait for (or read) the rest.
    status, elapsed = raw_request(server, head, b"a=b&c")

    assert status == 413 and elapsed < 2
    assert bot.store.latest_for(DEV) is None


def test_a_chunked_body_over_the_limit_gets_413(server: str, bot: Bot) -> None:
    chunk = b"a" * (256 * 1024)
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(5)) + b"0\r\n\r\n"
    head = (
        "POST /slack/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Transfer-Encoding: chunked\r\n{signed_headers()}"
    )

    status, _ = raw_request(server, head, chunks)

    assert status == 413


def test_a_request_without_slacks_signature_headers_gets_401(server: str, bot: Bot) -> None:
    body = command_body(DEV, "request x").encode()
    request = urllib.request.Request(f"{server}/slack/events", data=body, method="POST")  # noqa: S310
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310 (loopback test server)

    assert refused.value.code == 401
    assert bot.store.latest_for(DEV) is None


@pytest.mark.parametrize(
    "body",
    [
        "payload=%5B1%2C2%5D",  # payload=[1,2]
        "payload=%7B%7D",  # payload={}
        "payload=null",
        "payload=%22text%22",
        "payload=1",
        "",
        "%FF%FE=%FF",
    ],
)
def test_signed_bodies_bolt_cannot_route_are_acknowledged_and_change_nothing(server: str, bot: Bot, body: str) -> None:
    status, text = post(f"{server}/slack/events", body)

    assert status == 200 and "Traceback" not in text
    assert not [c for c in bot.slack.calls if c.method != "auth.test"]
    assert bot.store.latest_for(DEV) is None


@pytest.mark.parametrize("body", ["[1,2]", "{}", "null", '"x"'])
def test_signed_json_bodies_bolt_cannot_route_are_acknowledged(server: str, bot: Bot, body: str) -> None:
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=ts, body=body),
    }
    request = urllib.request.Request(f"{server}/slack/events", data=body.encode(), headers=headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback test server)
        assert response.status == 200
    assert not [c for c in bot.slack.calls if c.method != "auth.test"]


# --- the WSGI application alone: what it refuses without touching the body ----------------------------


class UnreadableBody(io.RawIOBase):
    """A request body that fails the test if anyone reads it."""

    def read(self, size: int = -1) -> bytes:
        pytest.fail("the body was read")


class EndlessBody(io.RawIOBase):
    """A body of unknown length that never ends; counts what was read."""

    def __init__(self) -> None:
        self.consumed = 0

    def read(self, size: int = -1) -> bytes:
        assert size >= 0, "an unbounded read"
        self.consumed += size
        return b"a" * size


def call_wsgi(bot: Bot, environ: dict[str, object]) -> str:
    statuses: list[str] = []
    application = wsgi_app(bot.app, SIGNING_SECRET)
    b"".join(
        application(
            {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", **environ}, lambda s, h: statuses.append(s)
        )
    )
    return statuses[0]


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"CONTENT_LENGTH": str(256 * 1024 * 1024)}, "413"),
        (
            {
                "CONTENT_LENGTH": str(MAX_BODY_BYTES + 1),
                **{"HTTP_X_SLACK_SIGNATURE": "v0=x", "HTTP_X_SLACK_REQUEST_TIMESTAMP": "1"},
            },
            "413",
        ),
        ({"CONTENT_LENGTH": "10"}, "401"),
        ({"CONTENT_LENGTH": "10", "HTTP_X_SLACK_SIGNATURE": "v0=x"}, "401"),
        ({"CONTENT_LENGTH": "10", "HTTP_X_SLACK_REQUEST_TIMESTAMP": "now"}, "401"),
        ({"CONTENT_LENGTH": "10", "HTTP_X_SLACK_SIGNATURE": "v0=x", "HTTP_X_SLACK_REQUEST_TIMESTAMP": "stale"}, "401"),
        ({"CONTENT_LENGTH": "10", "HTTP_X_SLACK_SIGNATURE": "v0=x", "HTTP_X_SLACK_REQUEST_TIMESTAMP": "future"}, "401"),
        (
            {
                "CONTENT_LENGTH": "10",
                "HTTP_X_SLACK_SIGNATURE": "v0=x",
                "HTTP_X_SLACK_REQUEST_TIMESTAMP": "\u0661\u0662",
            },
            "401",
        ),
        ({"CONTENT_LENGTH": "\u0661\u0662"}, "400"),
    ],
    ids=[
        "256-MiB",
        "1-MiB-plus-one",
        "no-signature-headers",
        "no-timestamp",
        "timestamp-not-a-number",
        "stale",
        "future",
        "timestamp-in-arabic-indic-digits",
        "content-length-in-arabic-indic-digits",
    ],
)
def test_oversized_unsigned_or_stale_requests_are_refused_without_reading_the_body(
    bot: Bot, headers: dict[str, str], status: str
) -> None:
    now = int(time.time())
    timestamps = {"stale": str(now - 301), "future": str(now + 301)}
    ts = headers.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
    environ = {**headers, "wsgi.input": UnreadableBody()}
    if ts in timestamps:
        environ["HTTP_X_SLACK_REQUEST_TIMESTAMP"] = timestamps[ts]

    assert call_wsgi(bot, environ).startswith(status)


def test_a_body_of_unknown_length_is_read_at_most_one_byte_past_the_limit(bot: Bot) -> None:
    body = EndlessBody()

    status = call_wsgi(bot, {"wsgi.input": body, "wsgi.input_terminated": True, **_signed_environ()})

    assert status.startswith("413")
    assert body.consumed == MAX_BODY_BYTES + 1


def _signed_environ() -> dict[str, str]:
    ts = str(int(time.time()))
    return {
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": ts,
        "HTTP_X_SLACK_SIGNATURE": SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=ts, body=""),
    }


def test_a_signed_body_of_exactly_the_limit_is_not_refused_for_its_size(server: str) -> None:
    status, _ = post(f"{server}/slack/events", "a=" + "x" * (MAX_BODY_BYTES - 2))

    assert status == 200


@pytest.mark.parametrize("body", ["", "payload=%7B%7D", "a=b"])
def test_signed_payloads_no_listener_handles_are_acknowledged_not_404(bot: Bot, body: str) -> None:
    response = bot.dispatch(body)

    assert response.status == 200
    assert not [c for c in bot.slack.calls if c.method != "auth.test"]
