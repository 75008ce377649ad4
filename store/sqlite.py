"""The request store on one SQLite file (the default): every transition one conditional UPDATE, in one
transaction with its audit row."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from audit import INSERT_SQL as AUDIT_INSERT_SQL
from audit import SCHEMA as AUDIT_SCHEMA
from audit import AuditEvent, audit_row

from .model import (
    BUSY_CREDENTIALS,
    OPEN_STATES,
    Fields,
    OpenRequestExists,
    Request,
    State,
    allowed_values,
)
from .sqlite_schema import ADDED_COLUMNS, COLUMNS, OPEN_INDEX, SCHEMA, from_row, to_db, to_row

_RETURNING = sqlite3.sqlite_version_info >= (3, 35)  # UPDATE ... RETURNING (Debian 12 and Ubuntu 22.04 ship newer)
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM requests"


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
            self._conn.executescript(SCHEMA)
            self._conn.executescript(AUDIT_SCHEMA)  # audit rows are written in the transition's transaction
            present = {row[1] for row in self._conn.execute("PRAGMA table_info(requests)")}
            for column, kind in ADDED_COLUMNS.items():
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
            self._conn.executescript(OPEN_INDEX)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    def create(self, request: Request, *, audit: AuditEvent | None = None) -> Request:
        """Insert a new request (and its audit event, atomically); raise OpenRequestExists if one is open."""
        now = self._clock()
        request = replace(request, created_at=request.created_at or now, updated_at=now)
        row = to_row(request)
        sql = f"INSERT INTO requests ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
        try:
            with self._lock, self._transaction():
                self._conn.execute(sql, [row[c] for c in COLUMNS])
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
        params: list[Any] = [to_db(name, value) for name, value in changes.items()]
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
            params.extend(to_db(name, value) for value in values)
        sql = f"UPDATE requests SET {sets} WHERE {' AND '.join(where)}"
        if not _RETURNING:
            with self._lock, self._transaction():
                updated = self._conn.execute(sql, params).rowcount
                if updated and audit is not None:
                    self._conn.execute(AUDIT_INSERT_SQL, audit_row(audit))
            return self.get(request_id) if updated else None
        # The row as written comes back with the write: no second read (and lock round) after every transition.
        with self._lock, self._transaction():
            rows = self._conn.execute(f"{sql} RETURNING {', '.join(COLUMNS)}", params).fetchall()
            if rows and audit is not None:
                self._conn.execute(AUDIT_INSERT_SQL, audit_row(audit))
        return from_row(rows[0]) if rows else None

    def in_states(self, states: Iterable[State], project: str | None = None) -> list[Request]:
        """All requests in any of these states (of `project` if given), oldest first."""
        wanted = [str(s) for s in states]
        return self._many(f"state IN ({', '.join('?' * len(wanted))})", tuple(wanted), project=project)

    def pending_created_before(self, cutoff: datetime, project: str | None = None) -> list[Request]:
        """PENDING requests filed at or before `cutoff` (the sweep's undecided ones), oldest first."""
        return self._many(
            "state = ? AND created_at <= ?", (State.PENDING, to_db("created_at", cutoff)), project=project
        )

    def active_expiring_before(self, cutoff: datetime, project: str | None = None) -> list[Request]:
        """ACTIVE requests whose access ends at or before `cutoff` (expired, or due a reminder)."""
        return self._many("state = ? AND expires_at <= ?", (State.ACTIVE, to_db("expires_at", cutoff)), project=project)

    def revoking_updated_before(self, cutoff: datetime, project: str | None = None) -> list[Request]:
        """REVOKING requests untouched since `cutoff` (removals that stalled)."""
        return self._many(
            "state = ? AND updated_at <= ?", (State.REVOKING, to_db("updated_at", cutoff)), project=project
        )

    def extensions_asked_before(self, cutoff: datetime, project: str | None = None) -> list[Request]:
        """ACTIVE requests with an extension asked at or before `cutoff` and not yet decided (due a reminder)."""
        return self._many(
            "state = ? AND extension_asked_at IS NOT NULL AND extension_asked_at <= ?",
            (State.ACTIVE, to_db("extension_asked_at", cutoff)),
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
                (name, period, to_db("created_at", self._clock())),
            ).rowcount
        return inserted == 1

    def stalled_before(self, cutoff: datetime, project: str | None = None) -> list[Request]:
        """Requests left mid-way (see is_stalled) untouched since `cutoff`, oldest first."""
        before = to_db("updated_at", cutoff)
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
        now = to_db("updated_at", self._clock())
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
        return [from_row(r) for r in rows]

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
        return from_row(row) if row else None


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
