"""The HTTP side of the fake Slack Web API: a threaded server on loopback and Slack's way of reading parameters."""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl

# slack_sdk sends these as JSON strings inside form bodies; tests want to assert on their structure.
JSON_ENCODED_PARAMS = ("blocks", "attachments", "view", "metadata")

Params = dict[str, Any]
Reply = tuple[int, dict[str, str], dict[str, Any]]


class HttpHandled(Protocol):
    """What the server hands each request to (FakeSlack)."""

    def _handle_http(self, verb: str, raw_path: str, content_type: str, headers: Any, body: bytes) -> Reply: ...


class Startable(Protocol):
    """What serve_until_signalled() runs (FakeSlack or a subclass)."""

    @property
    def url(self) -> str: ...

    def stop(self) -> None: ...


def error(code: str) -> dict[str, Any]:
    """A Web API error answer."""
    return {"ok": False, "error": code}


class FakeSlackServer(ThreadingHTTPServer):
    """One thread per request, so a delayed answer (fail(delay=...)) does not hold up the others."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], fake: HttpHandled) -> None:
        """Bind `address` and hand every request to `fake`."""
        super().__init__(address, _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet about clients that gave up: a timed-out client (see fail(delay=...)) is expected."""
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: FakeSlackServer

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        """Serve a GET request."""
        self._serve()

    def do_POST(self) -> None:
        """Serve a POST request."""
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, payload = self.server.fake._handle_http(
            self.command, self.path, self.headers.get("Content-Type", ""), self.headers, body
        )
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def parse_params(query: str, content_type: str, body: bytes) -> Params:
    """Merge query-string, form and JSON parameters the way Slack reads them."""
    params: Params = dict(parse_qsl(query, keep_blank_values=True))
    text = body.decode("utf-8") if body else ""
    if text:
        # A form body never starts with "{"; this also lets `curl -d '{...}'` drive the control endpoints.
        if "json" in content_type or text.lstrip().startswith("{"):
            decoded = json.loads(text)
            if isinstance(decoded, dict):
                params.update(decoded)
        else:
            params.update(parse_qsl(text, keep_blank_values=True))
    for key in JSON_ENCODED_PARAMS:
        value = params.get(key)
        if isinstance(value, str):
            # A string that is not JSON stays as sent, so a test asserting on it shows the bad value.
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer ...` header, if any."""
    if not authorization or not authorization.lower().startswith("bearer "):
        return None
    return authorization[len("bearer ") :].strip() or None


def serve_until_signalled(fake: Startable) -> None:
    """Print `READY <base_url>` and serve until SIGTERM or SIGINT (the fake is already started)."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        print(f"READY {fake.url}", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        fake.stop()
