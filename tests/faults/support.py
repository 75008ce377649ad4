"""Fault injection: make one IAM operation fail or crash the process, the way botocore would see it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError


class Crash(BaseException):
    """Stands for the process dying: nothing in the bot catches a BaseException."""


def fail_iam(iam: Any, operation: str, code: str = "AccessDenied", *, times: int = 1_000) -> Callable[[], None]:
    """The next `times` calls to `operation` fail with `code`; returns a function that lifts the fault."""
    remaining = [times]

    def hook(**_: Any) -> None:
        if remaining[0] > 0:
            remaining[0] -= 1
            raise ClientError({"Error": {"Code": code, "Message": "injected"}}, operation)

    event = f"before-call.iam.{operation}"
    iam.meta.events.register(event, hook)
    return lambda: iam.meta.events.unregister(event, hook)


def crash_after_iam(iam: Any, operation: str) -> Callable[[], None]:
    """The process 'dies' right after `operation` succeeded at AWS (once)."""
    fired = [False]

    def hook(**_: Any) -> None:
        if not fired[0]:
            fired[0] = True
            raise Crash(operation)

    event = f"after-call.iam.{operation}"
    iam.meta.events.register(event, hook)
    return lambda: iam.meta.events.unregister(event, hook)


def throttle_iam(iam: Any, operation: str, times: int) -> list[int]:
    """Answer `operation` with HTTP 400 Throttling `times` times at the wire, inside botocore's retry loop."""
    seen = [0]
    body = (
        b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
        b"</Error><RequestId>x</RequestId></ErrorResponse>"
    )

    def hook(request: Any, **_: Any) -> AWSResponse | None:
        body_text = request.body.decode() if isinstance(request.body, bytes) else str(request.body or "")
        if seen[0] < times and f"Action={operation}" in body_text:
            seen[0] += 1
            return AWSResponse(request.url, 400, {}, _Raw(body))
        return None

    iam.meta.events.register_first("before-send.iam", hook)
    return seen


class _Raw:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Any:
        yield self._data

    def read(self, *_: Any) -> bytes:
        return self._data
