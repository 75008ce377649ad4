"""Break-glass's store fields, for SQLite and DynamoDB alike: the flag, its post, and the acknowledgement, which
moves by compare-and-set (two leads acknowledging at once: one acknowledgement, one audit row)."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from audit import AuditEvent
from store import Fields, SqliteRequestStore, State
from tests.store.conftest import Backend, new

WHEN = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)


def test_breakglass_fields_round_trip_with_their_types(backend: Backend) -> None:
    backend.store.create(
        new(
            state=State.ACTIVE,
            breakglass=True,
            breakglass_ts="9.9",
            breakglass_acked_by="ULEAD",
            breakglass_acked_at=WHEN,
        )
    )
    got = backend.store.get("r0")
    assert got.breakglass is True and got.breakglass_ts == "9.9"
    assert got.breakglass_acked_by == "ULEAD" and got.breakglass_acked_at == WHEN
    backend.store.create(new(1, user="UOTHER"))
    plain = backend.store.get("r1")
    assert plain.breakglass is False and plain.breakglass_ts is None and plain.breakglass_acked_at is None


def test_two_acknowledgements_at_once_make_one_with_one_audit_row(backend: Backend) -> None:
    backend.store.create(new(state=State.ACTIVE, breakglass=True))
    expect = Fields(breakglass=True, breakglass_acked_by=None)

    def acknowledge(lead: str) -> bool:
        audit = AuditEvent(
            at=WHEN, event="breakglass_acknowledged", actor=lead, subject="UDEV", request_id="r0", iam_user="u"
        )
        change = Fields(breakglass_acked_by=lead, breakglass_acked_at=WHEN)
        return backend.store.compare_and_set("r0", expect, change, audit=audit) is not None

    with ThreadPoolExecutor(max_workers=2) as pool:
        won = list(pool.map(acknowledge, ["ULEAD", "ULEAD2"]))
    assert sorted(won) == [False, True]
    assert backend.store.get("r0").breakglass_acked_by == ("ULEAD" if won[0] else "ULEAD2")
    rows = [e for e in backend.audit.events() if e.event == "breakglass_acknowledged"]
    assert len(rows) == 1


def test_a_request_not_taken_by_breakglass_cannot_be_acknowledged(backend: Backend) -> None:
    backend.store.create(new(state=State.ACTIVE))
    change = Fields(breakglass_acked_by="ULEAD", breakglass_acked_at=WHEN)
    assert backend.store.compare_and_set("r0", Fields(breakglass=True, breakglass_acked_by=None), change) is None


def test_an_old_database_gains_the_breakglass_columns(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    SqliteRequestStore(path).close()
    conn = sqlite3.connect(path)
    for column in ("breakglass", "breakglass_ts", "breakglass_acked_by", "breakglass_acked_at"):
        conn.execute(f"ALTER TABLE requests DROP COLUMN {column}")
    conn.execute(
        "INSERT INTO requests (id, slack_user_id, team_id, reason, console, iam_user_name, state, credentials, "
        "created_at, updated_at) VALUES ('rold', 'UDEV', 'T', 'why', 0, 'u', 'active', 'shown', "
        "'2026-01-01T00:00:00.000000+00:00', '2026-01-01T00:00:00.000000+00:00')"
    )
    conn.commit()
    conn.close()
    store = SqliteRequestStore(path)
    try:
        old = store.get("rold")
        assert old is not None and old.breakglass is False and old.breakglass_acked_by is None
    finally:
        store.close()
