"""The reminder fields (reminders_sent, last_reminded_at, extension_asked_at) in both stores: they round-trip, a
reminder's claim is a compare-and-set one caller wins, the sweep finds waiting extensions through an index, and
requests stored before the fields existed read and match as never reminded."""

from __future__ import annotations

import io
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest

from ops.create_table import ensure_table
from store import Fields, SqliteRequestStore, State
from store.dynamodb_table import BY_STATE_EXTENSION, TABLE_DEFINITION, request_key
from tests.store.conftest import TABLE, Backend, new

dynamodb_only = pytest.mark.parametrize("backend", ["dynamodb"], indirect=True)


def test_reminder_fields_round_trip(backend: Backend) -> None:
    now = backend.clock.now
    backend.store.create(new(reminders_sent=2, last_reminded_at=now, extension_asked_at=now - timedelta(hours=1)))
    got = backend.store.get("r0")
    assert (got.reminders_sent, got.last_reminded_at, got.extension_asked_at) == (
        2,
        now,
        now - timedelta(hours=1),
    )
    assert backend.store.create(new(1, user="UOTHER")).reminders_sent == 0
    assert backend.store.get("r1").reminders_sent == 0 and backend.store.get("r1").last_reminded_at is None


def test_a_reminder_claim_is_won_by_one_of_many(backend: Backend) -> None:
    backend.store.create(new())
    now = backend.clock.now

    def claim(_: int) -> bool:
        won = backend.store.compare_and_set(
            "r0",
            Fields(state=State.PENDING, reminders_sent=0),
            Fields(reminders_sent=1, last_reminded_at=now),
        )
        return won is not None

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert sum(pool.map(claim, range(6))) == 1
    got = backend.store.get("r0")
    assert got.reminders_sent == 1 and got.last_reminded_at == now
    # Back to 0 (a new extension asked) is stored as the absent attribute in DynamoDB, and matches 0 again.
    assert backend.store.compare_and_set("r0", Fields(reminders_sent=1), Fields(reminders_sent=0)) is not None
    assert backend.store.compare_and_set("r0", Fields(reminders_sent=0), Fields(reminders_sent=1)) is not None


def test_extensions_asked_before_finds_only_waiting_extensions_of_active_requests(backend: Backend) -> None:
    now = backend.clock.now
    backend.store.create(new(0, state=State.ACTIVE, extension_days=7, extension_asked_at=now - timedelta(hours=2)))
    backend.store.create(new(1, user="U1", state=State.ACTIVE, extension_days=7, extension_asked_at=now))
    backend.store.create(new(2, user="U2", state=State.ACTIVE))  # no extension asked
    backend.store.create(new(3, user="U3", state=State.PENDING, project="other"))
    backend.store.create(
        new(4, user="U4", state=State.ACTIVE, extension_days=7, extension_asked_at=now, project="other")
    )
    assert [r.id for r in backend.store.extensions_asked_before(now - timedelta(hours=1))] == ["r0"]
    assert [r.id for r in backend.store.extensions_asked_before(now)] == ["r0", "r1", "r4"]
    assert [r.id for r in backend.store.extensions_asked_before(now, project="other")] == ["r4"]
    # Decided: the field is cleared and the request leaves the index.
    backend.store.compare_and_set(
        "r0", Fields(state=State.ACTIVE), Fields(extension_days=None, extension_asked_at=None)
    )
    assert [r.id for r in backend.store.extensions_asked_before(now)] == ["r1", "r4"]


def test_sqlite_database_of_an_earlier_release_gains_the_fields(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    old = sqlite3.connect(path)
    old.executescript(
        """CREATE TABLE requests (id TEXT PRIMARY KEY, slack_user_id TEXT NOT NULL, team_id TEXT NOT NULL,
        reason TEXT NOT NULL, console INTEGER NOT NULL, iam_user_name TEXT NOT NULL, state TEXT NOT NULL,
        credentials TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, decided_by TEXT,
        decided_at TEXT, closed_by TEXT, approval_channel TEXT, approval_ts TEXT, dm_channel TEXT, dm_ts TEXT,
        iam_user_arn TEXT, access_key_id TEXT, error TEXT);
        INSERT INTO requests VALUES ('old', 'UDEV', 'T', 'why', 0, 'u', 'pending', 'none',
        '2026-03-01T12:00:00.000000+00:00', '2026-03-01T12:00:00.000000+00:00', NULL, NULL, NULL, 'C', '1.0',
        NULL, NULL, NULL, NULL, NULL);"""
    )
    old.close()
    store = SqliteRequestStore(path)
    got = store.get("old")
    assert got is not None and got.reminders_sent == 0 and got.last_reminded_at is None
    assert store.compare_and_set("old", Fields(reminders_sent=0), Fields(reminders_sent=1)) is not None
    store.close()


@dynamodb_only
def test_dynamodb_item_of_an_earlier_release_matches_as_never_reminded(backend: Backend) -> None:
    backend.store.create(new())
    item = backend.client.get_item(TableName=TABLE, Key=request_key("r0"))["Item"]
    assert "reminders_sent" not in item  # 0 is the absent attribute, as on items written before the field
    claimed = backend.store.compare_and_set(
        "r0", Fields(state=State.PENDING, reminders_sent=0), Fields(reminders_sent=1)
    )
    assert claimed is not None and claimed.reminders_sent == 1


@dynamodb_only
def test_create_table_adds_the_extension_index_to_a_table_of_an_earlier_release(backend: Backend) -> None:
    earlier = {
        **TABLE_DEFINITION,
        "AttributeDefinitions": [
            a for a in TABLE_DEFINITION["AttributeDefinitions"] if a["AttributeName"] != "extension_asked_at"
        ],
        "GlobalSecondaryIndexes": [
            i for i in TABLE_DEFINITION["GlobalSecondaryIndexes"] if i["IndexName"] != BY_STATE_EXTENSION
        ],
    }
    backend.client.create_table(TableName="earlier", **earlier)
    out = io.StringIO()
    assert ensure_table(backend.client, "earlier", out) == 0
    assert f"added index {BY_STATE_EXTENSION}" in out.getvalue()
    table = backend.client.describe_table(TableName="earlier")["Table"]
    assert BY_STATE_EXTENSION in {i["IndexName"] for i in table["GlobalSecondaryIndexes"]}
