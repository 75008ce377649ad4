"""AWS Lambda entry point (template.yaml: `lambda_handler.handler`).

One function serves three kinds of event:
- Slack's requests through the Function URL (or an API Gateway HTTP API): refused before Bolt if oversized,
  unsigned or stale (the same checks as http_server.py), then Bolt's AWS Lambda adapter. The listener only
  acknowledges; Bolt runs the slow half (a lazy listener) by invoking this function again, asynchronously, with
  the same event and two `x-slack-bolt-lazy-*` headers.
- EventBridge's `{"amplify_dev": "sweep"}` every minute and `{"amplify_dev": "reconcile"}` every hour.

Settings, clients and the app are built once per container, on the first event (not at import, so importing
this module in a test or a tool costs nothing and needs no settings).
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk.signature import SignatureVerifier

from http_server import is_routable, refusal_from_headers
from workflow import Router

logger = logging.getLogger("amplify-dev")

SCHEDULE_KEY = "amplify_dev"
LAZY_HEADERS = ("x-slack-bolt-lazy-only", "x-slack-bolt-lazy-function-name")


class LambdaBot:
    """The app behind Bolt's Lambda adapter, the scheduled sweep, and the checks made before Bolt sees anything."""

    def __init__(
        self, app: App, router: Router, signing_secret: str, *, clock: Callable[[], float] = time.time
    ) -> None:
        from slack_bolt.adapter.aws_lambda import SlackRequestHandler

        self.app = app
        self.router = router
        # Its constructor puts Bolt's LambdaLazyListenerRunner on the app (lazy listeners become self-invocations).
        self.slack = SlackRequestHandler(app)
        self._verifier = SignatureVerifier(signing_secret)
        self._clock = clock

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        """Route one invocation: a schedule, or an HTTP event (Slack's, or the lazy half of one)."""
        job = event.get(SCHEDULE_KEY)
        if job in ("sweep", "reconcile"):
            self.router.sweep(reconcile=job == "reconcile")
            return {"ok": True, "job": job}
        if not isinstance(event.get("requestContext"), dict):
            logger.warning("ignored an invocation that is neither Slack's request nor a schedule")
            return {"statusCode": 400, "body": ""}
        return self.http(event, context)

    def http(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        """A Function URL / HTTP API event: refuse what Slack never sends, hand the rest to Bolt."""
        headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items() if isinstance(v, str)}
        lazy = event.get("method") == "NONE"  # set only by Bolt's self-invocation, never by a Function URL
        if not lazy:
            # A client may not ask for a lazy listener alone (skipping its ack and its checks).
            headers = {k: v for k, v in headers.items() if k not in LAZY_HEADERS}
        method = ((event["requestContext"].get("http") or {}).get("method")) or event["requestContext"].get(
            "httpMethod"
        )
        if method != "POST":
            return answer(404)
        raw = event.get("body") or ""
        try:
            body = base64.b64decode(raw, validate=True) if event.get("isBase64Encoded") else raw.encode("utf-8")
        except ValueError:
            return answer(400)
        refusal = refusal_from_headers(
            str(len(body)),
            headers.get("x-slack-signature", ""),
            headers.get("x-slack-request-timestamp", ""),
            self._clock(),
        )
        if refusal:
            if lazy:  # the sweep finds what this lazy run would have done (workflow/upkeep.py: STALLED_AFTER)
                logger.warning("refused the lazy half of a Slack request: %s; the sweep will finish it", refusal[1])
            else:
                logger.warning("refused a Lambda HTTP request: %s", refusal[1])
            return answer(int(refusal[0].split()[0]))
        if not self._verifier.is_valid_request(body, headers):
            return answer(401)
        if not is_routable(body, headers.get("content-type")):
            logger.warning("ignored a signed request body Bolt cannot route")
            return answer(200)
        forwarded = {**event, "headers": headers, "body": body.decode("utf-8"), "isBase64Encoded": False}
        return self.slack.handle(forwarded, context)


def answer(status: int) -> dict[str, Any]:
    """An empty HTTP answer in the Function URL / HTTP API response format."""
    return {"statusCode": status, "body": "", "headers": {"Content-Type": "text/plain"}}


def build_from_environment() -> LambdaBot:
    """Settings (with the Slack secret, if configured), logging, clients and the app: once per container."""
    from bot import build
    from logging_setup import configure_logging, quiet_libraries
    from settings import load_settings

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    quiet_libraries()  # Bolt's Lambda adapter logs whole events (response_url included) at DEBUG
    app, _runner, _store, router = build(settings)
    return LambdaBot(app, router, settings.slack_signing_secret)


_bot: LambdaBot | None = None
_building = threading.Lock()


def current() -> LambdaBot:
    """This container's bot, built on the first invocation and kept for the next ones."""
    global _bot
    if _bot is None:
        with _building:
            if _bot is None:
                _bot = build_from_environment()
    return _bot


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda's entry point."""
    return current()(event, context)
