"""Periodic work in the running process: one daemon thread that calls the sweep on an interval, and how often the
sweep includes the drift check."""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL_SECONDS = 60.0
# The drift check's cadence in the long-running modes: every 60th sweep, hourly at the default interval (on Lambda,
# EventBridge's hourly `reconcile` schedule in template.yaml).
RECONCILE_EVERY = 60


class Periodic:
    """Runs `work` every `interval` seconds on one daemon thread until stopped; a failure is logged, not fatal."""

    def __init__(self, work: Callable[[], None], interval: float, *, name: str, first_at_once: bool = True) -> None:
        self._work = work
        self._interval = interval
        self._first_at_once = first_at_once
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> Periodic:
        """Start the thread (the first run is at once unless first_at_once=False)."""
        self._thread.start()
        return self

    def stop(self, timeout: float | None = 10.0) -> None:
        """Stop after the sweep in progress, if any."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        if not self._first_at_once and self._stopping.wait(self._interval):
            return
        while not self._stopping.is_set():
            try:
                self._work()
            except Exception:
                logger.exception("%s failed; will try again in %.0f s", self._thread.name, self._interval)
            self._stopping.wait(self._interval)


class Sweeper(Periodic):
    """Runs `sweep(reconcile=...)` every `interval` seconds, the first at once; sweeps never overlap within a
    process. Every `reconcile_every`-th sweep (the first included) also runs the drift check.

    Two bot processes sharing one store are still safe: every change a sweep makes is a compare-and-set, so
    only one of them acts on a request.
    """

    def __init__(
        self,
        sweep: Callable[..., None],
        interval: float = DEFAULT_INTERVAL_SECONDS,
        *,
        reconcile_every: int = RECONCILE_EVERY,
    ) -> None:
        sweeps = itertools.count()
        super().__init__(
            lambda: sweep(reconcile=next(sweeps) % reconcile_every == 0), interval, name="amplify-dev-sweeper"
        )
