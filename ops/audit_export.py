"""`python bot.py audit [--since DATE] [--format jsonl|csv]`: export the audit trail."""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, datetime
from typing import TextIO

from audit import SqliteAuditLog
from settings import Settings

FIELDS = ("at", "event", "actor", "subject", "request_id", "iam_user", "outcome", "detail")


def parse_since(text: str | None) -> datetime | None:
    """YYYY-MM-DD (or a full ISO 8601 time) as a UTC datetime; None for no lower bound."""
    if not text:
        return None
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def run_audit_export(settings: Settings, out: TextIO, *, since: str | None = None, fmt: str = "jsonl") -> int:
    """Write every audit event since `since` to `out`, one JSON object per line or as CSV with a header."""
    try:
        start = parse_since(since)
    except ValueError:
        print(f"amplify-dev: --since must be a date like 2026-01-31, got {since!r}", file=sys.stderr)
        return 2
    if settings.dynamodb_table:
        from ops.aws import build_dynamodb_client, default_region
        from store.dynamodb_audit import DynamoAuditLog

        client = build_dynamodb_client(default_region())
        log: SqliteAuditLog | DynamoAuditLog = DynamoAuditLog(settings.dynamodb_table, client)
    else:
        log = SqliteAuditLog(settings.db_path)
    try:
        events = log.events(since=start)
    finally:
        log.close()
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        for event in events:
            writer.writerow(event.to_dict())
    else:
        for event in events:
            out.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")
    return 0
