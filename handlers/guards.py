"""Middleware that refuses requests the bot must not act on, before any listener runs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse

logger = logging.getLogger(__name__)


def teams_in_payload(body: dict[str, Any]) -> set[str]:
    """Every workspace id a payload names: the workspace it came from and the acting user's home workspace."""
    teams = {body.get("team_id")}
    for key in ("team", "user"):
        value = body.get(key)
        if isinstance(value, dict):
            teams.add(value.get("id") if key == "team" else value.get("team_id"))
    return {t for t in teams if isinstance(t, str) and t}


def refuse_foreign_workspace(
    body: dict[str, Any], context: BoltContext, next: Callable[[], BoltResponse]
) -> BoltResponse | None:
    """Refuse payloads from any workspace other than the bot's own (e.g. Slack Connect users in a shared channel)."""
    own = context.authorize_result.team_id if context.authorize_result else None
    foreign = teams_in_payload(body) - {own}
    if own and foreign:
        logger.warning("refused a payload from workspace %s (own workspace %s)", ",".join(sorted(foreign)), own)
        return BoltResponse(status=200, body="amplify-dev only serves its own workspace; nothing was done.")
    return next()


def is_well_formed(body: dict[str, Any]) -> bool:
    """Whether an interactive payload has the shape listeners rely on (Bolt's own matchers index into it)."""
    kind = body.get("type")
    if kind is None:  # a slash command: form fields
        return isinstance(body.get("user_id"), str) or "command" not in body
    user = body.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        return kind in ("url_verification", "event_callback", "app_rate_limited", "ssl_check")
    if kind == "block_actions":
        actions = body.get("actions")
        return isinstance(actions, list) and bool(actions) and all(isinstance(a, dict) for a in actions)
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        return isinstance(view, dict) and isinstance(view.get("type"), str) and isinstance(view.get("callback_id"), str)
    return True


class OwnWorkspace:
    """The bot's own workspace, as Bolt's authorization found it (None until the first request has been through it).

    slack_app.AmplifyDevApp acknowledges a payload before Bolt's middleware runs only once this is known, and only a
    payload of this workspace: a foreign one must get the guard's refusal in its ack.
    """

    def __init__(self) -> None:
        self.team_id: str | None = None


def register(app: App) -> OwnWorkspace:
    """Install the guards as global middleware; the holder returned learns the bot's workspace from them."""
    own = OwnWorkspace()

    def guard(body: dict[str, Any], context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        if context.authorize_result and context.authorize_result.team_id:
            own.team_id = context.authorize_result.team_id
        return refuse_foreign_workspace(body, context, next)

    app.use(guard)
    return own
