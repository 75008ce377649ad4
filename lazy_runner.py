"""The threads that run Bolt's lazy listeners in Socket Mode and HTTP, handed work without a lock.

An ack thread starts the slow half of its listener with `submit()`. ThreadPoolExecutor.submit() holds two locks
(its own and the module's global shutdown lock) while it runs Python code (its idle-thread semaphore); under a
burst the thread holding them loses the GIL to a busy worker, and every other ack thread queues behind it. Profiled
(bench/run.py --profile, py-spy by wall clock), 92% of the ack threads' time in a 200-user burst went there. Here
submit() is one SimpleQueue.put (a C call, atomic under the GIL): nothing an ack can wait on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from queue import SimpleQueue
from typing import Any


class LazyRunner(Executor):
    """A fixed set of worker threads reading one queue; submit() never blocks."""

    def __init__(self, workers: int, name: str) -> None:
        self._queue: SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None] = (
            SimpleQueue()
        )
        self._shutdown = False
        self._threads = [threading.Thread(target=self._work, name=f"{name}_{i}") for i in range(workers)]
        self._started = False
        self._starting = threading.Lock()  # taken once, by the first submit()

    def _start(self) -> None:
        # On first use, not when built: a bot whose start fails after building its runner leaves no thread behind.
        with self._starting:
            if not self._started:
                for thread in self._threads:
                    thread.start()
                self._started = True

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Queue `fn(*args, **kwargs)` for the next free worker."""
        if self._shutdown:
            raise RuntimeError("cannot schedule new work after shutdown")
        if not self._started:
            self._start()
        future: Future[Any] = Future()
        self._queue.put((future, fn, args, kwargs))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop taking work; the workers finish what is queued, then exit (joined when `wait`)."""
        self._shutdown = True
        with self._starting:
            if not self._started:
                return
        for _ in self._threads:
            self._queue.put(None)
        if wait:
            for thread in self._threads:
                thread.join()

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            future, fn, args, kwargs = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args, **kwargs)
            except BaseException as e:  # as ThreadPoolExecutor: the caller gets it from the future
                future.set_exception(e)
            else:
                future.set_result(result)
