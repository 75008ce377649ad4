"""What the message tests build their inputs from: a sandbox stack as the listing reports one, and a review row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from messages.review import ReviewRow

WHEN = datetime(2026, 12, 3, 9, tzinfo=UTC)


@dataclass(frozen=True)
class Stack:
    """An Amplify sandbox stack as workflow/sandboxes.py lists it."""

    stack_name: str
    region: str = "eu-west-1"
    status: str = "CREATE_COMPLETE"
    created: datetime = WHEN

    @property
    def delete_command(self) -> str:
        return f"aws cloudformation delete-stack --stack-name {self.stack_name} --region {self.region}"


def review_row(n: int = 1, **changes: Any) -> ReviewRow:
    """An active grant's row, approved at WHEN, never used; `changes` replace its fields."""
    fields: dict[str, Any] = {
        "request_id": f"r{n}",
        "developer": f"U{n:04d}",
        "iam_user": f"dev{n}",
        "state": "active",
        "console": False,
        "approved_by": "ULEAD",
        "approved_at": WHEN,
        "expires_at": None,
        "key_id": None,
        "key_created_at": None,
        "last_used_at": None,
        "last_used_service": None,
        "last_used_region": None,
        "password_last_used": None,
    }
    return ReviewRow(**{**fields, **changes})
