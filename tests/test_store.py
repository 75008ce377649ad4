"""The request store: compare-and-set transitions and one open request per user, under concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from store import Credentials, Fields, OpenRequestExists, Request, SqliteRequestStore, State, one_of


@pytest.fixture
def store(tmp_path: Path) -> SqliteRequestStore:
    s = SqliteRequestStore(str(tmp_path / "s.db"))
    yield s
    s.close()


def new(i: int = 0, user: str = "UDEV") -> Request:
    return Request(id=f"r{i}", slack_user_id=user, team_id="T", reason="why", console=False, iam_user_name="u")


def test_round_trip(store: SqliteRequestStore) -> None:
    created = store.create(new())
    assert store.get("r0") == created and created.created_at is not None
    assert store.open_request_for("UDEV") == created and store.latest_for("UDEV") == created
    assert store.get("nope") is None


def test_one_open_request_per_user(store: SqliteRequestStore) -> None:
    store.create(new(0))
    with pytest.raises(OpenRequestExists) as raised:
        store.create(new(1))
    assert raised.value.existing.id == "r0"
    store.compare_and_set("r0", Fields(state=State.PENDING), Fields(state=State.DENIED))
    assert store.create(new(1)).id == "r1"


def test_concurrent_creates_make_one_request(store: SqliteRequestStore) -> None:
    def attempt(i: int) -> str:
        try:
            return store.create(new(i)).id
        except OpenRequestExists:
            return "refused"

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(attempt, range(20)))
    assert results.count("refused") == 19


def test_compare_and_set_has_one_winner_under_concurrency(store: SqliteRequestStore) -> None:
    store.create(new())

    def approve(i: int) -> bool:
        return (
            store.compare_and_set("r0", Fields(state=State.PENDING), Fields(state=State.APPROVED, decided_by=f"U{i}"))
            is not None
        )

    with ThreadPoolExecutor(max_workers=10) as pool:
        wins = list(pool.map(approve, range(50)))
    assert wins.count(True) == 1
    assert store.get("r0").state == State.APPROVED


def test_compare_and_set_checks_every_expected_field(store: SqliteRequestStore) -> None:
    store.create(new())
    assert (
        store.compare_and_set("r0", Fields(state=State.ACTIVE, credentials=Credentials.NONE), Fields(error="x")) is None
    )
    store.compare_and_set("r0", Fields(state=State.PENDING), Fields(state=State.ACTIVE))
    done = store.compare_and_set(
        "r0",
        Fields(state=one_of(State.ACTIVE, State.REVOKING), credentials=Credentials.NONE),
        Fields(credentials=Credentials.MINTING),
    )
    assert done is not None and done.credentials == Credentials.MINTING
    with pytest.raises(TypeError, match="nope"):
        Fields(nope=1)


def test_state_survives_a_restart(tmp_path: Path) -> None:
    path = str(tmp_path / "s.db")
    first = SqliteRequestStore(path)
    first.create(new())
    first.compare_and_set("r0", Fields(state=State.PENDING), Fields(state=State.ACTIVE, iam_user_arn="arn:x"))
    first.close()
    second = SqliteRequestStore(path)
    assert second.get("r0").state == State.ACTIVE and second.get("r0").iam_user_arn == "arn:x"
    assert [r.id for r in second.in_states([State.ACTIVE])] == ["r0"]
    second.close()


def test_compare_and_set_can_expect_an_empty_field(store: SqliteRequestStore) -> None:
    store.create(new())
    assert store.compare_and_set("r0", Fields(reminded=None), Fields(reminded="3d")).reminded == "3d"
    assert store.compare_and_set("r0", Fields(reminded=None), Fields(reminded="1d")) is None
    assert store.compare_and_set("r0", Fields(reminded=one_of("3d", None)), Fields(reminded="1d")).reminded == "1d"
