"""Bolt's lazy listeners in worker processes (Socket Mode and HTTP), the way Bolt runs them on Lambda.

Under a burst, lazy listeners on threads share the ack's interpreter: while they parse botocore responses and build
Slack calls they hold the GIL, and the ack threads wait for it (profiled in bench/RESULTS.md). Here the ack only
queues what Bolt's Lambda adapter sends to its second invocation, the request (mode, body, headers) with Bolt's
`x-slack-bolt-lazy-only` and `x-slack-bolt-lazy-function-name` headers, and a few worker processes, each holding
its own app, dispatch it: Bolt runs just that lazy function there.

What crosses the pipe is what Slack sent (body and headers), never a secret of ours: a worker reads its settings
from the same environment as the bot and mints credentials itself. Exactly once holds because every flow moves
the store by compare-and-set, which SQLite (one file, WAL) and DynamoDB enforce across processes. A worker that
dies loses only the request it was on: the sweep (workflow/upkeep.py STALLED_AFTER) and start-up recovery finish
or roll it back, as for a lost Lambda invocation; the dispatcher starts another worker. shutdown() drains: every
queued request is handed out and finished before the workers exit.

A payload whose ack is known to be empty (a click, an event, `/amplify-dev request`) is not run through Bolt here at
all: slack_app.AmplifyDevApp checks its signature, hands it whole to take_whole() and acknowledges it, and the worker's
Bolt runs its middleware, its ack (Show credentials' claim) and its lazy listener, in that order (InlineLazyRunner).
The window this accepts: the bot process killed (not stopped: shutdown() drains) while such a job waits in the queue
loses it, as it loses any queued lazy job, which only ever lived in this process's memory: nothing was done, the
button still works, nobody is told. A worker that dies after the job's first store write (a claim, an approval) is
covered by the sweep as before.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from queue import Empty, SimpleQueue
from typing import Any

from slack_bolt import App, BoltRequest
from slack_bolt.lazy_listener import LazyListenerRunner

logger = logging.getLogger("amplify-dev")

LAZY_ONLY = "x-slack-bolt-lazy-only"
LAZY_FUNCTION = "x-slack-bolt-lazy-function-name"
# The workers' scheduling priority below the bot's (nice 10: about a tenth of the CPU weight of nice 0): when the
# machine is busy, an ack thread that wakes up gets a core before the slow half of earlier requests does.
WORKER_NICENESS = 10
RESTART_DELAY = 5.0  # seconds before replacing a worker that died before it was ready (a build that fails)
_STOP = object()

Job = tuple[str, Any, dict[str, list[str]]]  # (Bolt's mode, the body as Slack sent it, headers)


WHOLE = ""  # LazyJob.function_name of a request the worker's Bolt runs whole (middleware, ack, lazy listener)


@dataclass(frozen=True)
class LazyJob:
    """What a worker needs to run one lazy function (or, WHOLE, the whole request): the request as Slack sent it."""

    mode: str  # Bolt's "http" or "socket_mode"
    body: Any  # the raw body (HTTP) or the payload (Socket Mode)
    headers: dict[str, Any]
    function_name: str

    @classmethod
    def of(cls, request: BoltRequest, function_name: str) -> LazyJob:
        """The job for `request`: its raw body and headers, read, never copied (the ack thread's one step)."""
        body = request.raw_body if request.mode == "http" else request.body
        return cls(request.mode, body, request.headers, function_name)

    def wire(self) -> Job:
        """The job as sent to a worker: for one lazy function, Bolt's two lazy headers added, as its Lambda adapter
        adds them; a WHOLE request as it came."""
        headers = {k: list(v) for k, v in self.headers.items()}
        if self.function_name != WHOLE:
            headers[LAZY_ONLY], headers[LAZY_FUNCTION] = ["1"], [self.function_name]
        return self.mode, self.body, headers


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, context: Any, build: str, index: int) -> None:
        self.conn, child = multiprocessing.Pipe()
        self.process = context.Process(
            target=worker_main, args=(child, build), name=f"amplify-dev-lazy-{index}", daemon=False
        )
        self.process.start()
        child.close()  # only the worker holds its end: a parent that dies gives the worker EOF
        self.ready = False
        self.busy = False


