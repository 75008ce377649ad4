"""The store contract, for SQLite and DynamoDB alike: compare-and-set, one open request per user, due queries, audit."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from audit import AuditEvent
from store import Credentials, Fields, OpenRequestExists, Request, State, assignment_key, one_of
from tests.store.conftest import Backend, new


def event(name: str, at: datetime, request_id: str = "r0") -> AuditEvent:
    return AuditEvent(at=at, event=name, actor="ULEAD", subject="UDEV", request_id=request_id, iam_user="u")


def close(backend: Backend, request_id: str, state: State = State.DENIED) -> Request | None:
    return backend.store.compare_and_set(request_id, Fields(state=State.PENDING), Fields(state=state))


def test_created_request_reads_back_by_id_user_and_latest(backend: Backend) -> None:
    created = backend.store.create(new())
    assert created.created_at == backend.clock.now and created.updated_at == backend.clock.now
    assert backend.store.get("r0") == created
    assert backend.store.open_request_for("UDEV") == created and backend.store.latest_for("UDEV") == created
    assert backend.store.get("nope") is None
    assert backend.store.open_request_for("UNOBODY") is None and backend.store.latest_for("UNOBODY") is None


def test_every_field_round_trips_with_its_type(backend: Backend) -> None:
    when = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)
    full = new(
        console=True,
        state=State.ACTIVE,
        credentials=Credentials.SHOWN,
        created_at=when,
        decided_by="ULEAD",
        decided_at=when,
        closed_by=None,
        approval_channel="C1",
        approval_ts="1.2",
        dm_channel="D1",
        dm_ts="3.4",
        iam_user_arn="arn:aws:iam::123456789012:user/amplify-dev/u",
        access_key_id="AKIAEXAMPLE",
        error="x",
        days=30,
        expires_at=when + timedelta(days=30),
        reminded="3d",
        extension_days=7,
        extension_ts="5.6",
        approvals=("ULEAD", "ULEAD2"),
        extension_approvals=("ULEAD",),
        undelivered_key_ids=("AKIA1", "AKIA2"),
        iam_user_id="AIDAEXAMPLE",
    )
    backend.store.create(full)
    got = backend.store.get("r0")
    assert got == replace(full, updated_at=backend.clock.now)
    assert got.expires_at.tzinfo is not None and got.expires_at == when + timedelta(days=30)
    assert isinstance(got.days, int) and isinstance(got.approvals, tuple) and got.console is True


def test_one_open_request_per_user_and_the_refusal_names_it(backend: Backend) -> None:
    backend.store.create(new(0))
    with pytest.raises(OpenRequestExists) as raised:
        backend.store.create(new(1))
    assert raised.value.existing.id == "r0" and raised.value.existing.state == State.PENDING
    backend.store.create(new(2, user="UOTHER"))  # another user is not affected
    close(backend, "r0")
    backend.clock.advance(seconds=1)
    assert backend.store.create(new(1)).id == "r1"
    assert backend.store.latest_for("UDEV").id == "r1"


def test_concurrent_creates_make_one_request(backend: Backend) -> None:
    def attempt(i: int) -> str:
        try:
            return backend.store.create(new(i)).id
        except OpenRequestExists:
            return "refused"

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(attempt, range(20)))
    assert results.count("refused") == 19
    winner = next(r for r in results if r != "refused")
    assert backend.store.open_request_for("UDEV").id == winner


def test_latest_for_is_the_newest_closed_one_when_none_is_open(backend: Backend) -> None:
    for i in range(3):
        backend.store.create(new(i))
        close(backend, f"r{i}")
        backend.clock.advance(minutes=1)
    assert backend.store.open_request_for("UDEV") is None
    assert backend.store.latest_for("UDEV").id == "r2"


def test_compare_and_set_has_one_winner_under_concurrency(backend: Backend) -> None:
    backend.store.create(new())

    def approve(i: int) -> bool:
        won = backend.store.compare_and_set(
            "r0", Fields(state=State.PENDING), Fields(state=State.APPROVED, decided_by=f"U{i}")
        )
        return won is not None

    with ThreadPoolExecutor(max_workers=10) as pool:
        wins = list(pool.map(approve, range(30)))
    assert wins.count(True) == 1
    assert backend.store.get("r0").state == State.APPROVED


def test_compare_and_set_checks_every_expected_field(backend: Backend) -> None:
    backend.store.create(new())
    assert (
        backend.store.compare_and_set("r0", Fields(state=State.ACTIVE, credentials=Credentials.NONE), Fields(error="x"))
        is None
    )
    assert backend.store.get("r0").error is None
    backend.clock.advance(seconds=5)
    done = backend.store.compare_and_set("r0", Fields(state=State.PENDING), Fields(state=State.ACTIVE))
    assert done.state == State.ACTIVE and done.updated_at == backend.clock.now
    assert backend.store.compare_and_set("nope", Fields(state=State.ACTIVE), Fields(error="x")) is None


def test_compare_and_set_accepts_one_of_several_values(backend: Backend) -> None:
    backend.store.create(new())
    backend.store.compare_and_set("r0", Fields(state=State.PENDING), Fields(state=State.ACTIVE))
    either = Fields(state=one_of(State.ACTIVE, State.REVOKING), credentials=Credentials.NONE)
    done = backend.store.compare_and_set("r0", either, Fields(credentials=Credentials.MINTING))
    assert done is not None and done.credentials == Credentials.MINTING
    assert backend.store.compare_and_set("r0", either, Fields(credentials=Credentials.SHOWN)) is None


def test_an_expected_none_means_empty(backend: Backend) -> None:
    backend.store.create(new())
    assert backend.store.compare_and_set("r0", Fields(reminded=None), Fields(reminded="3d")).reminded == "3d"
    assert backend.store.compare_and_set("r0", Fields(reminded=None), Fields(reminded="1d")) is None
    assert (
        backend.store.compare_and_set("r0", Fields(reminded=one_of("3d", None)), Fields(reminded="1d")).reminded == "1d"
    )
    cleared = backend.store.compare_and_set("r0", Fields(reminded="1d"), Fields(reminded=None))
    assert cleared.reminded is None
    assert backend.store.compare_and_set("r0", Fields(reminded=None), Fields(error="again")).error == "again"


def test_tuples_round_trip_and_compare_whole(backend: Backend) -> None:
    backend.store.create(new())
    assert backend.store.get("r0").approvals == ()
    first = backend.store.compare_and_set("r0", Fields(approvals=()), Fields(approvals=("ULEAD",)))
    assert first.approvals == ("ULEAD",)
    assert backend.store.compare_and_set("r0", Fields(approvals=()), Fields(approvals=("ULEAD2",))) is None
    second = backend.store.compare_and_set("r0", Fields(approvals=("ULEAD",)), Fields(approvals=("ULEAD", "ULEAD2")))
    assert second.approvals == ("ULEAD", "ULEAD2")
    keys = backend.store.compare_and_set("r0", Fields(), Fields(undelivered_key_ids=("AKIA1",), iam_user_id="AIDA1"))
    assert keys.undelivered_key_ids == ("AKIA1",) and keys.iam_user_id == "AIDA1"
    emptied = backend.store.compare_and_set(
        "r0", Fields(undelivered_key_ids=("AKIA1",)), Fields(undelivered_key_ids=())
    )
    assert emptied.undelivered_key_ids == () and backend.store.get("r0").undelivered_key_ids == ()


def test_misspelt_field_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        Fields(stat=State.PENDING)  # type: ignore[call-arg]


def test_audit_row_is_written_with_the_transition_and_never_by_a_loser(backend: Backend) -> None:
    now = backend.clock.now
    backend.store.create(new(), audit=event("requested", now))
    won = backend.store.compare_and_set(
        "r0", Fields(state=State.PENDING), Fields(state=State.DENIED), audit=event("denied", now)
    )
    lost = backend.store.compare_and_set(
        "r0", Fields(state=State.PENDING), Fields(state=State.APPROVED), audit=event("approved", now)
    )
    assert won is not None and lost is None
    assert [e.event for e in backend.audit.events()] == ["requested", "denied"]


def test_refused_create_writes_no_audit_row(backend: Backend) -> None:
    backend.store.create(new(0), audit=event("requested", backend.clock.now))
    with pytest.raises(OpenRequestExists):
        backend.store.create(new(1), audit=event("requested", backend.clock.now, "r1"))
    assert [e.request_id for e in backend.audit.events()] == ["r0"]


def test_concurrent_audited_transitions_write_one_audit_row(backend: Backend) -> None:
    backend.store.create(new())

    def approve(i: int) -> bool:
        audit = event("approved", backend.clock.now)
        return (
            backend.store.compare_and_set("r0", Fields(state=State.PENDING), Fields(state=State.DENIED), audit=audit)
            is not None
        )

    with ThreadPoolExecutor(max_workers=10) as pool:
        wins = list(pool.map(approve, range(20)))
    assert wins.count(True) == 1
    assert [e.event for e in backend.audit.events()] == ["approved"]
    assert backend.store.open_request_for("UDEV") is None


def test_events_since_are_oldest_first_and_only_from_then(backend: Backend) -> None:
    start = backend.clock.now
    # Across a month boundary and appended out of order (two replicas with their own clocks).
    times = [start + timedelta(days=d) for d in (0, 20, 35, 40)]
    for name, at in zip(["a", "c", "b", "d"], [times[0], times[2], times[1], times[3]], strict=True):
        backend.audit.append(event(name, at))
    backend.clock.now = start + timedelta(days=45)
    assert [e.event for e in backend.audit.events()] == ["a", "b", "c", "d"]
    assert [e.event for e in backend.audit.events(since=times[1])] == ["b", "c", "d"]
    first = backend.audit.events()[0]
    assert first.at == times[0] and first.actor == "ULEAD" and first.outcome == "ok" and first.detail == ""


def test_in_states_lists_oldest_first(backend: Backend) -> None:
    for i, user in enumerate(["U1", "U2", "U3"]):
        backend.store.create(new(i, user=user))
        backend.clock.advance(minutes=1)
    backend.store.compare_and_set("r1", Fields(state=State.PENDING), Fields(state=State.ACTIVE))
    close(backend, "r2")
    assert [r.id for r in backend.store.in_states([State.PENDING, State.ACTIVE])] == ["r0", "r1"]
    assert [r.id for r in backend.store.in_states([State.DENIED])] == ["r2"]


def test_due_queries_return_only_what_is_due(backend: Backend) -> None:
    now = backend.clock.now
    store = backend.store
    store.create(new(0, "U0", created_at=now - timedelta(hours=80)))  # pending, overdue
    store.create(new(1, "U1", created_at=now - timedelta(hours=1)))  # pending, not yet
    for i, ends in ((2, now - timedelta(hours=1)), (3, now + timedelta(days=10)), (4, None)):
        store.create(new(i, f"U{i}", created_at=now - timedelta(days=40)))
        store.compare_and_set(f"r{i}", Fields(state=State.PENDING), Fields(state=State.ACTIVE, expires_at=ends))
    store.create(new(5, "U5"))
    store.compare_and_set("r5", Fields(state=State.PENDING), Fields(state=State.REVOKING))  # stalled below
    store.create(new(6, "U6", created_at=now - timedelta(hours=90)))
    close(backend, "r6")  # old but closed: never due
    backend.clock.advance(minutes=30)
    store.create(new(7, "U7"))
    store.compare_and_set("r7", Fields(state=State.PENDING), Fields(state=State.REVOKING))  # fresh

    assert [r.id for r in store.pending_created_before(now - timedelta(hours=72))] == ["r0"]
    assert [r.id for r in store.active_expiring_before(now)] == ["r2"]
    assert [r.id for r in store.active_expiring_before(now + timedelta(days=11))] == ["r2", "r3"]
    assert [r.id for r in store.revoking_updated_before(now + timedelta(minutes=10))] == ["r5"]
    assert store.revoking_updated_before(now - timedelta(minutes=1)) == []


def test_requests_with_undelivered_keys_are_found_until_the_list_is_empty(backend: Backend) -> None:
    store = backend.store
    store.create(new(0, "U0"))
    store.create(new(1, "U1"))
    assert store.with_undelivered_keys() == []
    store.compare_and_set("r1", Fields(undelivered_key_ids=()), Fields(undelivered_key_ids=("AKIA1", "AKIA2")))

    assert [(r.id, r.undelivered_key_ids) for r in store.with_undelivered_keys()] == [("r1", ("AKIA1", "AKIA2"))]
    store.compare_and_set("r1", Fields(undelivered_key_ids=("AKIA1", "AKIA2")), Fields(undelivered_key_ids=()))
    assert store.with_undelivered_keys() == []


def test_a_second_store_on_the_same_state_sees_every_change(backend: Backend) -> None:
    backend.store.create(new())
    backend.store.compare_and_set("r0", Fields(state=State.PENDING), Fields(state=State.ACTIVE, iam_user_arn="arn:x"))
    second = backend.reopen()
    assert second.get("r0").state == State.ACTIVE and second.get("r0").iam_user_arn == "arn:x"
    assert [r.id for r in second.in_states([State.ACTIVE])] == ["r0"]
    with pytest.raises(OpenRequestExists):
        second.create(new(1))
    assert second.compare_and_set("r0", Fields(state=State.PENDING), Fields(state=State.DENIED)) is None
    second.close()


def test_a_period_is_claimed_once_across_stores_and_threads(backend: Backend) -> None:
    """The weekly review's compare-and-set: one winner per (name, period), even from another process."""
    other = backend.reopen()
    with ThreadPoolExecutor(max_workers=8) as pool:
        wins = list(
            pool.map(lambda i: (backend.store if i % 2 else other).claim("review/default", "2026-W10"), range(8))
        )
    assert wins.count(True) == 1
    assert backend.store.claim("review/default", "2026-W10") is False
    assert other.claim("review/default", "2026-W11") is True  # the next week is its own claim
    assert backend.store.claim("review/other-project", "2026-W10") is True  # and so is another name
    assert backend.store.in_states(list(State)) == []  # a claim is not a request


