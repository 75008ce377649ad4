"""The request store on one SQLite file (the default): every transition one conditional UPDATE, in one
transaction with its audit row."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import fields, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from audit import INSERT_SQL as AUDIT_INSERT_SQL
from audit import SCHEMA as AUDIT_SCHEMA
from audit import AuditEvent, audit_row

from .model import (
    BUSY_CREDENTIALS,
    DEFAULT_PROJECT,
    OPEN_STATES,
    Credentials,
    Fields,
    OpenRequestExists,
    Request,
    State,
    allowed_values,
)

_COLUMNS = [f.name for f in fields(Request)]
_DATETIMES = {
    "created_at",
    "updated_at",
    "decided_at",
    "expires_at",
    "breakglass_acked_at",
    "last_reminded_at",
    "extension_asked_at",
}
_TUPLES = {"approvals", "extension_approvals", "undelivered_key_ids"}
_BOOLS = {"console", "assignment_created", "breakglass"}
_RETURNING = sqlite3.sqlite_version_info >= (3, 35)  # UPDATE ... RETURNING (Debian 12 and Ubuntu 22.04 ship newer)
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
-- Identity Center assignments the bot created, and for which request: the primary key is the compare-and-set.
CREATE TABLE IF NOT EXISTS assignments (
    assignment TEXT PRIMARY KEY,
    request_id TEXT NOT NULL,
    updated_at TEXT NOT NULL
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
    "breakglass": "INTEGER NOT NULL DEFAULT 0",
    "breakglass_ts": "TEXT",
    "breakglass_acked_by": "TEXT",
    "breakglass_acked_at": "TEXT",
    "reminders_sent": "INTEGER NOT NULL DEFAULT 0",
    "last_reminded_at": "TEXT",
    "extension_asked_at": "TEXT",
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
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=_WRITE_LOCK_WAIT)
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
            # The sweep's other reads, so that they too read only what is due, however many grants are active.
            self._conn.execute(
                "CREATE INDEX IF NOT EXISTS requests_by_progress ON requests (state, credentials, updated_at)"
            )
            self._conn.execute(
                "CREATE INDEX IF NOT EXISTS requests_with_undelivered_keys ON requests (updated_at) "
                "WHERE undelivered_key_ids != ''"
            )
            self._conn.execute(
                "CREATE INDEX IF NOT EXISTS requests_active_without_dm ON requests (updated_at) "
                "WHERE state = 'active' AND (dm_ts IS NULL OR dm_ts = '')"
            )
            # Extensions waiting on the leads, for their reminders: only those rows are in it.
            self._conn.execute(
                "CREATE INDEX IF NOT EXISTS requests_with_extension_asked ON requests (state, extension_asked_at) "
                "WHERE extension_asked_at IS NOT NULL"
            )
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

    def open_requests_for(self, slack_user_id: str, project: str | None = None) -> list[Request]:
        """The user's open requests, one per project at most (of `project` if given), oldest first."""
        marks = ", ".join("?" * len(OPEN_STATES))
        where, params = _user_and_project(slack_user_id, project)
        return self._many(f"{where} AND state IN ({marks})", (*params, *sorted(OPEN_STATES)))

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
        if not _RETURNING:
            with self._lock, self._transaction():
                updated = self._conn.execute(sql, params).rowcount
                if updated and audit is not None:
                    self._conn.execute(AUDIT_INSERT_SQL, audit_row(audit))
            return self.get(request_id) if updated else None
        # The row as written comes back with the write: no second read (and lock round) after every transition.
        with self._lock, self._transaction():
            rows = self._conn.execute(f"{sql} RETURNING {', '.join(_COLUMNS)}", params).fetchall()
            if rows and audit is not None:
                self._conn.execute(AUDIT_INSERT_SQL, audit_row(audit))
        return _from_row(rows[0]) if rows else None

    def in_states(self, states: Iterable[State], project: str | None = None) -> list[Request]:
        """All requests in any of these states (of `project` if given), oldest first."""
        wanted = [str(s) for s in states]
        return self._many(f"state IN ({', '.join('?' * len(wanted))})", tuple(wanted), project=project)

    def pending_created_before(self, cutoff: datetime, project: str | None = None) -> list[Request]:
        """PENDING requests filed at or before `cutoff` (the sweep's undecided ones), oldest first."""
        return self._many(
            "state = ? AND created_at <= ?", (State.PENDING, _to_db("created_at", cutoff)), project=project
        )

    def active_expiring_before(self, cutoff: datetime, project: str | None = None) -> list[Request]:
        """ACTIVE requests whose access ends at or before `cutoff` (expired, or due a reminder)."""
        return self._many(
            "state = ? AND expires_at <= ?", (State.ACTIVE, _to_db("expires_at", cutoff)), project=project
        )

    def revoking_updated_before(self, cutoff: datetime, project: str | None = None) -> list[Request]:
        """REVOKING requests untouched since `cutoff` (removals that stalled)."""
        return self._many(
            "state = ? AND updated_at <= ?", (State.REVOKING, _to_db("updated_at", cutoff)), project=project
        )

    def extensions_asked_before(self, cutoff: datetime, project: str | None = None) -> list[Request]:
        """ACTIVE requests with an extension asked at or before `cutoff` and not yet decided (due a reminder)."""
        return self._many(
            "state = ? AND extension_asked_at IS NOT NULL AND extension_asked_at <= ?",
            (State.ACTIVE, _to_db("extension_asked_at", cutoff)),
            project=project,
        )

    def with_undelivered_keys(self, project: str | None = None) -> list[Request]:
        """Requests that still list access keys nobody saw (their deletion failed)."""
        return self._many("undelivered_key_ids != ''", (), project=project)

    def claim(self, name: str, period: str) -> bool:
        """Claim `name` for `period`: True for exactly one caller, ever (an INSERT the primary key lets once)."""
        with self._lock:
            inserted = self._conn.execute(
                "INSERT OR IGNORE INTO claims (name, period, claimed_at) VALUES (?, ?, ?)",
                (name, period, _to_db("created_at", self._clock())),
            ).rowcount
        return inserted == 1

    def stalled_before(self, cutoff: datetime, project: str | None = None) -> list[Request]:
        """Requests left mid-way (see is_stalled) untouched since `cutoff`, oldest first."""
        before = _to_db("updated_at", cutoff)
        # Three index range reads (state, credentials, updated_at), not a walk over every active grant.
        found = self._many("state = ? AND updated_at <= ?", (State.APPROVED, before), project=project)
        found += self._many(
            "state = ? AND updated_at <= ? AND (approval_ts IS NULL OR approval_ts = '')",
            (State.PENDING, before),
            project=project,
        )
        # Written as the partial index requests_active_without_dm is, so SQLite reads only that index.
        found += self._many(
            "state = 'active' AND (dm_ts IS NULL OR dm_ts = '') AND updated_at <= ?",
            (before,),
            index="requests_active_without_dm",
            project=project,
        )
        for busy in sorted(BUSY_CREDENTIALS):
            found += self._many(
                "state = ? AND credentials = ? AND updated_at <= ?", (State.ACTIVE, str(busy), before), project=project
            )
        unique = {r.id: r for r in found}  # ACTIVE without a DM may also have busy credentials
        return sorted(unique.values(), key=lambda r: (r.created_at or cutoff, r.id))

    def assignment_holder(self, assignment: str) -> str | None:
        """The request recorded as having created this assignment, or None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT request_id FROM assignments WHERE assignment = ?", (assignment,)
            ).fetchone()
        return row[0] if row else None

    def set_assignment_holder(self, assignment: str, expect: str | None, holder: str | None) -> bool:
        """Compare-and-set the assignment's record (one statement, so one of several racing callers wins)."""
        now = _to_db("updated_at", self._clock())
        if expect is None and holder is None:
            return self.assignment_holder(assignment) is None
        if expect is None:
            sql, params = "INSERT OR IGNORE INTO assignments VALUES (?, ?, ?)", (assignment, holder, now)
        elif holder is None:
            sql, params = "DELETE FROM assignments WHERE assignment = ? AND request_id = ?", (assignment, expect)
        else:
            sql = "UPDATE assignments SET request_id = ?, updated_at = ? WHERE assignment = ? AND request_id = ?"
            params = (holder, now, assignment, expect)
        with self._lock:
            return self._conn.execute(sql, params).rowcount == 1

    def _many(
        self, where: str, params: tuple[Any, ...], *, index: str = "", project: str | None = None
    ) -> list[Request]:
        indexed = f" INDEXED BY {index}" if index else ""
        if project is not None:  # the project is part of the query: a project's flows never see another's
            where, params = f"({where}) AND project = ?", (*params, project)
        with self._lock:
            rows = self._conn.execute(f"{_SELECT}{indexed} WHERE {where} ORDER BY created_at, rowid", params).fetchall()
        return [_from_row(r) for r in rows]

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """One transaction (the caller holds the lock): a transition and its audit row land together."""
        _begin_immediate(self._conn)
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


# SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25 ms... between tries for the write lock: under a burst
# with lazy-listener worker processes writing the same file, an ack's one write (Show credentials' claim) waited
# those steps behind transactions that take well under a millisecond. Retrying sooner keeps that wait short.
_WRITE_LOCK_WAIT = 30.0  # seconds, as the connection's own timeout
_RETRY_FIRST, _RETRY_MAX = 0.0002, 0.005  # seconds between tries, doubling


def _begin_immediate(conn: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE (take the write lock), retrying at short intervals while another process holds it."""
    delay, deadline = _RETRY_FIRST, time.monotonic() + _WRITE_LOCK_WAIT
    conn.execute("PRAGMA busy_timeout = 0")  # this connection's other statements keep the 30 s handler
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, _RETRY_MAX)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(_WRITE_LOCK_WAIT * 1000)}")


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
