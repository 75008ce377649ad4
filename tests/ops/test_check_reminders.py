"""`check` on AMPLIFY_DEV_RENOTIFY_MINUTES: when the leads are reminded, and a WARN when they never would be."""

from __future__ import annotations

from ops.check import Status
from ops.check.reminders import check_reminders
from tests.ops.test_policy import settings_with


def test_the_default_schedule_is_named_in_minutes() -> None:
    [result] = check_reminders(settings_with())
    assert result.status is Status.PASS and result.subject == "reminders"
    assert "60, 180, 420, 900 minutes" in result.detail and "RENOTIFY_MINUTES=60" in result.detail


def test_reminders_past_the_pending_expiry_are_left_out_and_said_so() -> None:
    [result] = check_reminders(settings_with(AMPLIFY_DEV_RENOTIFY_MINUTES="60", AMPLIFY_DEV_PENDING_HOURS="4"))
    assert result.status is Status.PASS and "60, 180 minutes" in result.detail and "2 of 4" in result.detail


def test_a_first_reminder_after_the_request_expires_warns() -> None:
    [result] = check_reminders(settings_with(AMPLIFY_DEV_RENOTIFY_MINUTES="300", AMPLIFY_DEV_PENDING_HOURS="5"))
    assert result.status is Status.WARN and "never reminded" in result.detail
