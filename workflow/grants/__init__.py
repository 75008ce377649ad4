"""The seam between the flows and what a grant of AWS access is: one interface of AWS actions per kind of grant.

A kind (iam_user.py: an IAM user per developer with an access key, the default; sign_in.py: the same IAM user with
console sign-in and `aws login` instead of a key; identity_center.py: an Identity Center account assignment) provisions, mints and rotates what the developer holds, revokes it, reports its last use and lists its
drift. It says what happened (a step, a code, a reason), never in sentences: the words are the message builders'
(messages/grants.py), chosen by the plain value `granted().kind`. No flow imports iam/ or identity_center/, and no
flow asks which kind it works with; a kind where something does not apply says so by raising `NoSecrets`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

import messages as msg
from settings import Settings
from slack_gateway import SlackUser
from store import Fields, Request

if TYPE_CHECKING:
    from ..deps import Deps
    from ..ledger import Ledger


class GrantFailed(Exception):
    """Provisioning failed at `step` with AWS's `code`; `reason` (messages/grants.py) says how it was left."""

    def __init__(self, step: str, code: str, reason: str, now: str | None = None) -> None:
        super().__init__(f"{step} failed: {code}")
        self.step, self.code, self.reason = step, code, reason
        self.now = now  # IDENTITY_CHANGED: the Identity Store user the email maps to now (None: none)


class GrantError(Exception):
    """An AWS step of minting, rotating, revoking or extending failed; carries the step and AWS's error code only."""

    def __init__(
        self,
        step: str,
        code: str,
        *,
        key_limit: bool = False,
        unanswered: bool = False,
        sessions: SessionsRevoked | None = None,
    ) -> None:
        super().__init__(f"{step} failed: {code}")
        self.step, self.code = step, code
        self.key_limit = key_limit  # IAM's two-key limit is full
        self.unanswered = unanswered  # AWS did not answer before anything was made
        self.sessions = sessions  # a removal that stopped after ending the user's sign-in sessions: how many


class GrantNotOurs(Exception):
    """What the request names at AWS is not this deployment's (or is gone): left untouched."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why  # completes "… is not one amplify-dev manages (<why>)"


class NoSecrets(Exception):
    """This kind of grant has no keys to show or rotate (the developer signs in instead)."""


@dataclass(frozen=True)
class SessionsRevoked:
    """The developer's sign-in sessions a removal or rotation ended: how many, how many not, AWS's first error."""

    revoked: int
    failed: int = 0
    code: str | None = None  # None: every session was revoked

    @property
    def counts(self) -> tuple[int, int]:
        """(revoked, not revoked), for the words."""
        return self.revoked, self.failed

    @property
    def audited(self) -> tuple[int, int, str | None]:
        """(revoked, not revoked, code), for the audit row."""
        return self.revoked, self.failed, self.code


@dataclass(frozen=True)
class Revoked:
    """How a revoke ended at AWS: `deleted` False means the bot had made nothing to delete (left in place)."""

    deleted: bool = True
    kept_for: str = ""  # not deleted because this other open request relies on the same assignment
    sessions: SessionsRevoked | None = None  # the sign-in sessions ended first; None: the kind has none


@dataclass(frozen=True)
class RequesterRefused:
    """The kind cannot grant this person anything (no matching identity): `reason` and what AWS said."""

    reason: str
    email: str | None = None
    step: str = ""
    code: str = ""


class Secret(Protocol):
    """A secret that shows itself only when asked (iam.Secret): never in a repr, a log line or a traceback."""

    def reveal(self) -> str: ...


@dataclass(frozen=True)
class Minted:
    """Credentials just made for the requester: only in this process until the one ephemeral message carries them.
    A sign-in grant has no key (`access_key_id` and `secret_access_key` None), only the console password."""

    user_name: str
    access_key_id: str | None
    secret_access_key: Secret | None = field(repr=False)
    console_password: Secret | None = field(default=None, repr=False)
    signin_url: str | None = None


@dataclass(frozen=True)
class Rotated:
    """A new key minted for rotation, and the older keys to delete once it is delivered."""

    minted: Minted
    old_key_ids: tuple[str, ...]
    sessions: SessionsRevoked | None = None  # a sign-in rotation: the sessions it ended


@dataclass(frozen=True)
class LastUse:
    """What AWS tells about a grant's use (for the review and the Home tab); `usage` None: nothing read."""

    usage: object | None  # iam.review.UserUsage, read through the kind only
    note: str = ""
    keys: bool = True  # False: the kind holds no access key, so the key age does not apply (sign-in)


