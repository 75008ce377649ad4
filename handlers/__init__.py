"""The Slack layer: one module per kind of listener, each with register(app, ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from handlers import actions, commands, events, fallbacks, guards, home, views

if TYPE_CHECKING:  # the workflow is imported on first use (bot.LazyWorkflow), not with the listeners
    from workflow import Workflow


def register(app: App, workflow: Workflow) -> None:
    """Register every middleware and listener the bot has."""
    guards.register(app)
    commands.register(app, workflow)
    actions.register(app, workflow)
    views.register(app, workflow)
    home.register(app, workflow)
    events.register(app, workflow)
    fallbacks.register(app)  # last: only what nothing above claimed
