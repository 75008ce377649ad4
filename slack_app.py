"""The Bolt app: every listener registered on one App, with the checks made before Bolt's own matchers.

bot.py builds the clients and the router and hands them here; nothing here does I/O except Bolt's one auth.test.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

import handlers
from handlers import ack_is_empty
from handlers.guards import OwnWorkspace, is_well_formed
from logging_setup import quiet_libraries
from settings import Settings
from settings.projects import load_projects

if TYPE_CHECKING:  # on Lambda the workflow is imported on first use, after the ack (bot.LazyRouter)
    from workflow import Router

logger = logging.getLogger("amplify-dev")

BOLT_APP_NAME = "slack_bolt.amplify-dev"
BOLT_APP_LOGGER = "slack_bolt.App"  # Bolt's framework logger, which the app is given


class AmplifyDevApp(App):
    """Bolt's App, dropping malformed payloads before Bolt's own matchers index into them (an IndexError), and, with
    worker processes, acknowledging a payload whose ack is known to be empty before Bolt's middleware runs."""

    def __init__(self, *, signing_secret: str, **kwargs: Any) -> None:
        super().__init__(signing_secret=signing_secret, **kwargs)
        self._verifier = SignatureVerifier(signing_secret)
        self._verifies = kwargs.get("request_verification_enabled", True)
        self.own_workspace = OwnWorkspace()  # create_app replaces it with the one the guards fill in

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        """Dispatch a well-formed request; acknowledge and drop a malformed one, logging only its type."""
        if not is_well_formed(req.body):
            signed = req.mode == "socket_mode" or self._signed(req)
            logger.warning("ignored a malformed %s payload", req.body.get("type") or "command")
            return BoltResponse(status=200 if signed else 401, body="")
        if self._acknowledged_before_listeners(req):
            return BoltResponse(status=200, body="")
        response = super().dispatch(req)
        if response.status == 404:
            # Bolt's answer when no listener matched (e.g. `payload={}` or an empty body), after its signature
            # check: a 404 would make Slack retry or show an error, so acknowledge and ignore it.
            logger.warning("ignored a %s payload no listener handles", req.body.get("type") or "command")
            return BoltResponse(status=200, body="")
        return response

    def _acknowledged_before_listeners(self, req: BoltRequest) -> bool:
        """With worker processes (lazy_workers.py), hand a payload whose ack is known to be empty (a click, an event,
        `/amplify-dev request`...: handlers.ack_is_empty) whole to a worker and acknowledge it now.

        The worker's Bolt runs what this process would have run, middleware, the ack (Show credentials' claim) and
        the lazy listener, in that order: under a burst the acking process's cost per request is then the signature
        check and one queue put, not Bolt's middleware and matchers too (bench/RESULTS.md). A request whose
        signature fails is left to Bolt's own check (its 401): nothing unsigned reaches a worker.
        """
        take_whole = getattr(self.listener_runner.lazy_listener_runner, "take_whole", None)
        if take_whole is None or not ack_is_empty(req.body, self.own_workspace.team_id):
            return False
        if req.mode == "http" and self._verifies and not self._signed(req):
            return False
        take_whole(req)
        return True

    def _signed(self, req: BoltRequest) -> bool:
        headers = {k: (v[0] if isinstance(v, list | tuple) and v else v) for k, v in req.headers.items()}
        return self._verifier.is_valid_request(req.raw_body, headers)


class _TokenFromEnvironment(logging.Filter):
    """Drops Bolt's "As you gave `client` as well, `token` will be unused." (create_app says it when it is true)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


_TOKEN_FILTER = _TokenFromEnvironment()


def warn_if_environment_token_unused(client: WebClient) -> None:
    """Bolt reads SLACK_BOT_TOKEN from the environment whenever it is set, and warns that it goes unused beside our
    client: noise when it is the very token the client carries (the settings read it from there), a real warning
    when it is another one (the bot uses its settings' token, not that one)."""
    bolt_logger = logging.getLogger(BOLT_APP_LOGGER)
    if _TOKEN_FILTER not in bolt_logger.filters:
        bolt_logger.addFilter(_TOKEN_FILTER)
    environment = os.environ.get("SLACK_BOT_TOKEN")
    if environment and environment != client.token:
        logger.warning(
            "SLACK_BOT_TOKEN in the environment is not the token the bot uses (its settings' or its secret's); "
            "the environment's is ignored"
        )


def create_app(
    settings: Settings,
    *,
    client: WebClient,
    router: Router,
    runner: Executor | None = None,
    verify_requests: bool = True,
) -> App:
    """The Bolt app with every listener registered; nothing here does I/O except Bolt's one auth.test.

    `runner` runs the lazy listeners in Socket Mode and HTTP (Bolt's own pool of 5 threads when None).
    `verify_requests=False` only for a lazy-listener worker process: its requests come over a private pipe from
    the bot process, which checked Slack's signature before the ack.
    """
    quiet_libraries()  # whoever builds the app, the loggers that would print secrets stay at WARNING
    warn_if_environment_token_unused(client)
    app = AmplifyDevApp(
        client=client,
        signing_secret=settings.slack_signing_secret,
        # Our listeners only ack; the slow work is a lazy listener, which Bolt starts on `runner` (Socket Mode,
        # HTTP) or as an asynchronous self-invocation (Lambda, see lambda_handler.py). Bolt answers Slack as soon
        # as the ack function returns, with no polling thread in between.
        process_before_response=True,
        listener_executor=runner,
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger(BOLT_APP_LOGGER),
        # Bolt names its per-class loggers "<app name>:<class>" (the Lambda adapter's logs whole events, with
        # response_url, at DEBUG): under "slack_bolt" they stay at WARNING with the rest of Bolt.
        name=BOLT_APP_NAME,
        request_verification_enabled=verify_requests,
    )
    app.own_workspace = handlers.register(app, router, breakglass_hours=longest_breakglass(settings))

    @app.error
    def _on_error(error: Exception, body: dict[str, Any]) -> None:
        logger.error("unhandled error for a %s payload", body.get("type") or "command", exc_info=error)

    return app


def longest_breakglass(settings: Settings) -> int | None:
    """The longest break-glass any project allows (None: off everywhere), for the help; the projects file is read
    again here (small, validated at start) so that on Lambda the help needs no workflow."""
    hours = [p.breakglass_hours for p in load_projects(settings).values() if p.breakglass_hours is not None]
    return max(hours, default=None)
