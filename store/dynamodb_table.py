"""The DynamoDB table behind the store: its one definition (create-table and template.yaml), keys and item codec.

Single-table design, every item keyed by `pk` (partition) and `sk` (sort):

| item | pk | sk | what else |
|---|---|---|---|
| a request | `REQ#<request id>` | `REQUEST` | one attribute per `Request` field |
| the open-request lock | `OPEN#<slack user id>` | `OPEN` (project `default`), `OPEN#<project>` | `request_id` of the user's one open request in that project |
| an audit event | `AUDIT#<yyyy-mm>` (month of `at`) | `<iso at>#<ns written>-<random>` | one attribute per `AuditEvent` field |
| a once-per-period claim | `CLAIM#<name>` (e.g. the weekly review) | `<period>` (e.g. `2026-W09`) | `claimed_at`, `delete_after` |
| an assignment the bot created | `ASSIGNMENT#` + `store.assignment_key` (user, account, permission set) | `ASSIGNMENT` | `request_id`, `updated_at` |

The lock is put (`attribute_not_exists`) in the same transaction as an open request and deleted in the same
transaction as the transition that closes it: the equivalent of SQLite's unique partial index.

Indexes (projection ALL, so a query needs no follow-up reads; keys present only on request items):
- `by_user`: `slack_user_id` + `created_at`, for `latest_for`.
- `by_state_created`: `state` + `created_at`, for `in_states` and the sweep's undecided requests.
- `by_state_expires`: `state` + `expires_at` (sparse: only requests with an end), for expiries and reminders.
- `by_state_updated`: `state` + `updated_at`, for stalled removals and requests left mid-way.
- `by_state_extension`: `state` + `extension_asked_at` (sparse: only extensions waiting on the leads), for their
  reminders.
- `by_cleanup`, `by_in_flight`: sparse, `updated_at` sorted: requests with keys nobody saw; requests whose
  credentials are being claimed, minted or rotated (the sweep finds the ones a lost lazy run left behind).
The sweep queries one state's partition up to a cutoff, so it reads only what is due.

Empty values (None, an empty tuple) are never stored: the attribute is absent, and an expected empty value is
`attribute_not_exists`. Times are ISO 8601 UTC strings with microseconds, so they sort as they compare.
Closed requests and audit events carry `delete_after` (epoch seconds), DynamoDB's TTL attribute.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from audit import AuditEvent
from store import DEFAULT_PROJECT, Credentials, Request, State, allowed_values
from store.model import fields_of_type

PK, SK = "pk", "sk"
REQUEST_SK, LOCK_SK = "REQUEST", "OPEN"
TTL_ATTRIBUTE = "delete_after"
BY_USER = "by_user"
BY_STATE_CREATED = "by_state_created"
BY_STATE_EXPIRES = "by_state_expires"
BY_STATE_UPDATED = "by_state_updated"
BY_STATE_EXTENSION = "by_state_extension"  # sparse: only requests with an extension waiting on the leads
# Indexes added after the first release: `create-table` adds them to a table an earlier release made.
ADDED_INDEXES = (BY_STATE_EXTENSION,)
# Sparse: only requests that still list access keys nobody saw carry CLEANUP_ATTRIBUTE.
BY_CLEANUP = "by_cleanup"
CLEANUP_ATTRIBUTE, CLEANUP_KEYS = "needs_cleanup", "keys"
# Sparse: only requests whose credentials are claimed, being minted or rotated carry IN_FLIGHT_ATTRIBUTE.
BY_IN_FLIGHT = "by_in_flight"
IN_FLIGHT_ATTRIBUTE, IN_FLIGHT_CREDENTIALS = "in_flight", "credentials"
# Also on it: provisioned requests whose requester was not told yet (no DM), until the DM is recorded.
IN_FLIGHT_DM = "dm"
BUSY_CREDENTIALS = frozenset({Credentials.CLAIMED, Credentials.MINTING, Credentials.ROTATING})


def _index(name: str, hash_key: str, range_key: str) -> dict[str, Any]:
    return {
        "IndexName": name,
        "KeySchema": [{"AttributeName": hash_key, "KeyType": "HASH"}, {"AttributeName": range_key, "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "ALL"},
    }


# The table, in CreateTable's own terms (CloudFormation's AWS::DynamoDB::Table uses the same names);
# `python bot.py create-table` sends it and tests/ops/test_template.py holds template.yaml to it.
TABLE_DEFINITION: dict[str, Any] = {
    "AttributeDefinitions": [
        {"AttributeName": name, "AttributeType": "S"}
        for name in (
            PK,
            SK,
            "slack_user_id",
            "state",
            "created_at",
            "expires_at",
            "updated_at",
            "extension_asked_at",
            CLEANUP_ATTRIBUTE,
            IN_FLIGHT_ATTRIBUTE,
        )
    ],
    "KeySchema": [{"AttributeName": PK, "KeyType": "HASH"}, {"AttributeName": SK, "KeyType": "RANGE"}],
    "GlobalSecondaryIndexes": [
        _index(BY_USER, "slack_user_id", "created_at"),
        _index(BY_STATE_CREATED, "state", "created_at"),
        _index(BY_STATE_EXPIRES, "state", "expires_at"),
        _index(BY_STATE_UPDATED, "state", "updated_at"),
        _index(BY_STATE_EXTENSION, "state", "extension_asked_at"),
        _index(BY_CLEANUP, CLEANUP_ATTRIBUTE, "updated_at"),
        _index(BY_IN_FLIGHT, IN_FLIGHT_ATTRIBUTE, "updated_at"),
    ],
    "BillingMode": "PAY_PER_REQUEST",
}

_DATETIMES = fields_of_type(datetime)
_TUPLES = fields_of_type(tuple)
_INTS = fields_of_type(int)
# Counters whose 0 is stored as no attribute, like an empty value: items written before the field existed then read
# back as 0 and match an expected 0.
_COUNTERS = {"reminders_sent"}
_BOOLS = fields_of_type(bool)
REQUEST_FIELDS = [f.name for f in fields(Request) if f.name != "id"]


def request_key(request_id: str) -> dict[str, Any]:
    """The primary key of a request item."""
    return {PK: {"S": f"REQ#{request_id}"}, SK: {"S": REQUEST_SK}}


def lock_key(slack_user_id: str, project: str = DEFAULT_PROJECT) -> dict[str, Any]:
    """The primary key of a user's open-request lock in a project (the `default` project keeps the original key)."""
    sort_key = LOCK_SK if project == DEFAULT_PROJECT else f"{LOCK_SK}#{project}"
    return {PK: {"S": f"OPEN#{slack_user_id}"}, SK: {"S": sort_key}}


