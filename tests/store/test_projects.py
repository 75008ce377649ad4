"""Issue 13 in the store: one open request per person *per project*, on both backends."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from store import DEFAULT_PROJECT, Fields, OpenRequestExists, SqliteRequestStore, State
from tests.store.conftest import Backend, new


def test_one_open_request_per_user_and_project(backend: Backend) -> None:
    backend.store.create(new(0, project="web"))
    backend.clock.advance(seconds=1)
    backend.store.create(new(1, project="api"))  # another project: allowed
    with pytest.raises(OpenRequestExists) as raised:
        backend.store.create(new(2, project="web"))
    assert raised.value.existing.id == "r0"
    assert backend.store.open_request_for("UDEV", "web").id == "r0"
    assert backend.store.open_request_for("UDEV", "api").id == "r1"
    assert backend.store.open_request_for("UDEV", "other") is None
    assert backend.store.open_request_for("UDEV").id == "r0"  # no project named: the oldest open one
    assert [r.id for r in backend.store.open_requests_for("UDEV")] == ["r0", "r1"]
    assert backend.store.get("r1").project == "api"


def test_closing_one_project_leaves_the_other_open_and_reopens_only_its_own(backend: Backend) -> None:
    backend.store.create(new(0, project="web"))
    backend.store.create(new(1, project="api"))
    assert backend.store.compare_and_set("r0", Fields(state=State.PENDING), Fields(state=State.DENIED))
    assert [r.id for r in backend.store.open_requests_for("UDEV")] == ["r1"]
    backend.clock.advance(seconds=1)
    assert backend.store.create(new(2, project="web")).id == "r2"
    assert backend.store.latest_for("UDEV", "web").id == "r2"
    assert backend.store.latest_for("UDEV", "api").id == "r1"
    assert backend.store.latest_for("UDEV", "nope") is None


def test_latest_for_a_project_skips_newer_requests_of_other_projects(backend: Backend) -> None:
    backend.store.create(new(0, project="web"))
    backend.store.compare_and_set("r0", Fields(state=State.PENDING), Fields(state=State.DENIED))
    backend.clock.advance(minutes=1)
    backend.store.create(new(1, project="api"))
    backend.store.compare_and_set("r1", Fields(state=State.PENDING), Fields(state=State.DENIED))
    assert backend.store.latest_for("UDEV").id == "r1"
    assert backend.store.latest_for("UDEV", "web").id == "r0"


def test_concurrent_creates_in_two_projects_make_one_request_each(backend: Backend) -> None:
    def attempt(i: int) -> str:
        try:
            return backend.store.create(new(i, project="web" if i % 2 else "api")).project
        except OpenRequestExists:
            return "refused"

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(attempt, range(16)))
    assert sorted(r for r in results if r != "refused") == ["api", "web"]


def test_a_request_without_a_project_is_the_default_projects(backend: Backend) -> None:
    backend.store.create(new(0))
    assert backend.store.get("r0").project == DEFAULT_PROJECT
    assert backend.store.open_request_for("UDEV", DEFAULT_PROJECT).id == "r0"


def test_an_old_database_gains_the_project_column_and_the_per_project_rule(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE requests (id TEXT PRIMARY KEY, slack_user_id TEXT NOT NULL, team_id TEXT NOT NULL,
            reason TEXT NOT NULL, console INTEGER NOT NULL, iam_user_name TEXT NOT NULL, state TEXT NOT NULL,
            credentials TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, decided_by TEXT,
            decided_at TEXT, closed_by TEXT, approval_channel TEXT, approval_ts TEXT, dm_channel TEXT, dm_ts TEXT,
            iam_user_arn TEXT, access_key_id TEXT, error TEXT);
        CREATE UNIQUE INDEX one_open_request_per_user ON requests (slack_user_id)
            WHERE state IN ('pending', 'approved', 'active', 'revoking');
        INSERT INTO requests VALUES ('rold', 'UDEV', 'T', 'why', 0, 'u', 'active', 'shown',
            '2026-01-01T00:00:00.000000+00:00', '2026-01-01T00:00:00.000000+00:00', NULL, NULL, NULL, NULL, NULL,
            NULL, NULL, NULL, NULL, NULL);
        """
    )
    conn.close()
    store = SqliteRequestStore(path)
    try:
        assert store.get("rold").project == DEFAULT_PROJECT
        with pytest.raises(OpenRequestExists):
            store.create(new(1))  # still one per project
        assert store.create(new(2, project="web")).id == "r2"  # the old per-user index is gone
    finally:
        store.close()
