"""When the leads are reminded of a request nobody has decided on: a pure schedule, no clock and no store.

The first reminder is due `every` (AMPLIFY_DEV_RENOTIFY_MINUTES) after the request was filed, each later one
after twice the previous interval (1, 2, 4, 8 times `every`: due at 1, 3, 7 and 15 times `every`), four at
most, none once the request is no longer pending or past its expiry. The sweep claims a due reminder by a
compare-and-set of the count from `reminders_sent` to `Reminder.sent_after`, so replicas and restarts send it
once. A bot that was down past several due times sends one reminder, not a burst: `sent_after` then also counts
the ones it missed, and with `last_sent_at` the next one still waits its whole interval after the last one sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_REMINDERS = 4


@dataclass(frozen=True)
class Reminder:
    """The next reminder: when it is due, and the count to store once it is claimed and sent."""

    due_at: datetime
    number: int  # 1 to 4: which reminder this is
    sent_after: int  # reminders_sent to store with the claim (number, plus any missed while the bot was down)


def reminder_times(filed_at: datetime, every: timedelta) -> tuple[datetime, ...]:
    """The four due times: `every`, then doubling intervals."""
    return tuple(filed_at + every * (2 ** (n + 1) - 1) for n in range(MAX_REMINDERS))


def next_reminder(
    filed_at: datetime,
    reminders_sent: int,
    now: datetime,
    *,
    every: timedelta,
    pending: bool = True,
    expires_at: datetime | None = None,
    last_sent_at: datetime | None = None,
) -> Reminder | None:
    """The next reminder of a request filed at `filed_at` with `reminders_sent` sent so far; None if there is none.

    `pending`: False once it is decided, expired or withdrawn. `expires_at`: a reminder due at or after it is
    never sent (the request expires first). `last_sent_at`: when the last one went out (a late one pushes the
    next back by its interval). A reminder due at or before `now` is due now.
    """
    if not pending or reminders_sent >= MAX_REMINDERS or every <= timedelta(0):
        return None
    sent = max(reminders_sent, 0)
    times = reminder_times(filed_at, every)
    due_at = times[sent]
    if last_sent_at is not None and sent:
        due_at = max(due_at, last_sent_at + every * 2**sent)
    if expires_at is not None and due_at >= expires_at:
        return None
    passed = sum(1 for t in times if t <= now)
    sent_after = max(sent + 1, min(passed, MAX_REMINDERS))
    return Reminder(due_at=due_at, number=sent + 1, sent_after=sent_after)


def next_reminder_at(
    filed_at: datetime,
    reminders_sent: int,
    now: datetime,
    *,
    every: timedelta,
    pending: bool = True,
    expires_at: datetime | None = None,
    last_sent_at: datetime | None = None,
) -> datetime | None:
    """When the next reminder is due (at or before `now`: due now), or None when no reminder is left."""
    reminder = next_reminder(
        filed_at, reminders_sent, now, every=every, pending=pending, expires_at=expires_at, last_sent_at=last_sent_at
    )
    return reminder.due_at if reminder else None
