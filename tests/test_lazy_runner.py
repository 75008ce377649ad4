"""bot.build's runner for the lazy listeners (Socket Mode and HTTP): a queue and fixed workers, no lock in submit."""

from __future__ import annotations

import threading

import pytest

from lazy_runner import LazyRunner


def test_submitted_work_runs_on_the_workers_and_its_result_or_error_comes_back() -> None:
    runner = LazyRunner(2, "test-lazy")
    try:
        names = {runner.submit(lambda: threading.current_thread().name).result(timeout=5) for _ in range(20)}
        assert names <= {"test-lazy_0", "test-lazy_1"} and threading.current_thread().name not in names
        assert runner.submit(lambda a, b=0: a + b, 2, b=3).result(timeout=5) == 5
        with pytest.raises(ZeroDivisionError):
            runner.submit(lambda: 1 / 0).result(timeout=5)
    finally:
        runner.shutdown()


def test_shutdown_finishes_what_was_queued_then_refuses_more() -> None:
    runner = LazyRunner(1, "test-lazy")
    release = threading.Event()
    done: list[int] = []
    runner.submit(release.wait, 5)
    futures = [runner.submit(done.append, i) for i in range(5)]
    release.set()
    runner.shutdown(wait=True)
    assert done == [0, 1, 2, 3, 4] and all(f.done() for f in futures)
    assert not any(t.is_alive() for t in runner._threads)
    with pytest.raises(RuntimeError):
        runner.submit(print)


def test_a_cancelled_future_is_skipped() -> None:
    runner = LazyRunner(1, "test-lazy")
    release = threading.Event()
    ran: list[str] = []
    try:
        runner.submit(release.wait, 5)
        queued = runner.submit(ran.append, "x")
        assert queued.cancel()
        release.set()
    finally:
        runner.shutdown()
    assert ran == [] and queued.cancelled()


def test_no_thread_is_started_before_the_first_work() -> None:
    runner = LazyRunner(3, "test-lazy-idle")
    assert not any(t.is_alive() for t in runner._threads)
    runner.shutdown()  # a runner never used stops without starting anything
    assert not any(t.name.startswith("test-lazy-idle") for t in threading.enumerate())