class LazyWorkers(LazyListenerRunner):
    """Bolt's LazyListenerRunner: start() queues the request; a dispatcher thread hands it to an idle worker."""

    def __init__(self, workers: int, build: str, *, logger: logging.Logger = logger) -> None:
        """`build` names ("module:function") what each worker calls to build its Bolt app."""
        self.logger = logger
        self._build = build
        self._context = multiprocessing.get_context("spawn")  # never fork a process that runs threads
        self._size = workers
        self._queue: SimpleQueue[Any] = SimpleQueue()  # from the acks
        self._workers: list[_Worker] = []
        self._started = 0
        self._accepting = True
        self._dispatcher = threading.Thread(target=self._dispatch, name="amplify-dev-lazy-dispatch", daemon=True)

    def install(self, app: App) -> LazyWorkers:
        """Run `app`'s lazy listeners here, handing each worker the request as Slack sent it.

        Bolt's thread runner deep-copies the whole request (parsed body, context) for a lazy listener in the ack
        thread: 47% of an ack's CPU (bench/ack_cost.py). A worker process rebuilds the request from the raw body,
        so the copy is replaced by LazyJob.of, which copies nothing.
        """
        runner = app.listener_runner
        if not callable(getattr(runner, "_build_lazy_request", None)):
            raise RuntimeError("slack_bolt's ThreadListenerRunner changed: lazy_workers.py needs updating")
        runner.lazy_listener_runner = self
        runner._build_lazy_request = LazyJob.of  # type: ignore[method-assign]
        return self

    def start_workers(self) -> LazyWorkers:
        """Start the worker processes and the dispatcher; work queued before they are ready waits for them."""
        self._workers = [self._new_worker() for _ in range(self._size)]
        self._dispatcher.start()
        return self

    def start(self, function: Callable[..., None], request: Any) -> None:
        """Queue the lazy job (called by Bolt in the ack thread, with a LazyJob: one put, nothing to wait on)."""
        if not self._accepting:
            raise RuntimeError("cannot schedule lazy work after shutdown")
        self._queue.put(request if isinstance(request, LazyJob) else LazyJob.of(request, request.lazy_function_name))

    def take_whole(self, request: BoltRequest) -> None:
        """Queue a request whose ack was answered without Bolt (slack_app.AmplifyDevApp): a worker's Bolt runs it
        whole, its ack included."""
        if not self._accepting:
            raise RuntimeError("cannot schedule lazy work after shutdown")
        self._queue.put(LazyJob.of(request, WHOLE))

    def shutdown(self, timeout: float | None = None) -> None:
        """Stop taking work, finish everything queued, stop the workers (joined)."""
        self._accepting = False
        self._queue.put(_STOP)
        if self._dispatcher.is_alive():
            self._dispatcher.join(timeout)

    def ready(self) -> int:
        """How many workers have built their app and take work."""
        return sum(w.ready and w.process.is_alive() for w in self._workers)

    @property
    def pids(self) -> list[int]:
        """The worker processes' ids, for tests and the benchmark."""
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    def _new_worker(self) -> _Worker:
        self._started += 1
        return _Worker(self._context, self._build, self._started)

    def _dispatch(self) -> None:
        pending: LazyJob | None = None
        stopping = False
        while True:
            if pending is None and not stopping:
                try:
                    item = self._queue.get(timeout=0.5)
                except Empty:
                    item = None
                if item is _STOP:
                    stopping = True
                else:
                    pending = item
            if pending is not None:
                idle = self._idle() or (self._poll(block=True) or self._idle())
                if idle is None:
                    continue
                self._send(idle, pending)
                pending = None
            if not stopping:
                self._poll(block=False)
            elif not any(w.busy for w in self._workers):
                break  # everything queued before the stop has been handed out and finished
            else:
                self._poll(block=True)
        for worker in self._workers:
            with contextlib.suppress(OSError):  # one that died meanwhile has nothing to stop
                worker.conn.send(None)
        for worker in self._workers:
            worker.process.join()

    def _idle(self) -> _Worker | None:
        return next((w for w in self._workers if w.ready and not w.busy), None)

    def _send(self, worker: _Worker, job: LazyJob) -> None:
        worker.busy = True
        try:
            worker.conn.send(job.wire())
        except OSError:  # it died just now: _poll replaces it; this request is the sweep's, like one it was on
            self.logger.warning("a lazy-listener worker exited before taking a request; the sweep finishes it")

    def _poll(self, *, block: bool) -> None:
        """Read what the workers said (ready, done) and replace any that died."""
        conns = {w.conn: w for w in self._workers}
        sentinels = {w.process.sentinel: w for w in self._workers}
        for ready in wait([*conns, *sentinels], timeout=0.5 if block else 0):
            if ready in conns:
                worker = conns[ready]
                try:
                    worker.conn.recv()
                except (EOFError, OSError):
                    continue  # its sentinel says the rest
                worker.ready, worker.busy = True, False
            elif ready in sentinels:
                self._replace(sentinels[ready])

    def _replace(self, dead: _Worker) -> None:
        code = dead.process.exitcode
        if dead.busy:
            self.logger.warning(
                "a lazy-listener worker exited (code %s) during a request: the sweep finishes or rolls it back", code
            )
        else:
            self.logger.warning("a lazy-listener worker exited (code %s); starting another", code)
        dead.conn.close()
        if not dead.ready:
            time.sleep(RESTART_DELAY)  # its build failed (the log says why): do not spin
        self._workers[self._workers.index(dead)] = self._new_worker()


class InlineLazyRunner(LazyListenerRunner):
    """A worker's lazy runner: the lazy listener of a WHOLE request runs right after its ack, in the same thread (the
    worker takes its next job when both are done). A lazy-only job is run by Bolt through run(), as always."""

    def __init__(self) -> None:
        self.logger = logger

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        """Run the lazy listener now (Bolt calls this after the ack)."""
        self.run(function, request)


def worker_main(conn: Connection, build: str) -> None:
    """A worker process: build the app, then dispatch each lazy request the parent sends until told to stop."""
    # Ctrl-C and SIGTERM reach the whole process group: the parent drains the queue and then stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.nice(WORKER_NICENESS)
    module, _, name = build.partition(":")
    app = getattr(importlib.import_module(module), name)()
    app.listener_runner.lazy_listener_runner = InlineLazyRunner()
    conn.send("ready")
    while True:
        try:
            job: Job | None = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if job is None:
            return
        mode, body, headers = job
        try:
            app.dispatch(BoltRequest(body=body, headers=headers, mode=mode))
        except Exception:  # Bolt catches a listener's errors; this is Bolt's own failing
            logger.exception("a lazy request failed in its worker process")
        conn.send("done")
