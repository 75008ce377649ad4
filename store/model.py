"""Request state: what a request is, how it changes (typed fields, compare-and-set), and the store interface.

Every state change is a compare-and-set (`UPDATE ... WHERE id=? AND state=?`): whoever loses a race
(double click, two leads, a replayed payload) changes nothing and learns the current state instead.
No secret is ever stored here; only public identifiers (request id, IAM user name and ARN, Slack ids).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields, make_dataclass
from datetime import datetime
from enum import StrEnum
from types import UnionType
from typing import Any, Protocol, get_args, get_origin, get_type_hints

from audit import AuditEvent


class State(StrEnum):
    """Where a request is in its life (see DESIGN.md)."""

    PENDING = "pending"  # waiting for a lead
    APPROVED = "approved"  # a lead approved; the IAM user is being created
    ACTIVE = "active"  # the IAM user exists
    REVOKING = "revoking"  # removal started; retrying `remove` finishes it
    REVOKED = "revoked"
    DENIED = "denied"
    FAILED = "failed"  # provisioning failed and was rolled back
    CANCELLED = "cancelled"  # the requester withdrew a pending request
    EXPIRED = "expired"


class RevokeReason(StrEnum):
    """Why access ended without the person asking for it themselves (or that they did)."""

    REMOVED = "removed"  # `remove` by the developer or a lead
    EXPIRED = "expired"  # its end date passed
    OFFBOARDED = "offboarded"  # their Slack account was deactivated

    @property
    def sentence(self) -> str:
        """How the end of access reads in a message: "was <sentence>"."""
        return {
            RevokeReason.REMOVED: "removed",
            RevokeReason.EXPIRED: "expired",
            RevokeReason.OFFBOARDED: "revoked because their Slack account was deactivated",
        }[self]


OPEN_STATES = frozenset({State.PENDING, State.APPROVED, State.ACTIVE, State.REVOKING})
# The project of a bot without a projects file, and of every request stored before projects existed.
DEFAULT_PROJECT = "default"


class Credentials(StrEnum):
    """Whether the requester has been shown a key yet; moves by compare-and-set like State."""

    NONE = "none"  # no key minted yet: the Show credentials button is live
    CLAIMED = "claimed"  # a Show credentials click was acknowledged; its lazy listener has not started minting
    MINTING = "minting"  # a click is minting and delivering a key right now
    SHOWN = "shown"  # delivered once; lost keys are replaced by rotate, never re-shown
    ROTATING = "rotating"  # a rotate is minting and delivering a replacement key


@dataclass(frozen=True)
class Request:
    """One access request and everything the bot needs to act on it later."""

    id: str
    slack_user_id: str
    team_id: str
    reason: str
    console: bool
    iam_user_name: str
    state: State = State.PENDING
    credentials: Credentials = Credentials.NONE
    created_at: datetime | None = None
    updated_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    closed_by: str | None = None
    approval_channel: str | None = None
    approval_ts: str | None = None
    dm_channel: str | None = None
    dm_ts: str | None = None
    iam_user_arn: str | None = None
    access_key_id: str | None = None  # the key last delivered (an identifier, not a secret)
    error: str | None = None
    days: int | None = None  # the access asked for, in days; None: no expiry (only if the operator allows it)
    expires_at: datetime | None = None  # set at approval: decided_at + days
    reminded: str | None = None  # the last expiry reminder sent ("3d", "1d")
    extension_days: int | None = None  # an extension waiting for a lead, in days
    extension_ts: str | None = None  # its message in the approvers' channel
    approvals: tuple[str, ...] = ()  # the leads who approved so far, when more than one approval is required
    extension_approvals: tuple[str, ...] = ()  # the same for the extension waiting on the leads
    # Access key ids minted but never delivered whose deletion failed: deleted before any new key is minted,
    # and retried by start-up recovery and the sweep until IAM confirms they are gone.
    undelivered_key_ids: tuple[str, ...] = ()
    iam_user_id: str | None = None  # IAM's unique id (AIDA...), so drift can match users without reading tags
    # Identity Center mode: the Identity Store user granted, and whether amplify-dev created the assignment
    # (False: it existed already, by hand or through a group, and is never deleted by the bot).
    identity_store_user_id: str | None = None
    assignment_created: bool | None = None
    project: str = DEFAULT_PROJECT  # which project (account, approvers, rules) the request is for
    # Break-glass (workflow/breakglass.py): access taken at once without approval, its loud post in the approval
    # channel, and the lead who pressed Acknowledge on it (the access review flags it until then).
    breakglass: bool = False
    breakglass_ts: str | None = None
    breakglass_acked_by: str | None = None
    breakglass_acked_at: datetime | None = None
    # Reminders to the leads of what waits on them (workflow/reminding.py): the request while PENDING, then its
    # extension while one is asked (asking resets both). Each is claimed by a compare-and-set of the count.
    reminders_sent: int = 0
    last_reminded_at: datetime | None = None
    extension_asked_at: datetime | None = None  # when the extension waiting on the leads was asked

    @property
    def is_open(self) -> bool:
        """True while the request holds or may still grant access."""
        return self.state in OPEN_STATES


BUSY_CREDENTIALS = frozenset({Credentials.CLAIMED, Credentials.MINTING, Credentials.ROTATING})


def is_stalled(request: Request) -> bool:
    """Whether a request is in a state only work in progress holds: approved but not provisioned, filed but never
    posted to the leads, provisioned but the requester never told, or credentials claimed, minted or rotated."""
    if request.state == State.APPROVED:
        return True
    if request.state == State.PENDING:
        return not request.approval_ts
    # ACTIVE without a DM: provisioned, but the requester was never told (the run stopped in between).
    return request.state == State.ACTIVE and (request.credentials in BUSY_CREDENTIALS or not request.dm_ts)


class OpenRequestExists(Exception):
    """The user already has an open request; carries it so the caller can say what state it is in."""

    def __init__(self, existing: Request) -> None:
        super().__init__(f"request {existing.id} is still {existing.state}")
        self.existing = existing


class _Unset:
    """Marks a field a `Fields` leaves alone (neither expected nor changed)."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def _given(self: Any) -> dict[str, Any]:
    """The fields that are set, by name."""
    return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not UNSET}