def test_identity_center_fields_round_trip_with_their_types(backend: Backend) -> None:
    backend.store.create(new(identity_store_user_id="9067-user", assignment_created=False))
    got = backend.store.get("r0")
    assert got.identity_store_user_id == "9067-user" and got.assignment_created is False
    # The three values of assignment_created are distinct expectations: None (not yet known), True, False.
    assert backend.store.compare_and_set("r0", Fields(assignment_created=None), Fields(reminded="1d")) is None
    ours = backend.store.compare_and_set("r0", Fields(assignment_created=False), Fields(assignment_created=True))
    assert ours.assignment_created is True
    backend.store.create(new(1, user="UOTHER"))
    assert backend.store.get("r1").assignment_created is None and backend.store.get("r1").identity_store_user_id is None


def test_an_assignment_record_is_a_compare_and_set_one_of_two_racing_requests_wins(backend: Backend) -> None:
    key = assignment_key("user-1", "123456789012", "arn:aws:sso:::permissionSet/ssoins-1/ps-1")
    assert backend.store.assignment_holder(key) is None
    with ThreadPoolExecutor(max_workers=2) as pool:
        won = list(pool.map(lambda rid: backend.store.set_assignment_holder(key, None, rid), ["r1", "r2"]))
    assert sorted(won) == [False, True]
    holder = backend.store.assignment_holder(key)
    assert holder == ("r1" if won[0] else "r2")
    other = "r2" if holder == "r1" else "r1"
    assert backend.store.set_assignment_holder(key, other, None) is False  # only the holder releases it
    assert backend.store.set_assignment_holder(key, holder, "r3") is True  # handed over
    assert backend.reopen().assignment_holder(key) == "r3"
    assert backend.store.set_assignment_holder(key, "r3", None) is True
    assert backend.store.assignment_holder(key) is None
    assert backend.store.assignment_holder(assignment_key("user-2", "123456789012", "ps")) is None
