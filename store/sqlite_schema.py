"""The SQLite file's layout: the requests table, the columns added since the first release, and how a `Request`
becomes a row and back (store/sqlite.py does the reads and the compare-and-set writes)."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from .model import DEFAULT_PROJECT, Credentials, Request, State, fields_of_type

COLUMNS = [f.name for f in fields(Request)]
DATETIMES = fields_of_type(datetime)
TUPLES = fields_of_type(tuple)
BOOLS = fields_of_type(bool)
SCHEMA = """
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
ADDED_COLUMNS = {
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
OPEN_INDEX = """
DROP INDEX IF EXISTS one_open_request_per_user;
CREATE UNIQUE INDEX IF NOT EXISTS one_open_request_per_user_and_project
    ON requests (slack_user_id, project) WHERE state IN ('pending', 'approved', 'active', 'revoking');
"""


def to_db(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in DATETIMES:
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if name in BOOLS:
        return int(bool(value))
    if name in TUPLES:
        return ",".join(value)
    if isinstance(value, StrEnum):
        return str(value)
    return value


def to_row(request: Request) -> dict[str, Any]:
    return {name: to_db(name, getattr(request, name)) for name in COLUMNS}


def from_row(row: tuple[Any, ...]) -> Request:
    values = dict(zip(COLUMNS, row, strict=True))
    for name in DATETIMES:
        if values[name] is not None:
            values[name] = datetime.fromisoformat(values[name])
    for name in BOOLS:
        if values[name] is not None:
            values[name] = bool(values[name])
    for name in TUPLES:
        values[name] = tuple(v for v in (values[name] or "").split(",") if v)
    values["state"] = State(values["state"])
    values["credentials"] = Credentials(values["credentials"])
    return Request(**values)
