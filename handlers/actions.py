"""Button clicks: Approve, Deny (approvers' channel) and Show credentials (the requester's DM)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import Ack, App, Respond

import messages as msg
from handlers.background import after_ack
from workflow import Workflow


def clicked(body: dict[str, Any]) -> tuple[str, str]:
    """(who clicked, the request id the button carries). The id is only a key into the store."""
    actions = body.get("actions") or [{}]
    return body["user"]["id"], str(actions[0].get("value") or "")


def ephemeral_to_clicker(respond: Respond) -> Callable[[msg.Reply], None]:
    """A deliver() that answers only the person who clicked, leaving the clicked message as it is."""
    return lambda reply: respond(response_type="ephemeral", replace_original=False, **reply.to_kwargs())


def register(app: App, workflow: Workflow, runner: Executor) -> None:
    """Register the button listeners."""

    def on_click(work: Callable[[str, str], msg.Reply | None], what: str) -> Callable[..., None]:
        def listener(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
            ack()  # first: Slack shows an error to the user after 3 seconds without it
            actor, request_id = clicked(body)
            after_ack(runner, lambda: work(actor, request_id), ephemeral_to_clicker(respond), what)

        return listener

    app.action(msg.APPROVE_ACTION)(on_click(workflow.approve, "an Approve click"))
    app.action(msg.DENY_ACTION)(on_click(workflow.deny, "a Deny click"))
    app.action(msg.SHOW_CREDENTIALS_ACTION)(on_click(workflow.show_credentials, "a Show credentials click"))
