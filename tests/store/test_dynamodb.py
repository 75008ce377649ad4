"""What only the DynamoDB store has: the open-request lock item, TTL, index-only sweep reads, and create-table."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest

from bot import build_store
from ops.create_table import ensure_table, run_create_table
from settings import load_settings
from store import Fields, State, one_of
from store.dynamodb_table import TABLE_DEFINITION, TTL_ATTRIBUTE, lock_key, request_key
from tests.conftest import GOOD_ENV_FOR_TESTS
from tests.store.conftest import TABLE, Backend, new

dynamodb_only = pytest.mark.parametrize("backend", ["dynamodb"], indirect=True)


def raw(backend: Backend, key: dict[str, Any]) -> dict[str, Any] | None:
    return backend.client.get_item(TableName=TABLE, Key=key, ConsistentRead=True).get("Item")


@dynamodb_only
def test_the_lock_item_lives_exactly_as_long_as_the_open_request(backend: Backend) -> None:
    backend.store.create(new())
    assert raw(backend, lock_key("UDEV"))["request_id"] == {"S": "r0"}
    backend.store.compare_and_set("r0", Fields(state=State.PENDING), Fields(state=State.ACTIVE))
    assert raw(backend, lock_key("UDEV")) is not None  # still open
    # An expectation allowing open and closed states still releases the lock with the transition.
    either = Fields(state=one_of(State.ACTIVE, State.DENIED))
    assert backend.store.compare_and_set("r0", either, Fields(state=State.REVOKED)).state == State.REVOKED
    assert raw(backend, lock_key("UDEV")) is None
    assert backend.store.compare_and_set("r0", either, Fields(state=State.REVOKED)) is None


@dynamodb_only
def test_closed_requests_and_audit_events_carry_the_ttl(backend: Backend) -> None:
    from tests.store.test_contract import event

    backend.store.create(new(), audit=event("requested", backend.clock.now))
    assert TTL_ATTRIBUTE not in raw(backend, request_key("r0"))
    closed_at = backend.clock.advance(hours=1)
    backend.store.compare_and_set("r0", Fields(state=State.PENDING), Fields(state=State.DENIED))
    expected = int((closed_at + timedelta(days=400)).timestamp())
    assert raw(backend, request_key("r0"))[TTL_ATTRIBUTE] == {"N": str(expected)}
    audit_items = [i for i in backend.client.scan(TableName=TABLE)["Items"] if i["pk"]["S"].startswith("AUDIT#")]
    assert [i[TTL_ATTRIBUTE] for i in audit_items] == [
        {"N": str(int((closed_at - timedelta(hours=1) + timedelta(days=400)).timestamp()))}
    ]


@dynamodb_only
def test_the_sweep_queries_read_only_what_is_due_and_never_scan(backend: Backend) -> None:
    now = backend.clock.now
    for i in range(30):  # thirty active grants, none due
        backend.store.create(new(i, f"U{i}"))
        backend.store.compare_and_set(
            f"r{i}", Fields(state=State.PENDING), Fields(state=State.ACTIVE, expires_at=now + timedelta(days=20))
        )
    scanned: list[int] = []
    backend.client.meta.events.register(
        "after-call.dynamodb.Query", lambda parsed, **_: scanned.append(parsed.get("ScannedCount", 0))
    )
    backend.calls.clear()
    assert backend.store.active_expiring_before(now + timedelta(days=3)) == []
    assert backend.store.pending_created_before(now) == []
    assert backend.store.revoking_updated_before(now) == []
    assert len(backend.store.in_states([State.PENDING, State.REVOKING])) == 0
    assert backend.calls == ["Query"] * 5
    assert scanned == [0] * 5  # not a single item read


@dynamodb_only
def test_create_table_twice_creates_once_and_keeps_ttl_on(backend: Backend) -> None:
    # The fixture already ran create-table once; run it again, then on a second table from scratch.
    again = io.StringIO()
    assert ensure_table(backend.client, TABLE, again) == 0
    assert "already exists" in again.getvalue() and "time to live already on" in again.getvalue()
    first = io.StringIO()
    assert ensure_table(backend.client, "another-table", first) == 0
    assert "created table another-table" in first.getvalue() and "turned on time to live" in first.getvalue()
    table = backend.client.describe_table(TableName="another-table")["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["KeySchema"] == TABLE_DEFINITION["KeySchema"]
    assert {i["IndexName"]: i["KeySchema"] for i in table["GlobalSecondaryIndexes"]} == {
        i["IndexName"]: i["KeySchema"] for i in TABLE_DEFINITION["GlobalSecondaryIndexes"]
    }
    ttl = backend.client.describe_time_to_live(TableName="another-table")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": TTL_ATTRIBUTE}


@dynamodb_only
def test_create_table_refuses_a_table_without_the_indexes(backend: Backend, capsys: pytest.CaptureFixture[str]) -> None:
    backend.client.create_table(
        TableName="foreign",
        KeySchema=TABLE_DEFINITION["KeySchema"],
        AttributeDefinitions=TABLE_DEFINITION["AttributeDefinitions"][:2],
        BillingMode="PAY_PER_REQUEST",
    )
    assert ensure_table(backend.client, "foreign", io.StringIO()) == 1
    assert "lacks the indexes by_user" in capsys.readouterr().err


@dynamodb_only
def test_create_table_command_uses_the_configured_table(backend: Backend) -> None:
    settings = load_settings({**GOOD_ENV_FOR_TESTS, "AMPLIFY_DEV_DYNAMODB_TABLE": "from-settings"})
    out = io.StringIO()
    assert run_create_table(settings, out, client=backend.client) == 0
    assert "table from-settings is ready" in out.getvalue()
    assert run_create_table(load_settings(GOOD_ENV_FOR_TESTS), io.StringIO()) == 2


@dynamodb_only
def test_bot_builds_the_dynamodb_store_when_a_table_is_configured(backend: Backend) -> None:
    settings = load_settings(
        {**GOOD_ENV_FOR_TESTS, "AMPLIFY_DEV_DYNAMODB_TABLE": TABLE, "AMPLIFY_DEV_RETENTION_DAYS": "30"}
    )
    store, audit = build_store(settings, "eu-west-1")
    assert type(store).__name__ == "DynamoRequestStore" and type(audit).__name__ == "DynamoAuditLog"
    store.create(new())
    assert backend.store.get("r0") is not None  # the same table the fixture reads


def test_a_malformed_table_name_is_refused() -> None:
    from settings import SettingsError

    with pytest.raises(SettingsError, match="AMPLIFY_DEV_DYNAMODB_TABLE"):
        load_settings({**GOOD_ENV_FOR_TESTS, "AMPLIFY_DEV_DYNAMODB_TABLE": "no spaces"})
