"""RequestStore on one DynamoDB table (layout in store/dynamodb_table.py; the audit log beside it: store/dynamodb_audit.py).

Every transition is one conditional write: UpdateItem with a ConditionExpression over the expected fields, or,
when an audit event or the user's open-request lock goes with it, one TransactWriteItems. The loser of a race
gets None, as with SQLite. Reads by key are strongly consistent; the indexes are not (in real DynamoDB), which
is why everything the sweep does with what it finds is itself a compare-and-set.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from audit import AuditEvent
from store import DEFAULT_PROJECT, OPEN_STATES, Fields, OpenRequestExists, Request, State, allowed_values
from store.dynamodb_queries import DynamoReads
from store.dynamodb_table import (
    BUSY_CREDENTIALS,
    CLEANUP_ATTRIBUTE,
    CLEANUP_KEYS,
    IN_FLIGHT_ATTRIBUTE,
    IN_FLIGHT_CREDENTIALS,
    IN_FLIGHT_DM,
    TTL_ATTRIBUTE,
    Expression,
    audit_item,
    is_empty,
    lock_key,
    request_from_item,
    request_item,
    request_key,
    to_attribute,
)

logger = logging.getLogger(__name__)

_ATTEMPTS = 5  # transactions cancelled by a concurrent transaction on the same item are retried
_RETRY = "retry"  # a write that lost only to a concurrent transaction, or to a state pinned by a prior read


def _utcnow() -> datetime:
    return datetime.now(UTC)


class DynamoRequestStore(DynamoReads):
    """RequestStore on a DynamoDB table; any number of processes may share it."""

    def close(self) -> None:
        """Nothing to release (the client's connections close with it)."""

    def create(self, request: Request, *, audit: AuditEvent | None = None) -> Request:
        """Put the request, its user's open-request lock and its audit event in one transaction."""
        now = self._clock()
        request = replace(request, created_at=request.created_at or now, updated_at=now)
        item = request_item(request)
        if not request.is_open:
            item[TTL_ATTRIBUTE] = self._delete_after(now)
        actions: list[dict[str, Any]] = [{"Put": self._put(item, "attribute_not_exists(pk)")}]
        if request.is_open:
            lock = {**lock_key(request.slack_user_id, request.project), "request_id": {"S": request.id}}
            actions.append({"Put": self._put(lock, "attribute_not_exists(pk)")})
        if audit is not None:
            actions.append({"Put": self._put(audit_item(audit, self._audit_ttl(audit)))})
        for _ in range(_ATTEMPTS):
            reasons = self._transact(actions)
            if reasons is None:
                self._owners[request.id] = (request.slack_user_id, request.project)
                return request
            if reasons[0].get("Code") == "ConditionalCheckFailed":
                raise ValueError(f"request id {request.id} already exists")
            if len(reasons) > 1 and reasons[1].get("Code") == "ConditionalCheckFailed":
                holder = reasons[1].get("Item", {}).get("request_id", {}).get("S")
                existing = self.get(holder) if holder else None
                if existing is not None and existing.is_open:
                    raise OpenRequestExists(existing)
            # Otherwise a concurrent transaction, or the other request closed in between: try again.
        raise RuntimeError(f"could not store request {request.id}: kept conflicting with concurrent writes")

    def compare_and_set(
        self, request_id: str, expect: Fields, change: Fields, *, audit: AuditEvent | None = None
    ) -> Request | None:
        """Apply `change` only if every field of `expect` still holds; None when another actor got there first."""
        expected = expect.given()
        changes = {**change.given(), "updated_at": self._clock()}
        for _ in range(_ATTEMPTS):
            pinned: State | None = None
            before_open = _open_before(expected)
            if "state" in changes and before_open is None:
                # The expectation allows open and closed states: whether the lock is released (or taken) depends
                # on the current one, so read it and pin the write to it.
                current = self.get(request_id)
                if current is None or not _holds(expected, current):
                    return None
                pinned, before_open = current.state, current.is_open
            outcome = self._write(request_id, expected, changes, audit, pinned, before_open)
            if outcome != _RETRY:
                return outcome
        raise RuntimeError(f"could not change request {request_id}: kept conflicting with concurrent writes")

    def _write(
        self,
        request_id: str,
        expected: dict[str, Any],
        changes: dict[str, Any],
        audit: AuditEvent | None,
        pinned: State | None,
        before_open: bool | None,
    ) -> Request | str | None:
        expression = Expression()
        conditions = [f"attribute_exists({expression.name('pk')})"]
        conditions += [expression.matches(field, wanted) for field, wanted in expected.items()]
        if pinned is not None:
            conditions.append(expression.matches("state", pinned))
        sets = [
            f"{expression.name(k)} = {expression.value(to_attribute(k, v))}"
            for k, v in changes.items()
            if not is_empty(v, k)
        ]
        removes = [expression.name(k) for k, v in changes.items() if is_empty(v, k)]
        if "undelivered_key_ids" in changes:  # keep the sparse clean-up index in step with the list
            if is_empty(changes["undelivered_key_ids"]):
                removes.append(expression.name(CLEANUP_ATTRIBUTE))
            else:
                sets.append(f"{expression.name(CLEANUP_ATTRIBUTE)} = {expression.value({'S': CLEANUP_KEYS})}")

        def flight() -> str:  # named only when used: DynamoDB refuses an unused attribute name
            return expression.name(IN_FLIGHT_ATTRIBUTE)

        if "credentials" in changes:  # and the sparse in-flight index with the credentials' state
            if changes["credentials"] in BUSY_CREDENTIALS:
                sets.append(f"{flight()} = {expression.value({'S': IN_FLIGHT_CREDENTIALS})}")
            else:
                removes.append(flight())
        elif "state" in changes:
            if changes["state"] == State.ACTIVE and is_empty(changes.get("dm_ts")):
                sets.append(f"{flight()} = {expression.value({'S': IN_FLIGHT_DM})}")  # provisioned, DM not yet sent
            elif changes["state"] != State.ACTIVE:
                removes.append(flight())  # nothing is in flight for a request that left ACTIVE
        elif not is_empty(changes.get("dm_ts")):
            removes.append(flight())  # the requester was told
        lock_action = None
        if "state" in changes:
            after_open = changes["state"] in OPEN_STATES
            ttl = expression.name(TTL_ATTRIBUTE)
            if after_open:
                removes.append(ttl)
            else:
                sets.append(f"{ttl} = {expression.value(self._delete_after(changes['updated_at']))}")
            if before_open != after_open:
                lock_action = self._lock_action(request_id, take=after_open)
        update = expression.params(
            TableName=self._table,
            Key=request_key(request_id),
            UpdateExpression=f"SET {', '.join(sets)}" + (f" REMOVE {', '.join(removes)}" if removes else ""),
            ConditionExpression=" AND ".join(conditions),
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        if lock_action is None and audit is None:
            try:
                done = self._client.update_item(**update, ReturnValues="ALL_NEW")
            except self._client.exceptions.ConditionalCheckFailedException as lost:
                return self._lost(request_id, lost.response.get("Item"), pinned)
            return self._remember(done["Attributes"])
        actions: list[dict[str, Any]] = [{"Update": update}]
        if lock_action is not None:
            actions.append(lock_action)
        if audit is not None:
            actions.append({"Put": self._put(audit_item(audit, self._audit_ttl(audit)))})
        reasons = self._transact(actions)
        if reasons is None:
            return self.get(request_id)
        if reasons[0].get("Code") == "ConditionalCheckFailed":
            return self._lost(request_id, reasons[0].get("Item"), pinned)
        if lock_action is not None and reasons[1].get("Code") == "ConditionalCheckFailed":
            if "Put" in lock_action:  # reopening while the user has another open request
                holder = self.open_request_for(*self._owners[request_id])
                if holder is not None:
                    raise OpenRequestExists(holder)
            else:
                raise RuntimeError(f"the open-request lock of request {request_id} belongs to another request")
        return _RETRY

    def _lost(self, request_id: str, old: dict[str, Any] | None, pinned: State | None) -> Request | str | None:
        """The condition failed: None for the caller, unless only the state pinned by a prior read moved on."""
        current = request_from_item(old) if old else None
        if current is not None and pinned is not None and current.state != pinned:
            return _RETRY
        logger.debug("compare-and-set on %s lost; it is %s", request_id, current.state if current else "gone")
        return None

    def _lock_action(self, request_id: str, *, take: bool) -> dict[str, Any]:
        owner = self._owners.get(request_id)
        if owner is None:
            request = self.get(request_id)
            owner = (request.slack_user_id, request.project) if request else ("", DEFAULT_PROJECT)
        user, project = owner
        mine = "attribute_not_exists(pk) OR request_id = :id"
        if take:
            lock = {**lock_key(user, project), "request_id": {"S": request_id}}
            return {"Put": {**self._put(lock, mine), "ExpressionAttributeValues": {":id": {"S": request_id}}}}
        return {
            "Delete": {
                "TableName": self._table,
                "Key": lock_key(user, project),
                "ConditionExpression": mine,
                "ExpressionAttributeValues": {":id": {"S": request_id}},
            }
        }

    def _put(self, item: dict[str, Any], condition: str | None = None) -> dict[str, Any]:
        put: dict[str, Any] = {"TableName": self._table, "Item": item}
        if condition:
            put["ConditionExpression"] = condition
            put["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return put

    def _transact(self, actions: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        """Run one transaction: None if it committed, else the cancellation reason of each action."""
        try:
            self._client.transact_write_items(TransactItems=actions)
        except self._client.exceptions.TransactionCanceledException as cancelled:
            reasons = cancelled.response.get("CancellationReasons") or []
            if any(r.get("Code") == "TransactionConflict" for r in reasons):
                time.sleep(0.02)
            return reasons or [{"Code": "TransactionConflict"}]
        return None

    def _audit_ttl(self, event: AuditEvent) -> int:
        return int((event.at + self._retention).timestamp())


def _open_before(expected: dict[str, Any]) -> bool | None:
    """Whether the expected state is surely open (True), surely closed (False), or could be either (None)."""
    if "state" not in expected:
        return None
    opens = {state in OPEN_STATES for state in allowed_values(expected["state"])}
    return opens.pop() if len(opens) == 1 else None


def _holds(expected: dict[str, Any], request: Request) -> bool:
    return all(getattr(request, field) in allowed_values(wanted) for field, wanted in expected.items())
