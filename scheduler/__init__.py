"""Periodic work in the running process: one daemon thread that calls workflow.sweep() on an interval."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL_SECONDS = 60.0


class Sweeper:
    """Runs `sweep` every `interval` seconds until stopped; a failing sweep is logged and retried next time.

    One thread per process, and sweeps never overlap within it. Two bot processes sharing one store are
    still safe: every change a sweep makes is a compare-and-set, so only one of them acts on a request.
    """

    def __init__(self, sweep: Callable[[], None], interval: float = DEFAULT_INTERVAL_SECONDS) -> None:
        self._sweep = sweep
        self._interval = interval
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="amplify-dev-sweeper", daemon=True)

    def start(self) -> Sweeper:
        """Start the thread; the first sweep runs at once."""
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the sweep in progress, if any."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._sweep()
            except Exception:
                logger.exception("periodic sweep failed; will try again in %.0f s", self._interval)
            self._stopping.wait(self._interval)
