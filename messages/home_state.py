"""What the Home tab shows one person, read at one moment by the workflow (rendered by home.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from store import Request

from .basics import IAM_USER, Granted

OLD_KEY_DAYS = 90


@dataclass(frozen=True)
class HomeState:
    """Everything the Home tab shows one person, read at one moment (by the workflow; rendered here)."""

    user_id: str
    now: datetime
    request: Request | None = None  # their open request, else their latest one, else None
    key_age: timedelta | None = None  # age of the access key in use; None when there is none or it is unknown
    key_age_unknown: bool = False  # IAM could not be asked (or answered oddly): show "unknown"
    expires_at: datetime | None = None  # when their access ends, if requests carry an expiry
    is_approver: bool = False
    pending: tuple[Request, ...] = ()  # approvers only: the queue, oldest first
    active: tuple[Request, ...] = ()  # approvers only: who holds access now, oldest first
    granted: Granted = IAM_USER  # what access is in this mode, in words (workflow/grants.py)


def describe_age(age: timedelta | None) -> str:
    """A key's age in words: 'less than a minute', '5 minutes', '3 hours', '12 days' (or 'unknown')."""
    if age is None:
        return "unknown"
    seconds = int(age.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return "less than a minute"
