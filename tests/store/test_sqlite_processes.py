"""SQLite shared by processes (the bot and its lazy-listener workers): a write waits for another one's lock."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from store import Fields, SqliteRequestStore, State
from tests.store.conftest import new


def test_a_transition_waits_for_another_connections_write_lock_then_lands_once(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    store = SqliteRequestStore(path)
    store.create(new())
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)  # as another process holds it
    other.execute("BEGIN IMMEDIATE")
    locked = threading.Event()
    results: list[object] = []

    def approve() -> None:
        locked.set()
        results.append(store.compare_and_set("r0", Fields(state=State.PENDING), Fields(state=State.APPROVED)))

    writer = threading.Thread(target=approve)
    writer.start()
    locked.wait(5)
    writer.join(0.3)  # it is still waiting for the lock the other connection holds
    assert writer.is_alive() and results == []
    other.execute("COMMIT")
    writer.join(10)
    assert not writer.is_alive()
    assert len(results) == 1 and results[0] is not None and results[0].state == State.APPROVED  # type: ignore[union-attr]
    assert store.compare_and_set("r0", Fields(state=State.PENDING), Fields(state=State.DENIED)) is None
    other.close()
    store.close()
