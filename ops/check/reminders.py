"""`check` for the reminders to the leads (AMPLIFY_DEV_RENOTIFY_MINUTES): when they come, and a WARN when the
request expires (AMPLIFY_DEV_PENDING_HOURS) before the first one, so that the leads would never be reminded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ops.check.results import CheckResult, Status
from scheduler.reminders import MAX_REMINDERS, reminder_times
from settings import Settings

AREA = "On call"
SUBJECT = "reminders"


def check_reminders(settings: Settings) -> list[CheckResult]:
    """PASS naming when an undecided request is re-announced; WARN when it expires before any reminder."""
    start = datetime(2000, 1, 1, tzinfo=UTC)
    every = timedelta(minutes=settings.renotify_minutes)
    expires = start + timedelta(hours=settings.pending_hours)
    due = [int((t - start).total_seconds() // 60) for t in reminder_times(start, every) if t < expires]
    if not due:
        return [
            CheckResult(
                AREA,
                Status.WARN,
                SUBJECT,
                f"AMPLIFY_DEV_RENOTIFY_MINUTES={settings.renotify_minutes} is past AMPLIFY_DEV_PENDING_HOURS="
                f"{settings.pending_hours}: a request expires before its first reminder, so the leads are never "
                "reminded. Lower the one or raise the other.",
            )
        ]
    minutes = ", ".join(str(m) for m in due)
    fewer = f" ({len(due)} of {MAX_REMINDERS}: the request expires first)" if len(due) < MAX_REMINDERS else ""
    return [
        CheckResult(
            AREA,
            Status.PASS,
            SUBJECT,
            f"a request (or extension) nobody decided on is re-announced to the approvers {minutes} minutes after it "
            f"was filed{fewer} (AMPLIFY_DEV_RENOTIFY_MINUTES={settings.renotify_minutes})",
        )
    ]
