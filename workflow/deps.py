"""What every flow talks to, built once in bot.py (or by a test) and passed in."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import iam
from audit import AuditLog
from settings import Settings
from slack_gateway import SlackGateway
from store import RequestStore


def utcnow() -> datetime:
    """The real clock (tests pass a fake one they advance)."""
    return datetime.now(UTC)


def new_request_id() -> str:
    """An opaque, unguessable request id (the only thing a button carries)."""
    return "r" + secrets.token_hex(8)


@dataclass(frozen=True)
class Deps:
    """What the workflow talks to; built once in bot.py (or by a test) and passed in."""

    settings: Settings
    store: RequestStore
    iam: Any  # a boto3 IAM client
    slack: SlackGateway
    region: str
    clock: Callable[[], datetime] = utcnow
    audit: AuditLog | None = None
    identity_center: Any = None  # identity_center.IdentityCenterClients in AMPLIFY_DEV_MODE=identity-center

    @property
    def owner(self) -> iam.Owner:
        """What marks an IAM user as this deployment's: the path and the instance tag."""
        return iam.Owner(self.settings.iam_path, self.settings.instance)
