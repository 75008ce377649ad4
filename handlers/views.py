"""The request form's submission."""

from __future__ import annotations

import json
import logging
from concurrent.futures import Executor
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.webhook import WebhookClient

import messages as msg
from handlers.background import after_ack
from workflow import Workflow

logger = logging.getLogger(__name__)


def read_request_form(view: dict[str, Any]) -> tuple[str, bool]:
    """(reason, console) as the user filled them in."""
    values = (view.get("state") or {}).get("values") or {}
    reason = ((values.get(msg.REASON_BLOCK) or {}).get(msg.REASON_INPUT) or {}).get("value") or ""
    chosen = ((values.get(msg.CONSOLE_BLOCK) or {}).get(msg.CONSOLE_INPUT) or {}).get("selected_options") or []
    return reason, bool(chosen)


def handle_request_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], workflow: Workflow, runner: Executor
) -> None:
    """File the request from the form; the confirmation goes back where the command was typed."""
    reason, console = read_request_form(view)
    if not reason.strip():
        ack(response_action="errors", errors={msg.REASON_BLOCK: "Please say why you need access."})
        return
    ack()
    user = body["user"]["id"]
    team = (body.get("team") or {}).get("id") or body["user"].get("team_id", "")
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        metadata = {}
    response_url = metadata.get("response_url") if isinstance(metadata, dict) else None

    def deliver(reply: msg.Reply) -> None:
        if response_url:
            result = WebhookClient(response_url, timeout=10).send(response_type="ephemeral", **reply.to_kwargs())
            if result.status_code == 200:
                return
            logger.warning("response_url answered %s; sending the confirmation by DM", result.status_code)
        workflow.tell(user, reply)

    after_ack(
        runner,
        lambda: workflow.request_access(user, team, reason, console=console),
        deliver,
        "the request form",
    )


def register(app: App, workflow: Workflow, runner: Executor) -> None:
    """Register the modal submission listener."""

    @app.view(msg.REQUEST_VIEW)
    def _request_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        handle_request_submission(ack, body, view, workflow, runner)
