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


def register(app: App) -> None:
    """Install the guards as global middleware."""
    app.use(refuse_foreign_workspace)