def claim_key(name: str, period: str) -> dict[str, Any]:
    """The primary key of a once-per-period claim (put with attribute_not_exists: one winner)."""
    return {PK: {"S": f"CLAIM#{name}"}, SK: {"S": period}}


def assignment_record_key(assignment: str) -> dict[str, Any]:
    """The primary key of the record of an Identity Center assignment the bot created (see store.assignment_key)."""
    return {PK: {"S": f"ASSIGNMENT#{assignment}"}, SK: {"S": "ASSIGNMENT"}}


def is_empty(value: Any, name: str = "") -> bool:
    """Whether a value of field `name` is stored as an absent attribute (None, an empty tuple, a counter's 0)."""
    return value is None or value == () or (name in _COUNTERS and value == 0)


def time_text(value: datetime) -> str:
    """A datetime as stored: ISO 8601 in UTC with microseconds (sorts like it compares)."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def to_attribute(name: str, value: Any) -> dict[str, Any]:
    """A non-empty Request field value as a DynamoDB AttributeValue."""
    if name in _DATETIMES:
        return {"S": time_text(value)}
    if name in _BOOLS:
        return {"BOOL": bool(value)}
    if name in _INTS:
        return {"N": str(int(value))}
    if name in _TUPLES:
        return {"L": [{"S": str(v)} for v in value]}
    if isinstance(value, StrEnum):
        return {"S": str(value)}
    return {"S": value}


def _from_attribute(name: str, attribute: dict[str, Any]) -> Any:
    if name in _DATETIMES:
        return datetime.fromisoformat(attribute["S"])
    if name in _BOOLS:
        return attribute["BOOL"]
    if name in _INTS:
        return int(attribute["N"])
    if name in _TUPLES:
        return tuple(v["S"] for v in attribute["L"])
    return attribute["S"]


def request_item(request: Request) -> dict[str, Any]:
    """The whole item for a request (empty fields left out)."""
    item = request_key(request.id)
    item["id"] = {"S": request.id}
    for name in REQUEST_FIELDS:
        value = getattr(request, name)
        if not is_empty(value, name):
            item[name] = to_attribute(name, value)
    if request.undelivered_key_ids:
        item[CLEANUP_ATTRIBUTE] = {"S": CLEANUP_KEYS}
    if request.credentials in BUSY_CREDENTIALS:
        item[IN_FLIGHT_ATTRIBUTE] = {"S": IN_FLIGHT_CREDENTIALS}
    elif request.state == State.ACTIVE and not request.dm_ts:
        item[IN_FLIGHT_ATTRIBUTE] = {"S": IN_FLIGHT_DM}
    return item


def request_from_item(item: dict[str, Any]) -> Request:
    """The Request a stored item holds; absent attributes take the dataclass defaults."""
    values = {name: _from_attribute(name, item[name]) for name in REQUEST_FIELDS if name in item}
    values["state"] = State(values["state"])
    values["credentials"] = Credentials(values["credentials"])
    return Request(id=item["id"]["S"], **values)


_AUDIT_FIELDS = [f.name for f in fields(AuditEvent)]


def audit_item(event: AuditEvent, delete_after: int) -> dict[str, Any]:
    """An audit event as an item in its month's partition, sorted by its time, then by when it was written."""
    # Events of the same instant (a request and its first transition) keep the order they were written in.
    unique = f"{time.time_ns():020d}-{uuid.uuid4().hex[:12]}"
    at = time_text(event.at)
    item: dict[str, Any] = {
        PK: {"S": audit_partition(event.at)},
        SK: {"S": f"{at}#{unique}"},
        TTL_ATTRIBUTE: {"N": str(delete_after)},
        "at": {"S": at},
    }
    for name in _AUDIT_FIELDS[1:]:
        value = getattr(event, name)
        if value:  # None and "" are left out and read back as the defaults
            item[name] = {"S": value}
    return item


