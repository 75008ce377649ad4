"""handlers.lazy.after_ack: where an ack's one store write (Show credentials' claim) is made, by runtime."""

from __future__ import annotations

from types import SimpleNamespace

from slack_bolt import BoltContext
from slack_bolt.adapter.aws_lambda.lazy_listener_runner import LambdaLazyListenerRunner

from handlers.lazy import AFTER_ACK, after_ack
from lazy_runner import LazyRunner
from lazy_workers import LazyWorkers


def context_with(lazy_runner: object) -> BoltContext:
    context = BoltContext()
    context["listener_runner"] = SimpleNamespace(lazy_listener_runner=lazy_runner)
    return context


def test_on_lambda_the_ack_makes_the_write_itself() -> None:
    done: list[str] = []
    context = context_with(LambdaLazyListenerRunner(logger=None, lambda_client=object()))  # type: ignore[arg-type]
    after_ack(context, lambda: done.append("claimed"))
    assert done == ["claimed"] and AFTER_ACK not in context


def test_with_lazy_threads_the_ack_makes_the_write_itself() -> None:
    done: list[str] = []
    context = context_with(LazyRunner(1, "test"))
    after_ack(context, lambda: done.append("claimed"))
    assert done == ["claimed"] and AFTER_ACK not in context


def test_with_worker_processes_the_write_is_left_to_the_runner_and_travels_with_the_job() -> None:
    done: list[str] = []
    context = context_with(LazyWorkers(1, "unused:unused"))
    after_ack(context, lambda: done.append("claimed"))
    assert done == [] and callable(context[AFTER_ACK])
    context[AFTER_ACK]()
    assert done == ["claimed"]


def test_the_job_keeps_the_write_in_this_process_and_sends_only_what_slack_sent() -> None:
    from slack_bolt import BoltRequest

    from lazy_workers import LazyJob

    def claim() -> None:
        pass

    request = BoltRequest(body="payload=%7B%7D", headers={}, context={AFTER_ACK: claim})
    job = LazyJob.of(request, "lazy_click")
    assert job.after_ack is claim
    assert claim not in job.wire() and all(not callable(part) for part in job.wire())
