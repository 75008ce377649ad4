"""The Slack layer: one module per kind of listener, each with register(app, ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from handlers import actions, commands, events, fallbacks, guards, home, views

if TYPE_CHECKING:  # the workflow is imported on first use (bot.LazyRouter), not with the listeners
    from workflow import Router


def register(app: App, router: Router, *, breakglass_hours: int | None = None) -> None:
    """Register every middleware and listener the bot has (`breakglass_hours`: the longest break-glass of any
    project, None when it is off everywhere: the help lists the command only when it is on)."""
    guards.register(app)
    commands.register(app, router, breakglass_hours=breakglass_hours)
    actions.register(app, router)
    views.register(app, router)
    home.register(app, router)
    events.register(app, router)
    fallbacks.register(app)  # last: only what nothing above claimed
