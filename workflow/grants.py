"""The one seam between the flows and what a grant of AWS access is in each mode.

The flows (deciding, removal, extensions, upkeep, credentials, requesting) move requests through the store and
tell people; what they grant, revoke, extend or reconcile at AWS, and the words for it, come from a `Grants`:
`IamUserGrants` (an IAM user per developer, the default) or `IdentityCenterGrants` (an account assignment).
No flow asks which mode it is in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

import messages as msg
from slack_gateway import SlackUser
from store import Fields, Request, RevokeReason

if TYPE_CHECKING:
    pass


class GrantFailed(Exception):
    """Provisioning failed; what to tell people. `rolled_back`: nothing of it is left at AWS."""

    def __init__(self, step: str, code: str, what: str, todo: str) -> None:
        super().__init__(f"{step} failed: {code}")
        self.step, self.code, self.what, self.todo = step, code, what, todo


class GrantError(Exception):
    """An AWS step of a revoke or extension failed; carries the step and AWS's error code only."""

    def __init__(self, step: str, code: str) -> None:
        super().__init__(f"{step} failed: {code}")
        self.step, self.code = step, code


class GrantNotOurs(Exception):
    """What the request names at AWS is not this deployment's: left untouched."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why  # completes "… is not one amplify-dev manages (<why>)"


@dataclass(frozen=True)
class Revoked:
    """How a revoke ended at AWS: `deleted` False means the bot had made nothing to delete (left in place)."""

    deleted: bool = True
    kept_for: str = ""  # not deleted because this other open request relies on the same assignment


class Grants(Protocol):
    """What access is at AWS in this mode, and the words for it."""

    has_keys: bool  # access keys exist (Show credentials, rotate, key age on the Home tab)
    noun: str  # "IAM user", "account assignment": "creating your <noun> failed"

    def requester_refusal(self, actor: str, profile: SlackUser) -> msg.Reply | None:
        """A refusal before anything is filed (no matching identity), else None."""

    def filed_identity(self, profile: SlackUser) -> str | None:
        """Whom the access will be for at AWS, resolved when the request is filed (Identity Center: the Identity
        Store user id, shown to the leads and checked again at approval); None where there is nothing to resolve."""

    def provision(self, request: Request, expires_at: datetime | None) -> Fields:
        """Grant the access of an APPROVED request (safe to run again); the fields to store. Raises GrantFailed."""

    def undo(self, request: Request, granted: Fields) -> None:
        """Take back what provision() just granted when the request could not move to ACTIVE."""

    def approved_dm(self, active: Request) -> msg.Message:
        """The requester's DM once access exists."""

    def provisioned_outcome(self, active: Request) -> str:
        """The leads' approval message once access exists."""

    def dm_failed(self, active: Request, error: str) -> tuple[str, msg.Reply]:
        """(the leads' note, the approver's reply) when the requester could not be DMed."""

    def label(self, request: Request) -> str:
        """What was granted, for sentences: "IAM user `x`", "the account assignment of …"."""

    def words(self) -> msg.Granted:
        """What access is in this mode, as the message builders name it (leads' message, status, list, Home)."""

    def revoke(self, request: Request) -> Revoked:
        """Delete what the bot granted for the request. Raises GrantNotOurs or GrantError."""

    def revoked_sentence(self, request: Request, revoked: Revoked, *, channel: bool) -> str:
        """What ending access did at AWS, for the channel (channel=True) or the person who acted."""

    def removed_dm(self, request: Request, why: RevokeReason) -> msg.Message:
        """The developer's DM when their access ended without them asking."""

    def extend(self, request: Request, new_expiry: datetime) -> None:
        """Move the end date AWS enforces, if it enforces one. Raises GrantError."""

    def reconcile(self) -> list[str]:
        """The drift check between AWS and the store: finish lost removals, report the rest."""

    def credentials_refusal(self) -> msg.Reply | None:
        """Why Show credentials and rotate do nothing in this mode, or None where they apply."""
