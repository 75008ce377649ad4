"""Request state: a small store interface and its SQLite implementation.

Every state change is a compare-and-set (`UPDATE ... WHERE id=? AND state=?`): whoever loses a race
(double click, two leads, a replayed payload) changes nothing and learns the current state instead.
No secret is ever stored here; only public identifiers (request id, IAM user name and ARN, Slack ids).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from audit import INSERT_SQL as AUDIT_INSERT_SQL
from audit import SCHEMA as AUDIT_SCHEMA
from audit import AuditEvent, audit_row


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

    @property
    def is_open(self) -> bool:
        """True while the request holds or may still grant access."""
        return self.state in OPEN_STATES


BUSY_CREDENTIALS = frozenset({Credentials.CLAIMED, Credentials.MINTING, Credentials.ROTATING})


def is_stalled(request: Request) -> bool:
    """Whether a request is in a state only work in progress holds: approved but not provisioned, filed but never
    posted to the leads, or credentials claimed, being minted or rotated."""
    if request.state == State.APPROVED:
        return True
    if request.state == State.PENDING:
        return not request.approval_ts
    return request.state == State.ACTIVE and request.credentials in BUSY_CREDENTIALS


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


@dataclass(frozen=True)
class Fields:
    """Typed request fields for a compare-and-set: what must still hold, or what to change.

    A field left UNSET is ignored. As an expectation a field may hold `one_of(...)` several allowed values
    (None among them means "empty"). A misspelt field is a TypeError where it is written.
    """

    slack_user_id: str = UNSET
    team_id: str = UNSET
    reason: str = UNSET
    console: bool = UNSET
    iam_user_name: str = UNSET
    state: State = UNSET
    credentials: Credentials = UNSET
    created_at: datetime | None = UNSET
    updated_at: datetime | None = UNSET
    decided_by: str | None = UNSET
    decided_at: datetime | None = UNSET
    closed_by: str | None = UNSET
    approval_channel: str | None = UNSET
    approval_ts: str | None = UNSET
    dm_channel: str | None = UNSET
    dm_ts: str | None = UNSET
    iam_user_arn: str | None = UNSET
    access_key_id: str | None = UNSET
    error: str | None = UNSET
    days: int | None = UNSET
    expires_at: datetime | None = UNSET
    reminded: str | None = UNSET
    extension_days: int | None = UNSET
    extension_ts: str | None = UNSET
    approvals: tuple[str, ...] = UNSET
    extension_approvals: tuple[str, ...] = UNSET
    undelivered_key_ids: tuple[str, ...] = UNSET
    iam_user_id: str | None = UNSET
    identity_store_user_id: str | None = UNSET
    assignment_created: bool | None = UNSET
    project: str = UNSET

    def given(self) -> dict[str, Any]:
        """The fields that are set, by name."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not UNSET}


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

    def with_undelivered_keys(self) -> list[Request]:
        """Requests that still list access keys nobody saw (their deletion failed)."""

    def claim(self, name: str, period: str) -> bool:
        """Claim `name` for `period` (e.g. the weekly review for "2026-W09"): True for exactly one caller, ever."""

    def stalled_before(self, cutoff: datetime) -> list[Request]:
        """Requests left mid-way (see is_stalled) untouched since `cutoff`: what a lost lazy run leaves behind."""


_COLUMNS = [f.name for f in fields(Request)]
_DATETIMES = {"created_at", "updated_at", "decided_at", "expires_at"}
_TUPLES = {"approvals", "extension_approvals", "undelivered_key_ids"}
_BOOLS = {"console", "assignment_created"}
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM requests"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    id TEXT PRIMARY KEY,
    slack_user_id TEXT NOT NULL,
    team_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    console INTEGER NOT NULL,
    iam_user_name TEXT NOT NULL,
    state TEXT NOT NULL,
    credentials TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    closed_by TEXT,
    approval_channel TEXT,
    approval_ts TEXT,
    dm_channel TEXT,
    dm_ts TEXT,
    iam_user_arn TEXT,
    access_key_id TEXT,
    error TEXT
);
CREATE INDEX IF NOT EXISTS requests_by_state ON requests (state, created_at);
CREATE INDEX IF NOT EXISTS requests_by_user ON requests (slack_user_id, created_at);
-- Once-per-period jobs (the weekly review post): the primary key is the compare-and-set.
CREATE TABLE IF NOT EXISTS claims (
    name TEXT NOT NULL,
    period TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    PRIMARY KEY (name, period)
);
"""

# Columns added after the first release: added to an existing database at start-up.
_ADDED_COLUMNS = {
    "days": "INTEGER",
    "expires_at": "TEXT",
    "reminded": "TEXT",
    "extension_days": "INTEGER",
    "extension_ts": "TEXT",
    "approvals": "TEXT NOT NULL DEFAULT ''",
    "extension_approvals": "TEXT NOT NULL DEFAULT ''",
    "undelivered_key_ids": "TEXT NOT NULL DEFAULT ''",
    "iam_user_id": "TEXT",
    "identity_store_user_id": "TEXT",
    "assignment_created": "INTEGER",
    "project": f"TEXT NOT NULL DEFAULT '{DEFAULT_PROJECT}'",
}
# One open request per Slack user and project, enforced by the database so two concurrent commands cannot both
# insert. Replaces the per-user index of releases before projects (after the project column exists).
_OPEN_INDEX = """
DROP INDEX IF EXISTS one_open_request_per_user;
CREATE UNIQUE INDEX IF NOT EXISTS one_open_request_per_user_and_project
    ON requests (slack_user_id, project) WHERE state IN ('pending', 'approved', 'active', 'revoking');
