"""A clock tests hand to the bot at construction and move forward themselves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    """Stands still until advanced: calling it returns the current fake time, an aware UTC datetime."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move forward by timedelta(**delta), e.g. advance(days=1, minutes=5); returns the new time."""
        step = timedelta(**delta)
        if step < timedelta(0):
            raise ValueError("a clock only moves forward")
        self.now += step
        return self.now
