"""The request form's submission."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk.webhook import WebhookClient

import messages as msg
from handlers import verbs
from handlers.commands import DAYS_TEXT
from handlers.lazy import finish

if TYPE_CHECKING:  # the workflow is imported on first use (bot.LazyRouter), not with the listeners
    from workflow import Router

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RequestForm:
    """The request form as the user filled it in."""

    reason: str
    console: bool
    days: int | None  # None: left empty (the operator's default) or not a number (see days_invalid)
    days_invalid: bool = False
    project: str | None = None  # the form's project select (only when the bot serves several projects)


def read_request_form(view: dict[str, Any]) -> RequestForm:
    """The form's values; days must be ASCII digits (Slack's number input checks that, a forged payload need not)."""
    values = (view.get("state") or {}).get("values") or {}
    reason = ((values.get(msg.REASON_BLOCK) or {}).get(msg.REASON_INPUT) or {}).get("value") or ""
    chosen = ((values.get(msg.CONSOLE_BLOCK) or {}).get(msg.CONSOLE_INPUT) or {}).get("selected_options") or []
    raw_days = str(((values.get(msg.DAYS_BLOCK) or {}).get(msg.DAYS_INPUT) or {}).get("value") or "")
    selected = ((values.get(msg.PROJECT_BLOCK) or {}).get(msg.PROJECT_INPUT) or {}).get("selected_option") or {}
    project = selected.get("value") if isinstance(selected, dict) and isinstance(selected.get("value"), str) else None
    if not raw_days:
        return RequestForm(str(reason), bool(chosen), None, project=project)
    if not DAYS_TEXT.fullmatch(raw_days):
        return RequestForm(str(reason), bool(chosen), None, days_invalid=True, project=project)
    return RequestForm(str(reason), bool(chosen), int(raw_days), project=project)


def acknowledge_submission(ack: Ack, view: dict[str, Any]) -> None:
    """The ack: Slack shows a field's error in the open modal only if it comes with the ack."""
    form = read_request_form(view)
    if not form.reason.strip():
        ack(response_action="errors", errors={msg.REASON_BLOCK: "Please say why you need access."})
    elif form.days_invalid:
        ack(response_action="errors", errors={msg.DAYS_BLOCK: "Please enter a whole number of days, e.g. 14."})
    else:
        ack()


def file_submitted_request(body: dict[str, Any], view: dict[str, Any], router: Router) -> None:
    """The lazy half: file the request; the confirmation goes back where the command was typed."""
    form = read_request_form(view)
    if not form.reason.strip() or form.days_invalid:
        return  # refused in the ack
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
        router.tell(user, reply)

    finish(
        lambda: verbs.request_access(
            router, user, team, form.reason, console=form.console, days=form.days, project=form.project
        ),
        deliver,
        "the request form",
    )


def register(app: App, router: Router) -> None:
    """Register the modal submission listener."""

    def lazy_submission(body: dict[str, Any], view: dict[str, Any]) -> None:
        file_submitted_request(body, view, router)

    app.view(msg.REQUEST_VIEW)(ack=acknowledge_submission, lazy=[lazy_submission])
