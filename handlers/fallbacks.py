"""Listeners of last resort: anything no other listener claimed is acknowledged and ignored, never a 404/500."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App

logger = logging.getLogger(__name__)

_ANY = re.compile(r".*", re.DOTALL)


def acknowledge_unknown(ack: Ack, body: dict[str, Any]) -> None:
    """Ack so Slack shows no error, and log only the kind of payload (never its content or response_url)."""
    ack()
    actions = body.get("actions") if isinstance(body.get("actions"), list) else []
    action_id = actions[0].get("action_id") if actions and isinstance(actions[0], dict) else None
    logger.warning("ignored an unexpected %s payload (action_id=%s)", body.get("type") or "command", action_id)


def register(app: App) -> None:
    """Register after every other listener, so these only see what nothing else matched."""
    app.action(_ANY)(acknowledge_unknown)
    app.view(_ANY)(acknowledge_unknown)
    app.shortcut(_ANY)(acknowledge_unknown)
    app.command(_ANY)(acknowledge_unknown)
