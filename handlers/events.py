"""Events API listeners: off-boarding when Slack reports a user deactivated; user-group changes."""

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


def handle_usergroup_change(ack: Ack, workflow: Workflow) -> None:
    """A user group changed: who approves through it is read again on the next click, not minutes later."""
    ack()
    workflow.forget_approver_groups()


def register(app: App, workflow: Workflow, runner: Executor) -> None:
    """Register the event listeners."""

    @app.event("subteam_members_changed")
    def _members_changed(ack: Ack) -> None:
        handle_usergroup_change(ack, workflow)

    @app.event("subteam_updated")
    def _group_updated(ack: Ack) -> None:
        handle_usergroup_change(ack, workflow)

    @app.event("user_change")
    def _user_change(ack: Ack, event: dict[str, Any]) -> None:
        handle_user_change(ack, event, workflow, runner)
