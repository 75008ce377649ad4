"""HTTP mode: waitress serving Bolt's WSGI adapter at POST /slack/events, refusing what Slack never sends.

What comes in over HTTP is refused as early and as cheaply as possible, before Bolt reads or parses it:
a body over MAX_BODY_BYTES (413: Slack's payloads are a few KiB), a request without Slack's signature headers
or with a timestamp outside Slack's 5-minute window (401), and a signed body Bolt could not route (200, ignored).
"""

from __future__ import annotations

import errno
import io
import logging
import re
import signal
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App, BoltRequest
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier

logger = logging.getLogger("amplify-dev")

SLACK_PATH = "/slack/events"
HTTP_THREADS = 8
MAX_BODY_BYTES = 1024 * 1024
SIGNATURE_WINDOW_SECONDS = 5 * 60  # what Slack documents and Bolt's verifier enforces

_DIGITS = re.compile(r"[0-9]{1,15}", re.ASCII)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class PortInUse(Exception):
    """The port to listen on is taken (or not ours to take): the message says which, and how to pick another."""

    def __init__(self, host: str, port: int, reason: str) -> None:
        """`reason` is the operating system's word for it."""
        super().__init__(f"port {port} on {host} is {reason}")
        self.host, self.port = host, port


def refusal_from_headers(length: str, signature: str, timestamp: str, now: float) -> tuple[str, str] | None:
    """(status, reason) if a request must be refused from its length and Slack's headers alone (HTTP and Lambda)."""
    if length and not _DIGITS.fullmatch(length):
        return "400 Bad Request", "bad Content-Length"
    if length and int(length) > MAX_BODY_BYTES:
        return "413 Request Entity Too Large", "body over the limit"
    if not signature or not _DIGITS.fullmatch(timestamp):
        return "401 Unauthorized", "no Slack signature"
    if abs(now - int(timestamp)) > SIGNATURE_WINDOW_SECONDS:
        return "401 Unauthorized", "timestamp outside Slack's 5-minute window"
    return None


def refusal_before_reading(environ: dict[str, Any], now: float) -> tuple[str, str] | None:
    """(status, reason) if the request must be refused from its headers alone, without reading the body."""
    return refusal_from_headers(
        environ.get("CONTENT_LENGTH") or "",
        environ.get("HTTP_X_SLACK_SIGNATURE") or "",
        environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "",
        now,
    )


def read_body(environ: dict[str, Any]) -> bytes | None:
    """The body, read at most once and at most MAX_BODY_BYTES + 1 bytes (None: over the limit), put back for Bolt."""
    length = environ.get("CONTENT_LENGTH") or ""
    stream = environ["wsgi.input"]
    if length:
        body = stream.read(int(length))  # refusal_before_reading has bounded it
    elif environ.get("wsgi.input_terminated"):
        # Unknown length (e.g. chunked, when the server does not de-chunk it): one byte past the limit tells.
        body = stream.read(MAX_BODY_BYTES + 1)
    else:
        body = b""  # PEP 3333: without a length, a stream that is not terminated must not be read
    if len(body) > MAX_BODY_BYTES:
        return None
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))  # Bolt's adapter reads exactly this many bytes
    return body


def is_routable(body: bytes, content_type: str | None) -> bool:
    """Whether Bolt can parse the body into the object its matchers expect (not `[1,2]`, not broken JSON)."""
    try:
        parsed = parse_body(body.decode("utf-8"), (content_type or "").split(";")[0].strip() or None)
    except ValueError:  # broken JSON, bad UTF-8
        return False
    return isinstance(parsed, dict)