# Typed request fields for a compare-and-set: what must still hold, or what to change. Derived from `Request`
# (every field but the id), so a field added there is one here too. A field left UNSET is ignored. As an
# expectation a field may hold `one_of(...)` several allowed values (None among them means "empty"). A misspelt
# field is a TypeError where it is written.
Fields = make_dataclass(
    "Fields",
    [(f.name, f.type, field(default=UNSET)) for f in fields(Request) if f.name != "id"],
    namespace={"given": _given, "__doc__": "Typed request fields for a compare-and-set (see store/model.py)."},
    frozen=True,
)
Fields.__module__ = __name__


def fields_of_type(kind: type) -> frozenset[str]:
    """The names of `Request`'s fields of type `kind` (or `kind | None`): how each store knows which of its
    columns or attributes to convert, without a list kept by hand beside the dataclass."""
    names = set()
    for name, hint in get_type_hints(Request).items():
        parts = get_args(hint) if isinstance(hint, UnionType) else (hint,)
        if any(part is kind or get_origin(part) is kind for part in parts):
            names.add(name)
    return frozenset(names)


class OneOf(tuple):
    """An expectation that allows any of several values: `Fields(state=one_of(State.ACTIVE, State.REVOKING))`."""


def one_of(*values: Any) -> Any:
    """Allow any of `values` (None among them means "empty") for one field of an expectation."""
    return OneOf(values)


def allowed_values(value: Any) -> list[Any]:
    """An expectation as the list of values it allows (a plain tuple, such as approvers, is one value)."""
    return list(value) if isinstance(value, OneOf) else [value]


class RequestStore(Protocol):
    """What the workflow needs from persistence: SQLite now, DynamoDB conditional writes later."""

    def create(self, request: Request, *, audit: AuditEvent | None = None) -> Request:
        """Insert a new request (and its audit event, atomically); raise OpenRequestExists if one is open."""

    def get(self, request_id: str) -> Request | None:
        """The request with this id, or None."""

    def open_request_for(self, slack_user_id: str, project: str | None = None) -> Request | None:
        """The user's open request in `project` (at most one exists; None: in any project, the oldest), or None."""

    def open_requests_for(self, slack_user_id: str) -> list[Request]:
        """The user's open requests, one per project at most, oldest first."""

    def latest_for(self, slack_user_id: str, project: str | None = None) -> Request | None:
        """The user's most recent request in any state (in `project`, if given), or None."""

    def compare_and_set(
        self, request_id: str, expect: Fields, change: Fields, *, audit: AuditEvent | None = None
    ) -> Request | None:
        """Apply `change` only if every field of `expect` still holds; write `audit` in the same transaction.

        Returns the updated request, or None when another actor got there first (nothing is written then).
        """

    def in_states(self, states: Iterable[State]) -> list[Request]:
        """All requests in any of these states, oldest first."""

    def pending_created_before(self, cutoff: datetime) -> list[Request]:
        """PENDING requests filed at or before `cutoff` (the sweep's undecided ones), oldest first."""

    def active_expiring_before(self, cutoff: datetime) -> list[Request]:
        """ACTIVE requests whose access ends at or before `cutoff` (expired, or due a reminder)."""

    def revoking_updated_before(self, cutoff: datetime) -> list[Request]:
        """REVOKING requests untouched since `cutoff` (removals that stalled)."""

    def extensions_asked_before(self, cutoff: datetime) -> list[Request]:
        """ACTIVE requests with an extension asked at or before `cutoff` and not yet decided (due a reminder)."""

    def with_undelivered_keys(self) -> list[Request]:
        """Requests that still list access keys nobody saw (their deletion failed)."""

    def claim(self, name: str, period: str) -> bool:
        """Claim `name` for `period` (e.g. the weekly review for "2026-W09"): True for exactly one caller, ever."""

    def stalled_before(self, cutoff: datetime) -> list[Request]:
        """Requests left mid-way (see is_stalled) untouched since `cutoff`: what a lost lazy run leaves behind."""

    def assignment_holder(self, assignment: str) -> str | None:
        """The request recorded as having created this Identity Center assignment (see assignment_key), or None."""

    def set_assignment_holder(self, assignment: str, expect: str | None, holder: str | None) -> bool:
        """Compare-and-set an assignment's record: from request `expect` (None: no record) to `holder` (None: no
        record any more). True for exactly one of several concurrent callers expecting the same holder."""


def assignment_key(user_id: str, account_id: str, permission_set_arn: str) -> str:
    """Names one Identity Center assignment (an Identity Store user, an account, a permission set) in the store."""
    return f"{user_id}|{account_id}|{permission_set_arn}"
