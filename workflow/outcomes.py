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
    kept_for: str = ""  # REVOKED, not deleted: this other open request relies on the same assignment
    sessions: tuple[int, int] | None = None  # REVOKED, sign-in: the sessions ended first (revoked, not revoked)
    step: str = ""  # STOPPED: the AWS step and error code
    code: str = ""
    reason: str = ""  # NOT_OURS: why not ("wrong path, tags or instance")


class Verdict(StrEnum):
    """How an Approve or Deny click (or provisioning) ended."""

    REFUSED = "refused"  # the clicker may not decide this request (`reason` says why)
    HANDLED = "handled"  # someone else moved it first, or it is no longer pending
    ALREADY_APPROVED = "already_approved"  # this lead's approval is already counted
    COUNTED = "counted"  # an approval recorded; the quorum needs more
    GRANTED = "granted"  # access exists and the requester was DMed (`dm_error`: or could not be)
    FAILED = "failed"  # provisioning failed (`what` happened, what `todo`)
    DENIED = "denied"  # denied (`dm_error`: the requester could not be told)


@dataclass(frozen=True)
class Decided:
    """The outcome of deciding a request: what happened, by whom (a Slack id or Actor.BOT for recovery)."""

    verdict: Verdict
    request: Request
    by: str
    reason: str = ""  # REFUSED
    counted: int = 0  # COUNTED: approvals so far, of `required`
    required: int = 0
    dropped: tuple[str, ...] = ()  # COUNTED: earlier approvals that stopped counting (no longer leads)
    dm_error: str = ""  # GRANTED, DENIED: Slack's error when the requester could not be DMed
    what: str = ""  # FAILED
    todo: str = ""
