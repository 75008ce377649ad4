"""The bot on DynamoDB (moto), through lambda_handler.handler with Function URL events, and as several replicas.

Bolt's Lambda adapter runs a lazy listener by invoking the function again (InvocationType=Event). moto cannot run
Lambda code, so `InProcessLambda` stands in for the Lambda API: it calls `lambda_handler.handler` with the event
Bolt sends (the original request plus the `x-slack-bolt-lazy-*` headers, `method` NONE), or drops it.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_bolt import BoltResponse
from slack_bolt.adapter.aws_lambda.lazy_listener_runner import LambdaLazyListenerRunner
from slack_sdk.signature import SignatureVerifier

import iam
import lambda_handler
from ops.aws import build_dynamodb_client
from ops.create_table import ensure_table
from playground.slack_api import FakeSlack
from store.dynamodb import DynamoRequestStore
from store.dynamodb_audit import DynamoAuditLog
from tests.conftest import SIGNING_SECRET, Bot, make_settings, wire_bot
from tests.fakes.moto_dynamodb import atomic_moto_dynamodb
from tests.fakes.moto_gaps import FakeServiceSpecificCredentials

TABLE = "amplify-dev-serverless"
FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:amplify-dev"


@dataclass
class LambdaContext:
    """The two attributes of Lambda's context object that Bolt's adapter reads."""

    function_name: str = "amplify-dev"
    invoked_function_arn: str = FUNCTION_ARN


class InProcessLambda:
    """The Lambda API's `invoke` for Bolt's self-invocation: runs the handler in-process, or drops the event."""

    def __init__(self) -> None:
        self.invocations: list[dict[str, Any]] = []
        self.drop = False
        self.delay_seconds = 0  # how late the lazy invocation "arrives" (its signature timestamp is not renewed)

    def invoke(self, *, FunctionName: str, InvocationType: str, Payload: str) -> dict[str, Any]:
        assert FunctionName == FUNCTION_ARN and InvocationType == "Event"
        event = json.loads(Payload)
        self.invocations.append(event)
        if not self.drop:
            clock = lambda_handler.current()._clock
            if self.delay_seconds:
                lambda_handler.current()._clock = lambda: time.time() + self.delay_seconds
            try:
                answer = lambda_handler.handler(event, LambdaContext())
            finally:
                lambda_handler.current()._clock = clock
            assert answer["statusCode"] in (200, 401), answer
        return {"StatusCode": 202}


def function_url_event(body: str, headers: dict[str, str]) -> dict[str, Any]:
    """A Lambda Function URL event (payload format 2.0), as Slack's POST arrives."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/",
        "rawQueryString": "",
        "headers": {"host": "abc.lambda-url.eu-west-1.on.aws", **headers},
        "requestContext": {"http": {"method": "POST", "path": "/", "sourceIp": "3.3.3.3"}, "requestId": "r"},
        "body": body,
        "isBase64Encoded": False,
    }


@dataclass
class LambdaBot(Bot):
    """The Bot of tests/conftest.py, but every request goes through lambda_handler.handler."""

    lambda_api: InProcessLambda = field(default_factory=InProcessLambda)
    http_answers: list[dict[str, Any]] = field(default_factory=list)

    def dispatch(
        self,
        body: str,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        timestamp: int | None = None,
        secret: str = SIGNING_SECRET,
        extra_headers: dict[str, str] | None = None,
    ) -> BoltResponse:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        headers = {
            "content-type": content_type,
            "x-slack-request-timestamp": ts,
            "x-slack-signature": SignatureVerifier(secret).generate_signature(timestamp=ts, body=body),
            **(extra_headers or {}),
        }
        answer = lambda_handler.handler(function_url_event(body, headers), LambdaContext())
        self.http_answers.append(answer)
        response = BoltResponse(status=answer["statusCode"], body=answer.get("body") or "")
        self.responses.append(response)
        return response

    def scheduled(self, job: str = "sweep") -> dict[str, Any]:
        """What EventBridge sends every minute ("sweep") or hour ("reconcile")."""
        return lambda_handler.handler({"amplify_dev": job}, LambdaContext())


@pytest.fixture
def dynamodb(iam_client: Any) -> Iterator[Any]:
    """The table on moto (inside the same mock as IAM), with moto's DynamoDB atomic under threads."""
    with atomic_moto_dynamodb():
        client = build_dynamodb_client("eu-west-1")
        assert ensure_table(client, TABLE, io.StringIO()) == 0
        yield client


class SharedClock:
    """One clock for every replica and its store (the same wall clock two machines read), moved by tests."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def build_replica(slack: FakeSlack, db_path: str, clock: SharedClock | None = None, **overrides: str) -> Bot:
    """One bot process on the shared table: its own WebClient, store object, DynamoDB and IAM clients."""
    settings = make_settings(slack, db_path, AMPLIFY_DEV_DYNAMODB_TABLE=TABLE, **overrides)
    dynamodb = build_dynamodb_client("eu-west-1")
    iam_client = iam.build_iam_client("eu-west-1")
    FakeServiceSpecificCredentials().install(iam_client)
    clock = clock or SharedClock()
    store = DynamoRequestStore(TABLE, dynamodb, clock=clock)
    return wire_bot(slack, settings, iam_client, store, DynamoAuditLog(TABLE, dynamodb), clock, db_path)


@pytest.fixture
def make_replica(slack: FakeSlack, dynamodb: Any, tmp_path: Any) -> Callable[..., Bot]:
    """Factory for another bot process on the same table and the same (moto) AWS account."""
    count = iter(range(100))
    clock = SharedClock()
    return lambda **overrides: build_replica(slack, str(tmp_path / f"unused-{next(count)}.db"), clock, **overrides)


@pytest.fixture
def lambda_bot(make_replica: Callable[..., Bot], monkeypatch: pytest.MonkeyPatch) -> Iterator[LambdaBot]:
    """The bot as one Lambda container: lambda_handler's per-container bot, its self-invocation in-process."""
    replica = make_replica()
    container = lambda_handler.LambdaBot(replica.app, replica.workflow, SIGNING_SECRET)
    api = InProcessLambda()
    # SlackRequestHandler's constructor installed Bolt's runner; give it the in-process Lambda API.
    replica.app.listener_runner.lazy_listener_runner = LambdaLazyListenerRunner(
        logging.getLogger("slack_bolt.amplify-dev:SlackRequestHandler"), lambda_client=api
    )
    monkeypatch.setattr(lambda_handler, "_bot", container)
    yield LambdaBot(**{**replica.__dict__, "lambda_api": api})
