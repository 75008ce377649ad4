"""The Slack layer: one module per kind of listener, each with register(app, ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import App

import messages as msg
from handlers import actions, commands, events, fallbacks, guards, home, views
from handlers.guards import OwnWorkspace, teams_in_payload

if TYPE_CHECKING:  # the workflow is imported on first use (bot.LazyRouter), not with the listeners
    from workflow import Router


def register(app: App, router: Router, *, breakglass_hours: int | None = None) -> OwnWorkspace:
    """Register every middleware and listener the bot has (`breakglass_hours`: the longest break-glass of any
    project, None when it is off everywhere: the help lists the command only when it is on). Returns the holder
    of the bot's own workspace id, which the guards learn from the first request."""
    own = guards.register(app)
    commands.register(app, router, breakglass_hours=breakglass_hours)
    actions.register(app, router)
    views.register(app, router)
    home.register(app, router)
    events.register(app, router)
    fallbacks.register(app)  # last: only what nothing above claimed
    return own


def ack_is_empty(body: dict[str, Any], own_team: str | None) -> bool:
    """Whether a well-formed payload's ack is known to be empty before any middleware or listener runs.

    Every button's ack is empty (actions.py, home.py, fallbacks.py), so is every event's (events.py, home.py), and so
    is the slash command's for each verb answered after the ack (commands.ANSWERED_IN_ACK). Only for a payload of the
    bot's own workspace, once that is known: a foreign one gets the guard's refusal in its ack.
    """
    if own_team is None or teams_in_payload(body) - {own_team}:
        return False
    kind = body.get("type")
    if kind in ("block_actions", "event_callback"):
        return True
    if kind is None and body.get("command") == msg.COMMAND:
        return not commands.answered_in_ack(str(body.get("text") or ""))
    return False