"""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SqliteRequestStore:
    """RequestStore on one SQLite file, safe to share between threads."""

    def __init__(self, path: str, *, clock: Any = _utcnow) -> None:
        self._clock = clock
        # One connection guarded by a lock: SQLite serialises writers anyway. A compare-and-set is one
        # conditional UPDATE, in one transaction with its audit row.
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._lock = threading.Lock()
        with self._lock:
            if path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)
            self._conn.executescript(AUDIT_SCHEMA)  # audit rows are written in the transition's transaction
            present = {row[1] for row in self._conn.execute("PRAGMA table_info(requests)")}
            for column, kind in _ADDED_COLUMNS.items():
                if column not in present:
                    self._conn.execute(f"ALTER TABLE requests ADD COLUMN {column} {kind}")
            # The sweep reads only what is due (expiring grants by their end); after the columns exist.
            self._conn.execute("CREATE INDEX IF NOT EXISTS requests_by_expiry ON requests (state, expires_at)")
            self._conn.executescript(_OPEN_INDEX)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    def create(self, request: Request, *, audit: AuditEvent | None = None) -> Request:
        """Insert a new request (and its audit event, atomically); raise OpenRequestExists if one is open."""
        now = self._clock()
        request = replace(request, created_at=request.created_at or now, updated_at=now)
        row = _to_row(request)
        sql = f"INSERT INTO requests ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
        try:
            with self._lock, self._transaction():
                self._conn.execute(sql, [row[c] for c in _COLUMNS])
                if audit is not None:
                    self._conn.execute(AUDIT_INSERT_SQL, audit_row(audit))
        except sqlite3.IntegrityError:
            existing = self.open_request_for(request.slack_user_id, request.project)
            if existing is None:  # the other request closed in between; a retry will succeed
                raise
            raise OpenRequestExists(existing) from None
        return request

    def get(self, request_id: str) -> Request | None:
        """The request with this id, or None."""
        return self._one(f"{_SELECT} WHERE id = ?", (request_id,))

    def open_request_for(self, slack_user_id: str, project: str | None = None) -> Request | None:
        """The user's open request in `project` (at most one exists; None: in any project, the oldest), or None."""
        marks = ", ".join("?" * len(OPEN_STATES))
        where, params = _user_and_project(slack_user_id, project)
        return self._one(
            f"{_SELECT} WHERE {where} AND state IN ({marks}) ORDER BY created_at, rowid LIMIT 1",
            (*params, *sorted(OPEN_STATES)),
        )

    def open_requests_for(self, slack_user_id: str) -> list[Request]:
        """The user's open requests, one per project at most, oldest first."""
        marks = ", ".join("?" * len(OPEN_STATES))
        return self._many(f"slack_user_id = ? AND state IN ({marks})", (slack_user_id, *sorted(OPEN_STATES)))

    def latest_for(self, slack_user_id: str, project: str | None = None) -> Request | None:
        """The user's most recent request in any state (in `project`, if given), or None."""
        where, params = _user_and_project(slack_user_id, project)
        return self._one(f"{_SELECT} WHERE {where} ORDER BY created_at DESC, rowid DESC LIMIT 1", params)

    def compare_and_set(
        self, request_id: str, expect: Fields, change: Fields, *, audit: AuditEvent | None = None
    ) -> Request | None:
        """Apply `change` only if every field of `expect` still holds; None when another actor got there first."""
        changes = {**change.given(), "updated_at": self._clock()}
        sets = ", ".join(f"{name} = ?" for name in changes)
        params: list[Any] = [_to_db(name, value) for name, value in changes.items()]
        where = ["id = ?"]
        params.append(request_id)
        for name, wanted in expect.given().items():
            options = allowed_values(wanted)
            values = [option for option in options if option is not None]
            # SQL's IN never matches NULL: an expected None is spelled IS NULL.
            tests = [f"{name} IN ({', '.join('?' * len(values))})"] if values else []
            if len(values) < len(options):
                tests.append(f"{name} IS NULL")
            where.append(f"({' OR '.join(tests)})")
            params.extend(_to_db(name, value) for value in values)
        sql = f"UPDATE requests SET {sets} WHERE {' AND '.join(where)}"
        with self._lock, self._transaction():
            updated = self._conn.execute(sql, params).rowcount
            if updated and audit is not None:
                self._conn.execute(AUDIT_INSERT_SQL, audit_row(audit))
        return self.get(request_id) if updated else None

    def in_states(self, states: Iterable[State]) -> list[Request]:
        """All requests in any of these states, oldest first."""
        wanted = [str(s) for s in states]
        marks = ", ".join("?" * len(wanted))
        with self._lock:
            rows = self._conn.execute(
                f"{_SELECT} WHERE state IN ({marks}) ORDER BY created_at, rowid",
                wanted,
            ).fetchall()
        return [_from_row(r) for r in rows]

    def pending_created_before(self, cutoff: datetime) -> list[Request]:
        """PENDING requests filed at or before `cutoff` (the sweep's undecided ones), oldest first."""
        return self._many("state = ? AND created_at <= ?", (State.PENDING, _to_db("created_at", cutoff)))

    def active_expiring_before(self, cutoff: datetime) -> list[Request]:
        """ACTIVE requests whose access ends at or before `cutoff` (expired, or due a reminder)."""
        return self._many("state = ? AND expires_at <= ?", (State.ACTIVE, _to_db("expires_at", cutoff)))

    def revoking_updated_before(self, cutoff: datetime) -> list[Request]:
        """REVOKING requests untouched since `cutoff` (removals that stalled)."""
        return self._many("state = ? AND updated_at <= ?", (State.REVOKING, _to_db("updated_at", cutoff)))

    def with_undelivered_keys(self) -> list[Request]:
        """Requests that still list access keys nobody saw (their deletion failed)."""
        return self._many("undelivered_key_ids != ''", ())

    def claim(self, name: str, period: str) -> bool:
        """Claim `name` for `period`: True for exactly one caller, ever (an INSERT the primary key lets once)."""
        with self._lock:
            inserted = self._conn.execute(
                "INSERT OR IGNORE INTO claims (name, period, claimed_at) VALUES (?, ?, ?)",
                (name, period, _to_db("created_at", self._clock())),
            ).rowcount
        return inserted == 1

    def stalled_before(self, cutoff: datetime) -> list[Request]:
        """Requests left mid-way (see is_stalled) untouched since `cutoff`, oldest first."""
        busy = tuple(str(c) for c in BUSY_CREDENTIALS)
        return self._many(
            "updated_at <= ? AND (state = ? OR (state = ? AND (approval_ts IS NULL OR approval_ts = '')) "
            f"OR (state = ? AND credentials IN ({', '.join('?' * len(busy))})))",
            (_to_db("updated_at", cutoff), State.APPROVED, State.PENDING, State.ACTIVE, *busy),
        )

    def _many(self, where: str, params: tuple[Any, ...]) -> list[Request]:
        with self._lock:
            rows = self._conn.execute(f"{_SELECT} WHERE {where} ORDER BY created_at, rowid", params).fetchall()
        return [_from_row(r) for r in rows]

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """One transaction (the caller holds the lock): a transition and its audit row land together."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _one(self, sql: str, params: tuple[Any, ...]) -> Request | None:
        with self._lock:
            row = self._conn.execute(sql, params).fetchone()
        return _from_row(row) if row else None


def _user_and_project(slack_user_id: str, project: str | None) -> tuple[str, tuple[str, ...]]:
    if project is None:
        return "slack_user_id = ?", (slack_user_id,)
    return "slack_user_id = ? AND project = ?", (slack_user_id, project)


def _to_db(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _DATETIMES:
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if name in _BOOLS:
        return int(bool(value))
    if name in _TUPLES:
        return ",".join(value)
    if isinstance(value, StrEnum):
        return str(value)
    return value


def _to_row(request: Request) -> dict[str, Any]:
    return {name: _to_db(name, getattr(request, name)) for name in _COLUMNS}


def _from_row(row: tuple[Any, ...]) -> Request:
    values = dict(zip(_COLUMNS, row, strict=True))
    for name in _DATETIMES:
        if values[name] is not None:
            values[name] = datetime.fromisoformat(values[name])
    for name in _BOOLS:
        if values[name] is not None:
            values[name] = bool(values[name])
    for name in _TUPLES:
        values[name] = tuple(v for v in (values[name] or "").split(",") if v)
    values["state"] = State(values["state"])
    values["credentials"] = Credentials(values["credentials"])
    return Request(**values)
