"""Request state: a small store interface and its SQLite implementation.

Every state change is a compare-and-set (`UPDATE ... WHERE id=? AND state=?`): whoever loses a race
(double click, two leads, a replayed payload) changes nothing and learns the current state instead.
No secret is ever stored here; only public identifiers (request id, IAM user name and ARN, Slack ids).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol


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


OPEN_STATES = frozenset({State.PENDING, State.APPROVED, State.ACTIVE, State.REVOKING})


class Credentials(StrEnum):
    """Whether the requester has been shown a key yet; moves by compare-and-set like State."""

    NONE = "none"  # no key minted yet: the Show credentials button is live
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
    approvals: str = ""  # comma-separated approvers so far, when more than one approval is required
    extension_approvals: str = ""  # the same for the extension waiting on the leads

    @property
    def is_open(self) -> bool:
        """True while the request holds or may still grant access."""
        return self.state in OPEN_STATES


class OpenRequestExists(Exception):
    """The user already has an open request; carries it so the caller can say what state it is in."""

    def __init__(self, existing: Request) -> None:
        super().__init__(f"request {existing.id} is still {existing.state}")
        self.existing = existing


Expected = Any | Collection[Any]


class RequestStore(Protocol):
    """What the workflow needs from persistence: SQLite now, DynamoDB conditional writes later."""

    def create(self, request: Request) -> Request:
        """Insert a new request; raise OpenRequestExists if the user already has an open one."""

    def get(self, request_id: str) -> Request | None:
        """The request with this id, or None."""

    def open_request_for(self, slack_user_id: str) -> Request | None:
        """The user's open request (at most one exists), or None."""

    def latest_for(self, slack_user_id: str) -> Request | None:
        """The user's most recent request in any state, or None."""

    def compare_and_set(
        self, request_id: str, expect: Mapping[str, Expected], changes: Mapping[str, Any]
    ) -> Request | None:
        """Apply changes only if every expected field still holds (a value or a collection of allowed values).

        Returns the updated request, or None when another actor got there first.
        """

    def in_states(self, states: Iterable[State]) -> list[Request]:
        """All requests in any of these states, oldest first."""


_COLUMNS = [f.name for f in fields(Request)]
_DATETIMES = {"created_at", "updated_at", "decided_at", "expires_at"}
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
-- One open request per Slack user, enforced by the database so two concurrent commands cannot both insert.
CREATE UNIQUE INDEX IF NOT EXISTS one_open_request_per_user
    ON requests (slack_user_id) WHERE state IN ('pending', 'approved', 'active', 'revoking');
CREATE INDEX IF NOT EXISTS requests_by_state ON requests (state, created_at);
CREATE INDEX IF NOT EXISTS requests_by_user ON requests (slack_user_id, created_at);
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
}


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SqliteRequestStore:
    """RequestStore on one SQLite file, safe to share between threads."""

    def __init__(self, path: str, *, clock: Any = _utcnow) -> None:
        self._clock = clock
        # One connection guarded by a lock: SQLite serialises writers anyway, and each compare-and-set
        # is a single UPDATE statement, so it is atomic without an explicit transaction.
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._lock = threading.Lock()
        with self._lock:
            if path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)
            present = {row[1] for row in self._conn.execute("PRAGMA table_info(requests)")}
            for column, kind in _ADDED_COLUMNS.items():
                if column not in present:
                    self._conn.execute(f"ALTER TABLE requests ADD COLUMN {column} {kind}")

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    def create(self, request: Request) -> Request:
        """Insert a new request; raise OpenRequestExists if the user already has an open one."""
        now = self._clock()
        request = replace(request, created_at=request.created_at or now, updated_at=now)
        row = _to_row(request)
        sql = f"INSERT INTO requests ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
        try:
            with self._lock:
                self._conn.execute(sql, [row[c] for c in _COLUMNS])
        except sqlite3.IntegrityError:
            existing = self.open_request_for(request.slack_user_id)
            if existing is None:  # the other request closed in between; a retry will succeed
                raise
            raise OpenRequestExists(existing) from None
        return request

    def get(self, request_id: str) -> Request | None:
        """The request with this id, or None."""
        return self._one(f"{_SELECT} WHERE id = ?", (request_id,))

    def open_request_for(self, slack_user_id: str) -> Request | None:
        """The user's open request (at most one exists), or None."""
        marks = ", ".join("?" * len(OPEN_STATES))
        return self._one(
            f"{_SELECT} WHERE slack_user_id = ? AND state IN ({marks})",
            (slack_user_id, *sorted(OPEN_STATES)),
        )

    def latest_for(self, slack_user_id: str) -> Request | None:
        """The user's most recent request in any state, or None."""
        return self._one(
            f"{_SELECT} WHERE slack_user_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1",
            (slack_user_id,),
        )

    def compare_and_set(
        self, request_id: str, expect: Mapping[str, Expected], changes: Mapping[str, Any]
    ) -> Request | None:
        """Apply changes only if every expected field still holds; None when another actor got there first."""
        unknown = (set(expect) | set(changes)) - set(_COLUMNS)
        if unknown:
            raise ValueError(f"unknown request fields: {sorted(unknown)}")
        changes = {**changes, "updated_at": self._clock()}
        sets = ", ".join(f"{name} = ?" for name in changes)
        params: list[Any] = [_to_db(name, value) for name, value in changes.items()]
        where = ["id = ?"]
        params.append(request_id)
        for name, wanted in expect.items():
            options = list(wanted) if _is_collection(wanted) else [wanted]
            values = [option for option in options if option is not None]
            # SQL's IN never matches NULL: an expected None is spelled IS NULL.
            tests = [f"{name} IN ({', '.join('?' * len(values))})"] if values else []
            if len(values) < len(options):
                tests.append(f"{name} IS NULL")
            where.append(f"({' OR '.join(tests)})")
            params.extend(_to_db(name, value) for value in values)
        sql = f"UPDATE requests SET {sets} WHERE {' AND '.join(where)}"
        with self._lock:
            updated = self._conn.execute(sql, params).rowcount
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

    def _one(self, sql: str, params: tuple[Any, ...]) -> Request | None:
        with self._lock:
            row = self._conn.execute(sql, params).fetchone()
        return _from_row(row) if row else None


def _is_collection(value: Any) -> bool:
    return isinstance(value, Collection) and not isinstance(value, str)


def _to_db(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _DATETIMES:
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if name == "console":
        return int(bool(value))
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
    values["console"] = bool(values["console"])
    values["state"] = State(values["state"])
    values["credentials"] = Credentials(values["credentials"])
    return Request(**values)
