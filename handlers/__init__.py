"""The Slack layer: one module per kind of listener, each with register(app, ...)."""

from __future__ import annotations

from concurrent.futures import Executor

from slack_bolt import App

from handlers import actions, commands, events, fallbacks, guards, home, views
from workflow import Workflow


def register(app: App, workflow: Workflow, runner: Executor) -> None:
    """Register every middleware and listener the bot has."""
    guards.register(app)
    commands.register(app, workflow, runner)
    actions.register(app, workflow, runner)
    views.register(app, workflow, runner)
    home.register(app, workflow, runner)
    events.register(app, workflow, runner)
    fallbacks.register(app)  # last: only what nothing above claimed
