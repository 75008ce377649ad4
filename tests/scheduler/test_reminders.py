"""The reminder schedule: after RENOTIFY_MINUTES, then doubling intervals, four at most, never once decided."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from scheduler.reminders import MAX_REMINDERS, next_reminder, next_reminder_at, reminder_times

FILED = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
HOUR = timedelta(minutes=60)


def test_first_after_the_setting_then_doubling_intervals_four_at_most() -> None:
    assert reminder_times(FILED, HOUR) == tuple(FILED + HOUR * n for n in (1, 3, 7, 15))
    due = [next_reminder_at(FILED, sent, FILED, every=HOUR) for sent in range(6)]
    assert due == [FILED + HOUR, FILED + 3 * HOUR, FILED + 7 * HOUR, FILED + 15 * HOUR, None, None]


def test_nothing_once_the_request_is_decided_expired_or_withdrawn() -> None:
    assert next_reminder_at(FILED, 0, FILED + 2 * HOUR, every=HOUR, pending=False) is None


def test_nothing_due_at_or_after_the_requests_own_expiry() -> None:
    expires = FILED + 7 * HOUR  # the third reminder would fall on it
    assert next_reminder_at(FILED, 1, FILED, every=HOUR, expires_at=expires) == FILED + 3 * HOUR
    assert next_reminder_at(FILED, 2, FILED, every=HOUR, expires_at=expires) is None


def test_a_reminder_not_yet_due_is_not_claimed_early() -> None:
    reminder = next_reminder(FILED, 0, FILED + timedelta(minutes=59), every=HOUR)
    assert reminder is not None and reminder.due_at > FILED + timedelta(minutes=59)
    assert (reminder.number, reminder.sent_after) == (1, 1)


def test_a_bot_down_past_several_due_times_sends_one_reminder_not_a_burst() -> None:
    reminder = next_reminder(FILED, 0, FILED + 8 * HOUR, every=HOUR)  # the first three were due while it was down
    assert reminder is not None and reminder.due_at <= FILED + 8 * HOUR and reminder.sent_after == 3
    after = next_reminder(FILED, reminder.sent_after, FILED + 8 * HOUR, every=HOUR, last_sent_at=FILED + 8 * HOUR)
    assert after is not None and after.due_at == FILED + 16 * HOUR  # its whole interval after the late one


@given(
    minutes=st.integers(min_value=1, max_value=24 * 60),
    ticks=st.lists(st.integers(min_value=0, max_value=40 * 24 * 60), max_size=60),
)
def test_sweeping_at_any_times_sends_at_most_four_in_order_and_never_early(minutes: int, ticks: list[int]) -> None:
    every = timedelta(minutes=minutes)
    sent, sent_at = 0, []
    for tick in sorted(ticks):
        now = FILED + timedelta(minutes=tick)
        reminder = next_reminder(FILED, sent, now, every=every, last_sent_at=sent_at[-1] if sent_at else None)
        if reminder is not None and reminder.due_at <= now:
            assert reminder.sent_after > sent  # a claim always moves the count on: a replay claims nothing
            sent = reminder.sent_after
            sent_at.append(now)
    assert len(sent_at) <= MAX_REMINDERS and sent <= MAX_REMINDERS
    assert all(t >= FILED + every for t in sent_at)
    assert all(later - earlier >= every for earlier, later in pairwise(sent_at))
