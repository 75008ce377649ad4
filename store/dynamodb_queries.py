"""The DynamoDB store's reads (by key, by person, the sweep's, the lists') and the weekly claim: each a get or a query
on an index, never a scan. DynamoRequestStore (store/dynamodb.py) adds the writes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from audit import DEFAULT_RETENTION_DAYS
from store import Request, State, is_stalled
from store.dynamodb_table import (
    BY_CLEANUP,
    BY_IN_FLIGHT,
    BY_STATE_CREATED,
    BY_STATE_EXPIRES,
    BY_STATE_EXTENSION,
    BY_STATE_UPDATED,
    BY_USER,
    CLEANUP_ATTRIBUTE,
    CLEANUP_KEYS,
    IN_FLIGHT_ATTRIBUTE,
    IN_FLIGHT_CREDENTIALS,
    IN_FLIGHT_DM,
    PK,
    TTL_ATTRIBUTE,
    Expression,
    assignment_record_key,
    claim_key,
    lock_key,
    query_pages,
    request_from_item,
    request_key,
    time_text,
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _of(project: str | None, requests: Iterable[Request]) -> list[Request]:
    """The requests of `project` (None: of every project)."""
    return [r for r in requests if project is None or r.project == project]


class DynamoReads:
    """Every read of the request store on DynamoDB: by key, by person, by state, and the sweep's due-only queries."""

    def __init__(
        self,
        table_name: str,
        client: Any,
        *,
        clock: Any = _utcnow,
        retention_days: int = DEFAULT_RETENTION_DAYS,
    ) -> None:
        self._table = table_name
        self._client = client
        self._clock = clock
        self._retention = timedelta(days=retention_days)
        # A request's user and project never change; knowing them names the lock item without a read first.
        self._owners: dict[str, tuple[str, str]] = {}

    def get(self, request_id: str) -> Request | None:
        """The request with this id (a strongly consistent read), or None."""
        found = self._client.get_item(TableName=self._table, Key=request_key(request_id), ConsistentRead=True)
        return self._remember(found["Item"]) if "Item" in found else None

    def open_request_for(self, slack_user_id: str, project: str | None = None) -> Request | None:
        """The user's open request in `project` (None: in any, the oldest), through the lock items (consistent)."""
        if project is None:
            found = self.open_requests_for(slack_user_id)
            return found[0] if found else None
        lock = self._client.get_item(TableName=self._table, Key=lock_key(slack_user_id, project), ConsistentRead=True)
        if "Item" not in lock:
            return None
        request = self.get(lock["Item"]["request_id"]["S"])
        return request if request is not None and request.is_open else None

    def open_requests_for(self, slack_user_id: str, project: str | None = None) -> list[Request]:
        """The user's open requests (one lock item per project, read consistently; of `project` if given), oldest first."""
        expression = Expression()
        condition = f"{expression.name(PK)} = {expression.value(lock_key(slack_user_id)[PK])}"
        params = expression.params(TableName=self._table, KeyConditionExpression=condition, ConsistentRead=True)
        found = [self.get(item["request_id"]["S"]) for item in query_pages(self._client, params)]
        return sorted((r for r in _of(project, filter(None, found)) if r.is_open), key=by_age)

    def latest_for(self, slack_user_id: str, project: str | None = None) -> Request | None:
        """The user's most recent request: an open one if any (nothing newer can exist in its project), else from
        the index (newest first, the first one of `project` if given)."""
        opens = [r for r in self.open_requests_for(slack_user_id) if project is None or r.project == project]
        if opens:
            return max(opens, key=by_age)
        expression = Expression()
        condition = f"{expression.name('slack_user_id')} = {expression.value({'S': slack_user_id})}"
        params = expression.params(
            TableName=self._table, IndexName=BY_USER, KeyConditionExpression=condition, ScanIndexForward=False
        )
        for item in query_pages(self._client, params):
            request = self._remember(item)
            if project is None or request.project == project:
                return request
        return None

    def in_states(self, states: Iterable[State], project: str | None = None) -> list[Request]:
        """All requests in any of these states, oldest first (one index query per state)."""
        found = [r for state in dict.fromkeys(states) for r in self._query(BY_STATE_CREATED, state)]
        return sorted(_of(project, found), key=by_age)

    def pending_created_before(self, cutoff: datetime, project: str | None = None) -> list[Request]:
        """PENDING requests filed at or before `cutoff`, oldest first; reads only those."""
        return sorted(_of(project, self._query(BY_STATE_CREATED, State.PENDING, "created_at", cutoff)), key=by_age)

    def active_expiring_before(self, cutoff: datetime, project: str | None = None) -> list[Request]:
        """ACTIVE requests whose access ends at or before `cutoff`; reads only those."""
        return sorted(_of(project, self._query(BY_STATE_EXPIRES, State.ACTIVE, "expires_at", cutoff)), key=by_age)

    def revoking_updated_before(self, cutoff: datetime, project: str | None = None) -> list[Request]:
        """REVOKING requests untouched since `cutoff`; reads only those."""
        return sorted(_of(project, self._query(BY_STATE_UPDATED, State.REVOKING, "updated_at", cutoff)), key=by_age)

    def extensions_asked_before(self, cutoff: datetime, project: str | None = None) -> list[Request]:
        """ACTIVE requests with an extension asked at or before `cutoff`; reads only those (a sparse index)."""
        found = self._query(BY_STATE_EXTENSION, State.ACTIVE, "extension_asked_at", cutoff)
        return sorted(_of(project, found), key=by_age)

    def with_undelivered_keys(self, project: str | None = None) -> list[Request]:
        """Requests that still list access keys nobody saw; reads only those (a sparse index)."""
        expression = Expression()
        condition = f"{expression.name(CLEANUP_ATTRIBUTE)} = {expression.value({'S': CLEANUP_KEYS})}"
        params = expression.params(TableName=self._table, IndexName=BY_CLEANUP, KeyConditionExpression=condition)
        return sorted(_of(project, (self._remember(item) for item in query_pages(self._client, params))), key=by_age)

    def claim(self, name: str, period: str) -> bool:
        """Claim `name` for `period` with a conditional put of `CLAIM#<name>` / `<period>`: True for one caller."""
        now = self._clock()
        item = {
            **claim_key(name, period),
            "claimed_at": {"S": time_text(now)},
            TTL_ATTRIBUTE: self._delete_after(now),
        }
        try:
            self._client.put_item(TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(pk)")
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def assignment_holder(self, assignment: str) -> str | None:
        """The request recorded as having created this assignment (a strongly consistent read), or None."""
        key = assignment_record_key(assignment)
        found = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True)
        return found["Item"]["request_id"]["S"] if "Item" in found else None

    def set_assignment_holder(self, assignment: str, expect: str | None, holder: str | None) -> bool:
        """Compare-and-set the assignment's record with one conditional put or delete."""
        key = assignment_record_key(assignment)
        if expect is None:
            condition, values = "attribute_not_exists(pk)", {}
        else:
            condition, values = "request_id = :expect", {":expect": {"S": expect}}
        extra = {"ExpressionAttributeValues": values} if values else {}
        try:
            if holder is None:
                if expect is None:
                    return self.assignment_holder(assignment) is None
                self._client.delete_item(TableName=self._table, Key=key, ConditionExpression=condition, **extra)
            else:
                item = {**key, "request_id": {"S": holder}, "updated_at": {"S": time_text(self._clock())}}
                self._client.put_item(TableName=self._table, Item=item, ConditionExpression=condition, **extra)
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def stalled_before(self, cutoff: datetime, project: str | None = None) -> list[Request]:
        """Requests left mid-way (see store.is_stalled) untouched since `cutoff`; reads only candidates.

        Three small queries: APPROVED and PENDING by their last change (PENDING ones are few, and most of them
        were posted), and the sparse in-flight index for credentials being claimed, minted or rotated.
        """
        found = self._query(BY_STATE_UPDATED, State.APPROVED, "updated_at", cutoff)
        found += self._query(BY_STATE_UPDATED, State.PENDING, "updated_at", cutoff)
        for marker in (IN_FLIGHT_CREDENTIALS, IN_FLIGHT_DM):  # the sparse in-flight index, by what is in flight
            expression = Expression()
            condition = (
                f"{expression.name(IN_FLIGHT_ATTRIBUTE)} = {expression.value({'S': marker})}"
                f" AND {expression.name('updated_at')} <= {expression.value({'S': time_text(cutoff)})}"
            )
            params = expression.params(TableName=self._table, IndexName=BY_IN_FLIGHT, KeyConditionExpression=condition)
            found += [self._remember(item) for item in query_pages(self._client, params)]
        unique = {r.id: r for r in _of(project, found) if is_stalled(r)}
        return sorted(unique.values(), key=by_age)

    def _remember(self, item: dict[str, Any]) -> Request:
        request = request_from_item(item)
        if len(self._owners) > 100_000:
            self._owners.clear()
        self._owners[request.id] = (request.slack_user_id, request.project)
        return request

    def _delete_after(self, now: datetime) -> dict[str, str]:
        return {"N": str(int((now + self._retention).timestamp()))}

    def _query(
        self, index: str, state: State, sort_key: str | None = None, cutoff: datetime | None = None
    ) -> list[Request]:
        expression = Expression()
        condition = f"{expression.name('state')} = {expression.value({'S': str(state)})}"
        if sort_key is not None and cutoff is not None:
            condition += f" AND {expression.name(sort_key)} <= {expression.value({'S': time_text(cutoff)})}"
        params = expression.params(TableName=self._table, IndexName=index, KeyConditionExpression=condition)
        return [self._remember(item) for item in query_pages(self._client, params)]


def by_age(request: Request) -> tuple[datetime, str]:
    return (request.created_at or datetime.min.replace(tzinfo=UTC), request.id)
