"""One store contract, two backends: SQLite in a temporary file and DynamoDB on moto."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from audit import AuditLog, SqliteAuditLog
from ops.aws import build_dynamodb_client
from ops.create_table import ensure_table
from store import Request, SqliteRequestStore
from store.dynamodb import DynamoRequestStore
from store.dynamodb_audit import DynamoAuditLog
from tests.fakes.moto_dynamodb import atomic_moto_dynamodb

TABLE = "amplify-dev-test"
RETENTION_DAYS = 400


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Backend:
    """A store under test, its audit log, and (DynamoDB only) the client and a way to open a second store."""

    name: str
    store: Any
    audit: AuditLog
    clock: Clock
    reopen: Callable[[], Any]
    client: Any = None
    calls: list[str] = field(default_factory=list)  # DynamoDB operations made, in order


def new(i: int = 0, user: str = "UDEV", **fields: Any) -> Request:
    """A new request r<i> for `user`."""
    base: dict[str, Any] = {"team_id": "T", "reason": "why", "console": False, "iam_user_name": "u"}
    return Request(id=f"r{i}", slack_user_id=user, **{**base, **fields})


@pytest.fixture(params=["sqlite", "dynamodb"])
def backend(request: pytest.FixtureRequest, tmp_path: Path, aws_env: None) -> Iterator[Backend]:
    clock = Clock()
    if request.param == "sqlite":
        path = str(tmp_path / "s.db")
        store = SqliteRequestStore(path, clock=clock)
        audit = SqliteAuditLog(path)
        yield Backend("sqlite", store, audit, clock, reopen=lambda: SqliteRequestStore(path, clock=clock))
        store.close()
        audit.close()
        return
    with mock_aws(), atomic_moto_dynamodb():
        client = build_dynamodb_client("eu-west-1")
        assert ensure_table(client, TABLE, io.StringIO()) == 0
        backend = Backend(
            "dynamodb",
            DynamoRequestStore(TABLE, client, clock=clock, retention_days=RETENTION_DAYS),
            DynamoAuditLog(TABLE, client, clock=clock, retention_days=RETENTION_DAYS),
            clock,
            # Another process on the same table: its own client, no shared memory.
            reopen=lambda: DynamoRequestStore(TABLE, build_dynamodb_client("eu-west-1"), clock=clock),
            client=client,
        )
        client.meta.events.register("before-call.dynamodb.*", lambda model, **_: backend.calls.append(model.name))
        yield backend