class GrantKind(Protocol):
    """What a grant is at AWS, as actions; `granted()` is the plain value the words are chosen by."""

    def granted(self) -> msg.Granted:
        """What this kind grants, for the message builders (its kind, the assignment's name, where to sign in)."""

    def identify_requester(self, actor: str, profile: SlackUser) -> RequesterRefused | str | None:
        """Before anything is filed: a reason to refuse (no matching identity), or whom the access will be for at
        AWS, resolved once, as the request records it (Identity Center: the Identity Store user id, shown to the
        leads and checked again at approval); None where there is nothing to resolve."""

    def name_for(self, actor: str, names: list[str]) -> str:
        """The IAM user name a request records (and audits) for this Slack user."""

    def console(self, asked: bool) -> bool:
        """Whether the access includes console sign-in, given what the requester asked (sign-in: always)."""

    def provision(self, request: Request, expires_at: datetime | None) -> Fields:
        """Grant the access of an APPROVED request (safe to run again); the fields to store. Raises GrantFailed."""

    def undo(self, request: Request, granted: Fields) -> None:
        """Take back what provision() just granted when the request could not move to ACTIVE."""

    def mint(self, request: Request) -> Minted:
        """The first credentials, made now that the requester is here. Raises NoSecrets, GrantNotOurs, GrantError."""

    def rotate(self, request: Request) -> Rotated:
        """A new key beside the one in use (sign-in: a new temporary password, every session ended). Raises
        NoSecrets, GrantNotOurs, GrantError (key_limit when full)."""

    def discard(self, request: Request, minted: Minted | None, *, console: bool) -> tuple[str, ...]:
        """Delete credentials minted but not delivered; the key ids that would not go (to retry later)."""

    def discard_keys(self, request: Request, key_ids: tuple[str, ...]) -> tuple[str, ...]:
        """Delete these keys (older ones after a rotation, or keys nobody saw); the ids that would not go."""

    def discard_all_keys(self, request: Request, *, keep: str | None) -> None:
        """Delete every key of the request's user except `keep` (after a crash mid-way: keys nobody may hold)."""

    def revoke(self, request: Request) -> Revoked:
        """Delete what the bot granted for the request (sign-in: its sessions ended first). Raises GrantNotOurs or
        GrantError."""

    def extend(self, request: Request, new_expiry: datetime) -> None:
        """Move the end date AWS enforces, if it enforces one. Raises GrantError."""

    def last_use(self, request: Request) -> LastUse:
        """What AWS tells about the grant's use, for the access review."""

    def key_age(self, request: Request, now: datetime) -> timedelta | None:
        """How old the key in use is (None: no key). Raises GrantError when AWS does not answer."""

    def drift(self) -> list[str]:
        """The drift check between AWS and the store: finish lost removals, close lost records, report the rest."""


def grant_kind_for(deps: Deps, ledger: Ledger) -> GrantKind:
    """The one place the kind is chosen: the project's mode (AMPLIFY_DEV_MODE, or the project's `mode`), then its
    credentials (AMPLIFY_DEV_CREDENTIALS, or the project's `credentials`)."""
    if deps.settings.identity_center is not None:
        from .identity_center import IdentityCenterGrants

        return IdentityCenterGrants(deps, ledger)
    if deps.settings.signs_in:
        from .sign_in import SignInGrants

        return SignInGrants(deps, ledger)
    from .iam_user import IamUserGrants

    return IamUserGrants(deps, ledger)


def last_use_reader(settings: Settings, iam_client: Any, signin_client: Any = None) -> Callable[[Request], LastUse]:
    """The review's last-use read for a project's kind, without a running bot (the review export in ops/)."""
    if settings.identity_center is not None:
        from .identity_center import NO_USAGE_IN_IDENTITY_CENTER

        return lambda _request: LastUse(None, NO_USAGE_IN_IDENTITY_CENTER)
    if settings.signs_in:
        from .sign_in import signin_last_use

        return signin_last_use(iam_client, signin_client)
    from .iam_user import iam_last_use

    return iam_last_use(iam_client)
