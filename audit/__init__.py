"""The audit trail: one row per transition (who acted, for whom, what happened), append-only, never a secret."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Any, Protocol

# DynamoDB only: closed requests and audit events are deleted this many days after they close.
DEFAULT_RETENTION_DAYS = 400

EVENTS = (
    "requested",
    "approved",
    "denied",
    "provisioned",
    "credentials_shown",
    "rotated",
    "removed",
    "failed",
    "expired",
    "cancelled",
    "extended",
    "extension_requested",  # the requester asked the leads for more days
    "extension_denied",
    "refused",  # the requester policy refused someone (guest, bot, deactivated, not listed): nothing was filed
    "reminded",  # the leads were reminded of an undecided request or extension (detail: which reminder)
)


@dataclass(frozen=True)
class AuditEvent:
    """One thing that happened to a request."""

    at: datetime
    event: str  # one of EVENTS
    actor: str | None  # Slack user who acted (None for the bot itself, e.g. expiry)
    subject: str | None  # Slack user the access is for
    request_id: str | None
    iam_user: str | None
    outcome: str = "ok"  # "ok", or a short failure code such as "AccessDenied"
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (ISO 8601 UTC time)."""
        data = asdict(self)
        data["at"] = self.at.astimezone(UTC).isoformat(timespec="seconds")
        return data


class AuditLog(Protocol):
    """Where audit events go; SQLite now, DynamoDB later."""

    def append(self, event: AuditEvent) -> None:
        """Record one event."""

    def events(self, since: datetime | None = None) -> list[AuditEvent]:
        """Events at or after `since` (all if None), oldest first."""


COLUMNS = [f.name for f in fields(AuditEvent)]
INSERT_SQL = f"INSERT INTO audit ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    actor TEXT,
    subject TEXT,
    request_id TEXT,
    iam_user TEXT,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit (at);
"""


def audit_row(event: AuditEvent) -> list[Any]:
    """The event as the values of an INSERT_SQL row."""
    row = event.to_dict()
    return [row[c] for c in COLUMNS]


class SqliteAuditLog:
    """AuditLog in a SQLite file (the same file as the request store is fine)."""

    def __init__(self, path: str) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.executescript(SCHEMA)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    def append(self, event: AuditEvent) -> None:
        """Record one event."""
        with self._lock:
            self._conn.execute(INSERT_SQL, audit_row(event))

    def events(self, since: datetime | None = None) -> list[AuditEvent]:
        """Events at or after `since` (all if None), oldest first."""
        sql = f"SELECT {', '.join(COLUMNS)} FROM audit"
        params: list[Any] = []
        if since is not None:
            sql += " WHERE at >= ?"
            params.append(since.astimezone(UTC).isoformat(timespec="seconds"))
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY at, seq", params).fetchall()
        return [AuditEvent(**{**dict(zip(COLUMNS, r, strict=True)), "at": datetime.fromisoformat(r[0])}) for r in rows]
