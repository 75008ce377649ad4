"""The DynamoDB store's reads for the sweep, the lists and the weekly claim: each a query on an index, never a scan.

A mixin of DynamoRequestStore (store/dynamodb.py), which provides the client, the table and `_remember`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from store import Request, State, is_stalled
from store.dynamodb_table import (
    BY_CLEANUP,
    BY_IN_FLIGHT,
    BY_STATE_CREATED,
    BY_STATE_EXPIRES,
    BY_STATE_UPDATED,
    CLEANUP_ATTRIBUTE,
    CLEANUP_KEYS,
    IN_FLIGHT_ATTRIBUTE,
    IN_FLIGHT_CREDENTIALS,
    IN_FLIGHT_DM,
    TTL_ATTRIBUTE,
    Expression,
    assignment_record_key,
    claim_key,
    query_pages,
    time_text,
)


class DueQueries:
    """in_states, the sweep's due-only queries, and claim."""

    _client: Any
    _table: str

    def _remember(self, item: dict[str, Any]) -> Request:
        raise NotImplementedError

    def _delete_after(self, now: datetime) -> dict[str, str]:
        raise NotImplementedError

    _clock: Any

    def in_states(self, states: Iterable[State]) -> list[Request]:
        """All requests in any of these states, oldest first (one index query per state)."""
        found = [r for state in dict.fromkeys(states) for r in self._query(BY_STATE_CREATED, state)]
        return sorted(found, key=by_age)

    def pending_created_before(self, cutoff: datetime) -> list[Request]:
        """PENDING requests filed at or before `cutoff`, oldest first; reads only those."""
        return sorted(self._query(BY_STATE_CREATED, State.PENDING, "created_at", cutoff), key=by_age)

    def active_expiring_before(self, cutoff: datetime) -> list[Request]:
        """ACTIVE requests whose access ends at or before `cutoff`; reads only those."""
        return sorted(self._query(BY_STATE_EXPIRES, State.ACTIVE, "expires_at", cutoff), key=by_age)

    def revoking_updated_before(self, cutoff: datetime) -> list[Request]:
        """REVOKING requests untouched since `cutoff`; reads only those."""
        return sorted(self._query(BY_STATE_UPDATED, State.REVOKING, "updated_at", cutoff), key=by_age)

    def with_undelivered_keys(self) -> list[Request]:
        """Requests that still list access keys nobody saw; reads only those (a sparse index)."""
        expression = Expression()
        condition = f"{expression.name(CLEANUP_ATTRIBUTE)} = {expression.value({'S': CLEANUP_KEYS})}"
        params = expression.params(TableName=self._table, IndexName=BY_CLEANUP, KeyConditionExpression=condition)
        return sorted((self._remember(item) for item in query_pages(self._client, params)), key=by_age)

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

    def stalled_before(self, cutoff: datetime) -> list[Request]:
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
        unique = {r.id: r for r in found if is_stalled(r)}
        return sorted(unique.values(), key=by_age)

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
