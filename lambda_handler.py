"""AWS Lambda entry point (template.yaml: `lambda_handler.handler`).

One function serves three kinds of event:
- Slack's requests through the Function URL (or an API Gateway HTTP API): refused before Bolt if oversized,
  unsigned or stale (the same checks as http_server.py), then Bolt's AWS Lambda adapter. The listener only
  acknowledges; Bolt runs the slow half (a lazy listener) by invoking this function again, asynchronously, with
  the same event and two `x-slack-bolt-lazy-*` headers.
- EventBridge's `{"amplify_dev": "sweep"}` every minute and `{"amplify_dev": "reconcile"}` every hour.

Inside Lambda (AWS_LAMBDA_FUNCTION_NAME set) settings, the Slack secret, the clients and the app are built when
this module is imported: that is Lambda's init phase, which SnapStart snapshots. Anywhere else importing it costs
nothing and needs no settings; the bot is built on the first event. Only what an ack needs is built then (Bolt,
the signature check, the Lambda client for the self-invocation): the workflow (IAM, Identity Center, the store,
every flow) is imported and built on its first use, usually in the lazy half (bot.LazyRouter).

With SnapStart, one snapshot starts many containers: `after_restore` gives each its own HTTP connections and
random state, and reads the secret again (the snapshot's copy may be days old).
"""

from __future__ import annotations

import base64
import logging
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_sdk.signature import SignatureVerifier

from http_server import is_routable, refusal_from_headers

if TYPE_CHECKING:
    from clients import AwsClients
    from workflow import Router

logger = logging.getLogger("amplify-dev")

LAMBDA_NAME = "AWS_LAMBDA_FUNCTION_NAME"  # set by the Lambda runtime, in the function's environment

SCHEDULE_KEY = "amplify_dev"
LAZY_HEADERS = ("x-slack-bolt-lazy-only", "x-slack-bolt-lazy-function-name")


class LambdaBot:
    """The app behind Bolt's Lambda adapter, the scheduled sweep, and the checks made before Bolt sees anything."""

    def __init__(
        self,
        app: App,
        router: Router,
        signing_secret: str,
        *,
        clock: Callable[[], float] = time.time,
        lambda_client: Any = None,
    ) -> None:
        from slack_bolt.adapter.aws_lambda import SlackRequestHandler

        self.app = app
        self.router = router
        # Its constructor puts Bolt's LambdaLazyListenerRunner on the app (lazy listeners become self-invocations).
        self.slack = SlackRequestHandler(app)
        if lambda_client is not None:  # made now, in the init phase, rather than inside the first ack
            app.listener_runner.lazy_listener_runner.lambda_client = lambda_client
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


@dataclass
class SlackSecret:
    """The Slack tokens as read from Secrets Manager, and when (time.monotonic(): a restored snapshot's readings
    are another machine's clock, so the restore hook reads the secret again instead of trusting its age)."""

    arn: str
    values: dict[str, str]
    read_at: float

    @property
    def age(self) -> float:
        """Seconds since the value was read."""
        return time.monotonic() - self.read_at


@dataclass
class Container:
    """What one Lambda container built in its init phase."""

    bot: LambdaBot
    aws: AwsClients
    secret: SlackSecret | None


INIT_STEPS: list[tuple[str, float]] = []  # (step, seconds) of this container's build: the log and the benchmark


def build_from_environment() -> Container:
    """Settings (with the Slack secret, if configured), logging, clients and the app: once per container."""
    steps: list[tuple[str, float]] = []
    mark = time.perf_counter()

    def step(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        steps.append((name, now - mark))
        mark = now

    from bot import build_lambda_app
    from clients import AwsClients
    from logging_setup import configure_logging, quiet_libraries
    from settings import SECRET_ARN_SETTING, load_settings
    from settings.slack_secret import read_slack_secret

    step("import bot")
    aws = AwsClients()
    secret = None
    environ = dict(os.environ)  # no .env on Lambda: everything comes from the function's environment
    arn = environ.get(SECRET_ARN_SETTING, "").strip()
    if arn:
        secret = SlackSecret(arn, read_slack_secret(arn, aws.client("secretsmanager")), time.monotonic())
        environ = {**secret.values, **{k: v for k, v in environ.items() if v.strip() and k != SECRET_ARN_SETTING}}
    step("read the Slack secret")
    settings = load_settings(environ)
    configure_logging(settings.log_level, settings.log_format, inside_lambda=bool(os.environ.get(LAMBDA_NAME)))
    quiet_libraries()  # Bolt's Lambda adapter logs whole events (response_url included) at DEBUG
    step("settings")
    app, router = build_lambda_app(settings, aws)
    step("Bolt app (auth.test)")
    lambda_client = aws.client("lambda")
    step("Lambda client")
    bot = LambdaBot(app, router, settings.slack_signing_secret, lambda_client=lambda_client)
    step("Lambda adapter")
    INIT_STEPS[:] = steps
    logger.info(
        "built in %.0f ms: %s", sum(s for _, s in steps) * 1000, ", ".join(f"{n} {t * 1000:.0f} ms" for n, t in steps)
    )
    return Container(bot, aws, secret)


_container: Container | None = None
_bot: LambdaBot | None = None
_building = threading.Lock()


def current() -> LambdaBot:
    """This container's bot, built on the first invocation (outside Lambda) and kept for the next ones."""
    global _bot, _container
    if _bot is None:
        with _building:
            if _bot is None:
                _container = build_from_environment()
                _bot = _container.bot
    return _bot


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda's entry point."""
    return current()(event, context)


def before_snapshot() -> None:
    """SnapStart, before the snapshot: no open connection goes into it."""
    if _container is not None:
        _container.aws.close_connections()


def after_restore() -> None:
    """SnapStart, in each restored copy: its own connections and random state, and the secret read afresh.

    Request ids and passwords come from `secrets` (the OS's randomness, never in a snapshot); `random` (botocore's
    and slack_sdk's retry jitter) would repeat the snapshot's sequence in every copy. A secret changed since the
    snapshot (tokens rotated) rebuilds the bot.
    """
    global _bot, _container
    random.seed()
    if _container is None:
        return
    _container.aws.close_connections()
    secret = _container.secret
    if secret is None:
        return
    from settings.slack_secret import read_slack_secret

    values = read_slack_secret(secret.arn, _container.aws.client("secretsmanager"))
    if values == secret.values:
        secret.read_at = time.monotonic()
        return
    logger.info("the Slack secret changed since the snapshot: rebuilding")
    with _building:
        _container = build_from_environment()
        _bot = _container.bot


if os.environ.get(LAMBDA_NAME):  # inside Lambda: this import is the init phase
    from snapshot_restore_py import register_after_restore, register_before_snapshot

    current()
    register_before_snapshot(before_snapshot)
    register_after_restore(after_restore)