def audit_from_item(item: dict[str, Any]) -> AuditEvent:
    """The AuditEvent an audit item holds."""
    values: dict[str, Any] = {"actor": None, "subject": None, "request_id": None, "iam_user": None, "detail": ""}
    values.update({name: item[name]["S"] for name in _AUDIT_FIELDS[1:] if name in item})
    return AuditEvent(at=datetime.fromisoformat(item["at"]["S"]), **values)


def audit_partition(at: datetime) -> str:
    """The partition holding the audit events of `at`'s month (UTC)."""
    return f"AUDIT#{at.astimezone(UTC):%Y-%m}"


class Expression:
    """Placeholders for one expression: DynamoDB reserves words such as `state`, so every name is aliased."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, dict[str, Any]] = {}

    def name(self, attribute: str) -> str:
        for alias, known in self.names.items():
            if known == attribute:
                return alias
        alias = f"#n{len(self.names)}"
        self.names[alias] = attribute
        return alias

    def value(self, attribute: dict[str, Any]) -> str:
        alias = f":v{len(self.values)}"
        self.values[alias] = attribute
        return alias

    def matches(self, field: str, expected: Any) -> str:
        """`field` holds one of the expected values (an empty one: the attribute is absent)."""
        options = allowed_values(expected)
        name = self.name(field)
        tests = [f"{name} = {self.value(to_attribute(field, v))}" for v in options if not is_empty(v, field)]
        if any(is_empty(v, field) for v in options):
            tests.append(f"attribute_not_exists({name})")
        return f"({' OR '.join(tests)})"

    def params(self, **extra: Any) -> dict[str, Any]:
        out = {**extra, "ExpressionAttributeNames": self.names}
        if self.values:
            out["ExpressionAttributeValues"] = self.values
        return out


def query_pages(client: Any, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every item a query finds, page after page."""
    while True:
        page = client.query(**params)
        yield from page["Items"]
        if "LastEvaluatedKey" not in page:
            return
        params = {**params, "ExclusiveStartKey": page["LastEvaluatedKey"]}
