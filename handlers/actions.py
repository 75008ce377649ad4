"""Button clicks: Approve, Deny, the review's Remove (approvers' channel) and Show credentials (the requester's DM)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import Ack, App, Respond

import messages as msg
from handlers.background import after_ack
from messages.review import REVIEW_REMOVE_ACTION
from workflow import Workflow

logger = logging.getLogger(__name__)

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")


def clicked(body: dict[str, Any]) -> tuple[str, str] | None:
    """(who clicked, the request id the button carries), or None for a malformed payload.

    The id is only a key into the store: who asked and what for always come from the store.
    """
    user = body.get("user")
    actions = body.get("actions")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str) or not isinstance(actions, list):
        return None
    if not actions or not isinstance(actions[0], dict):
        return None
    return user["id"], str(actions[0].get("value") or "")[:64]


def reply_to_clicker(body: dict[str, Any], respond: Respond, workflow: Workflow) -> Callable[[msg.Reply], None]:
    """A deliver() that answers only the person who clicked, leaving the clicked message as it is.

    Clicks on the App Home tab carry no response_url; those answers go to the clicker's DM with the bot.
    """
    if body.get("response_url"):
        return lambda reply: respond(response_type="ephemeral", replace_original=False, **reply.to_kwargs())
    return lambda reply: workflow.tell(body["user"]["id"], reply)


def register(app: App, workflow: Workflow, runner: Executor) -> None:
    """Register the button listeners."""

    def on_click(work: Callable[[str, str], msg.Reply | None], what: str) -> Callable[..., None]:
        def listener(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
            ack()  # first: Slack shows an error to the user after 3 seconds without it
            parsed = clicked(body)
            if parsed is None:
                logger.warning("ignored a malformed %s payload", what)
                return
            actor, request_id = parsed
            after_ack(runner, lambda: work(actor, request_id), reply_to_clicker(body, respond, workflow), what)

        return listener

    def remove_from_review(actor: str, target: str) -> msg.Reply | None:
        # The value names only whose access; workflow.remove checks (from configuration) that actor may remove it.
        if not _USER_ID.match(target):
            logger.warning("ignored a review Remove click from %s with a malformed target", actor)
            return None
        return workflow.remove(actor, target)

    app.action(msg.APPROVE_ACTION)(on_click(workflow.approve, "an Approve click"))
    app.action(msg.DENY_ACTION)(on_click(workflow.deny, "a Deny click"))
    app.action(msg.SHOW_CREDENTIALS_ACTION)(on_click(workflow.show_credentials, "a Show credentials click"))
    app.action(msg.EXTEND_ACTION)(on_click(workflow.request_extension, "an Extend click"))
    app.action(msg.EXTEND_APPROVE_ACTION)(
        on_click(lambda actor, rid: workflow.decide_extension(actor, rid, approve=True), "an extension approval")
    )
    app.action(msg.EXTEND_DENY_ACTION)(
        on_click(lambda actor, rid: workflow.decide_extension(actor, rid, approve=False), "an extension denial")
    )
    app.action(REVIEW_REMOVE_ACTION)(on_click(remove_from_review, "a review Remove click"))
