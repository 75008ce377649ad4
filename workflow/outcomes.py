"""What a flow did, as a value: the caller words it (a reply to the person who acted) or drops it (the sweep)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from store import Request, RevokeReason


class Actor(StrEnum):
    """Who did something when it was not a person: the bot itself (expiry, off-boarding, the drift check)."""

    BOT = "amplify-dev"


def person(actor: str) -> str | None:
    """The Slack user id to store and audit for `actor`; None for the bot itself."""
    return None if actor == Actor.BOT else actor


class Ended(StrEnum):
    """How a revoke ended."""

    REVOKED = "revoked"  # what the bot granted is gone (or there was nothing of ours to delete)
    NOT_OURS = "not_ours"  # what the request names at AWS is not this deployment's: closed, left untouched
    STOPPED = "stopped"  # AWS refused a step: the request stays REVOKING and is retried


@dataclass(frozen=True)
class Revocation:
    """The outcome of ending a request's access: what happened, why, by whom (a Slack id or Actor.BOT), to whom."""

    ended: Ended
    request: Request
    why: RevokeReason
    by: str
    target: str
    deleted: bool = True  # REVOKED: False when the bot had made nothing to delete (left in place)
    step: str = ""  # STOPPED: the AWS step and error code
    code: str = ""
    reason: str = ""  # NOT_OURS: why not ("wrong path, tags or instance")
