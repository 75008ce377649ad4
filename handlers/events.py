"""Events API listeners: off-boarding when Slack reports a user deactivated; user-group changes."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App

from handlers.actions import acknowledge_click
from handlers.lazy import finish

if TYPE_CHECKING:  # the workflow is imported on first use (bot.LazyRouter), not with the listeners
    from workflow import Router

logger = logging.getLogger(__name__)


def offboard_if_deactivated(event: dict[str, Any], router: Router) -> None:
    """A deactivated Slack user loses their AWS access at once."""
    user = event.get("user") if isinstance(event.get("user"), dict) else {}
    user_id = user.get("id")
    if user.get("deleted") is True and isinstance(user_id, str):
        finish(lambda: router.offboard(user_id), lambda _reply: None, "a user_change event")


def handle_usergroup_change(ack: Ack, router: Router) -> None:
    """A user group changed: who approves through it is read again on the next click, not minutes later."""
    ack()
    router.forget_approver_groups()  # forgets a cache in memory: no I/O


def register(app: App, router: Router) -> None:
    """Register the event listeners."""

    def group_changed(ack: Ack) -> None:
        handle_usergroup_change(ack, router)

    def lazy_user_change(event: dict[str, Any]) -> None:
        offboard_if_deactivated(event, router)

    app.event("subteam_members_changed")(group_changed)
    app.event("subteam_updated")(group_changed)
    app.event("user_change")(ack=acknowledge_click, lazy=[lazy_user_change])
