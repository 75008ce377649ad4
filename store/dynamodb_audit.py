"""AuditLog in the request store's DynamoDB table: one partition per month, sorted by time, deleted by TTL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from audit import DEFAULT_RETENTION_DAYS, AuditEvent
from store.dynamodb_table import Expression, audit_from_item, audit_item, audit_partition, query_pages, time_text


def _utcnow() -> datetime:
    return datetime.now(UTC)


class DynamoAuditLog:
    """AuditLog in the same table: one partition per month, sorted by time, deleted by TTL after retention."""

    def __init__(
        self, table_name: str, client: Any, *, clock: Any = _utcnow, retention_days: int = DEFAULT_RETENTION_DAYS
    ) -> None:
        self._table = table_name
        self._client = client
        self._clock = clock
        self._retention = timedelta(days=retention_days)

    def close(self) -> None:
        """Nothing to release."""

    def append(self, event: AuditEvent) -> None:
        """Record one event."""
        delete_after = int((event.at + self._retention).timestamp())
        self._client.put_item(TableName=self._table, Item=audit_item(event, delete_after))

    def events(self, since: datetime | None = None) -> list[AuditEvent]:
        """Events at or after `since` (all kept ones if None), oldest first: one query per month."""
        now = self._clock()
        start = since if since is not None else now - self._retention
        found: list[AuditEvent] = []
        for partition in _months(start, now + timedelta(days=31)):
            expression = Expression()
            condition = f"{expression.name('pk')} = {expression.value({'S': partition})}"
            if since is not None:
                condition += f" AND {expression.name('sk')} >= {expression.value({'S': time_text(since)})}"
            params = expression.params(TableName=self._table, KeyConditionExpression=condition, ConsistentRead=True)
            found.extend(audit_from_item(item) for item in query_pages(self._client, params))
        return found


def _months(start: datetime, end: datetime) -> list[str]:
    year, month = start.astimezone(UTC).year, start.astimezone(UTC).month
    partitions = []
    while (year, month) <= (end.astimezone(UTC).year, end.astimezone(UTC).month):
        partitions.append(audit_partition(datetime(year, month, 1, tzinfo=UTC)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return partitions