def wsgi_app(app: App, signing_secret: str, *, clock: Callable[[], float] = time.time) -> WsgiApp:
    """The WSGI application: Slack at POST /slack/events, a liveness probe at GET /healthz."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse

    slack = SlackRequestHandler(app, path=SLACK_PATH)
    verifier = SignatureVerifier(signing_secret)

    def answer(start_response: Callable[..., Any], status: str) -> list[bytes]:
        start_response(status, [("Content-Type", "text/plain")])
        return [b""]

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
        if path == "/healthz" and method == "GET":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        if path != SLACK_PATH or method != "POST":
            return slack(environ, start_response)  # its 404, without reading the body
        refusal = refusal_before_reading(environ, clock())
        if refusal:
            logger.warning("refused an HTTP request: %s", refusal[1])
            return answer(start_response, refusal[0])
        body = read_body(environ)
        if body is None:
            logger.warning("refused an HTTP request: body over the limit")
            return answer(start_response, "413 Request Entity Too Large")
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if not verifier.is_valid_request(body, headers):
            return answer(start_response, "401 Unauthorized")
        for name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(name):
                headers[name.lower().replace("_", "-")] = environ[name]
        try:
            # Parsed once, here (Bolt's WSGI adapter would parse it again after a routability check had).
            request = BoltRequest(body=body.decode("utf-8"), query=environ.get("QUERY_STRING", ""), headers=headers)
        except (ValueError, AttributeError, TypeError):  # broken JSON or UTF-8, or not an object (`[1,2]`, `null`)
            # Bolt cannot route it (a 500 with a stack trace); signed, so Slack's: acknowledge and ignore.
            logger.warning("ignored a signed request body Bolt cannot route")
            return answer(start_response, "200 OK")
        response = app.dispatch(request)
        wsgi_response = WsgiHttpResponse(status=response.status, headers=response.headers, body=response.body)
        start_response(wsgi_response.status, wsgi_response.get_headers())
        return wsgi_response.get_body()

    return application


class HttpServer:
    """waitress serving the app: threaded, with a deep listen backlog, and a clean stop() for SIGTERM and tests."""

    def __init__(
        self,
        app: App,
        signing_secret: str,
        host: str,
        port: int,
        *,
        threads: int = HTTP_THREADS,
        wrap: Callable[[WsgiApp], WsgiApp] | None = None,
    ) -> None:
        """Bind host:port; `wrap` may put another WSGI app in front of the bot's (the playground's page)."""
        from waitress.server import create_server

        # Bolt's built-in server is single-threaded with a backlog of 5; waitress queues bursts instead.
        # waitress buffers a whole body before calling the app: its own limit answers 413 from the Content-Length
        # alone, and stops reading a chunked body one byte past the limit.
        application = wsgi_app(app, signing_secret)
        try:
            self._server = create_server(
                wrap(application) if wrap else application,
                host=host,
                port=port,
                threads=threads,
                backlog=1024,
                ident="amplify-dev",
                max_request_body_size=MAX_BODY_BYTES + 1,  # waitress refuses a body of this size or more
            )
        except OSError as e:
            # Another dev server (Amplify's and React's use 3000) holds it: a sentence, not a traceback.
            if e.errno == errno.EADDRINUSE:
                raise PortInUse(host, port, "already in use by another program") from None
            if e.errno == errno.EACCES:
                raise PortInUse(host, port, "reserved (below 1024: only root may listen there)") from None
            raise
        self._stopping = threading.Event()

    @property
    def port(self) -> int:
        """The port actually bound (useful with port 0)."""
        return int(self._server.effective_port)

    def serve_forever(self) -> None:
        """Serve until stop() is called, then let running requests finish."""
        # waitress's own run() loops until KeyboardInterrupt; stepping its loop lets stop() end it cleanly.
        while not self._stopping.is_set():
            self._server.asyncore.loop(timeout=0.2, map=self._server._map, count=1)
        self._server.task_dispatcher.shutdown()
        self._server.close()

    def stop(self) -> None:
        """Ask serve_forever() to return."""
        self._stopping.set()


def serve_http(app: App, signing_secret: str, port: int, host: str = "0.0.0.0") -> None:  # noqa: S104
    """Serve HTTP until SIGTERM or Ctrl-C (on every interface: Slack must reach it)."""
    server = HttpServer(app, signing_secret, host, port)
    signal.signal(signal.SIGTERM, lambda *_: server.stop())
    logger.info("listening for Slack on http://%s:%s%s", host, server.port, SLACK_PATH)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.stop()
