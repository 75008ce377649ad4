"""Events API listeners: off-boarding when Slack reports a user deactivated."""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from typing import Any

from slack_bolt import Ack, App

from handlers.background import after_ack
from workflow import Workflow

logger = logging.getLogger(__name__)


def handle_user_change(ack: Ack, event: dict[str, Any], workflow: Workflow, runner: Executor) -> None:
    """A deactivated Slack user loses their AWS access at once."""
    ack()
    user = event.get("user") if isinstance(event.get("user"), dict) else {}
    user_id = user.get("id")
    if user.get("deleted") is True and isinstance(user_id, str):
        after_ack(runner, lambda: workflow.offboard(user_id), lambda _reply: None, "a user_change event")


def register(app: App, workflow: Workflow, runner: Executor) -> None:
    """Register the event listeners."""

    @app.event("user_change")
    def _user_change(ack: Ack, event: dict[str, Any]) -> None:
        handle_user_change(ack, event, workflow, runner)
