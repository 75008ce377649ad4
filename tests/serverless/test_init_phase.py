"""Lambda's init phase: what the import builds inside Lambda (and only there), what the first ack needs, and the
SnapStart hooks that give every restored copy its own connections, random state and a fresh read of the secret."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import snapshot_restore_py
from moto import mock_aws
from slack_sdk.signature import SignatureVerifier

import lambda_handler
from playground.slack_api import FakeSlack
from tests.conftest import CHANNEL, LEAD, SIGNING_SECRET, TEST_AWS_ENV

ROOT = Path(__file__).resolve().parents[2]
SECRET_NAME = "amplify-dev-test-slack"

# Run in a fresh interpreter inside "Lambda": import the handler (the init phase), swap the self-invocation's
# client for a recorder, answer one signed `/amplify-dev request`, and say what got imported and built.
CONTAINER_SCRIPT = """
import json, sys, time
import snapshot_restore_py
from urllib.parse import urlencode
import lambda_handler
from slack_sdk.signature import SignatureVerifier

built_at_import = lambda_handler._bot is not None
container = lambda_handler._container
made_at_init = container.aws.made()
invoked = []
runner = container.bot.app.listener_runner.lazy_listener_runner
real_client = runner.lambda_client
runner.lambda_client = type("Recorder", (), {"invoke": lambda self, **kw: invoked.append(kw) or {"StatusCode": 202}})()
body = urlencode({"command": "/amplify-dev", "text": "request testing", "user_id": "UDEV", "team_id": "T0TEAM",
                  "channel_id": "C0GENERAL", "response_url": "http://127.0.0.1:9/r", "trigger_id": "t"})
ts = str(int(time.time()))
headers = {"content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": ts,
           "x-slack-signature": SignatureVerifier(sys.argv[1]).generate_signature(timestamp=ts, body=body)}
event = {"version": "2.0", "headers": headers, "requestContext": {"http": {"method": "POST"}}, "body": body,
         "isBase64Encoded": False}
context = type("Context", (), {"function_name": "f", "invoked_function_arn": "arn:aws:lambda:eu-west-1:1:function:f"})
answer = lambda_handler.handler(event, context())
loaded = sorted(
    {m.split(".")[0] for m in sys.modules} & {"workflow", "iam", "identity_center", "ops", "moto", "playground"}
)
print(json.dumps({
    "built_at_import": built_at_import, "steps": [name for name, _ in lambda_handler.INIT_STEPS],
    "made_at_init": made_at_init, "lambda_client_made_at_init": real_client is not None,
    "status": answer["statusCode"], "invoked": len(invoked), "workflow_built": container.bot.router.built,
    "loaded": loaded,
    "hooks": [len(snapshot_restore_py._before_snapshot_registry), len(snapshot_restore_py._after_restore_registry)],
}))
"""


def container_env(**extra: str) -> dict[str, str]:
    """A clean environment (no .env, no AWS endpoint that answers) plus `extra`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SLACK_", "AMPLIFY_DEV_"))}
    return {**base, **TEST_AWS_ENV, "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "PYTHONPATH": str(ROOT), **extra}


def test_importing_the_handler_outside_lambda_builds_nothing_and_needs_no_settings(tmp_path: Path) -> None:
    script = "import lambda_handler; print(lambda_handler._bot is None and lambda_handler.INIT_STEPS == [])"
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], cwd=tmp_path, env=container_env(), capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"


def run_container(script: str, tmp_path: Path, slack_url: str, **extra: str) -> dict[str, Any]:
    """Run `script` as a Lambda container's Python does (the bot's settings, the DynamoDB table never reached, plus
    `extra`): what its last line reports."""
    env = container_env(
        AWS_LAMBDA_FUNCTION_NAME="amplify-dev-bot",
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack_url,
        AMPLIFY_DEV_APPROVAL_CHANNEL=CHANNEL,
        AMPLIFY_DEV_APPROVERS=LEAD,
        AMPLIFY_DEV_DYNAMODB_TABLE="amplify-dev-never-reached",
        **extra,
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script, SIGNING_SECRET],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_inside_lambda_the_import_builds_the_bot_and_the_first_ack_needs_no_workflow(
    slack: FakeSlack, tmp_path: Path
) -> None:
    seen = run_container(
        CONTAINER_SCRIPT,
        tmp_path,
        slack.url,
        # The path rule is checked with the settings (the init phase): from a leaf, not from iam/ (boto3's IAM
        # layer, ~40 ms at 512 MB's share of a CPU), which only the workflow needs.
        AMPLIFY_DEV_IAM_PATH="/team-x/amplify-dev/",
    )
    assert seen["built_at_import"] and "Bolt app (auth.test)" in seen["steps"]
    assert seen["made_at_init"] == ["lambda"] and seen["lambda_client_made_at_init"]  # no IAM, no DynamoDB
    assert seen["hooks"] == [1, 1]
    # The ack: acknowledged, with Bolt's self-invocation, and nothing of the workflow (nor iam/) imported for it.
    assert seen["status"] == 200 and seen["invoked"] == 1
    assert not seen["workflow_built"] and seen["loaded"] == []


@pytest.fixture
def container(
    slack: FakeSlack, aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[lambda_handler.Container, Any]]:
    """One Lambda container built from its environment, the tokens in a (moto) Secrets Manager secret."""
    with mock_aws():
        import boto3

        secrets = boto3.client("secretsmanager", region_name="eu-west-1")
        arn = secrets.create_secret(
            Name=SECRET_NAME,
            SecretString=json.dumps({"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": SIGNING_SECRET}),
        )["ARN"]
        for name, value in {
            "AMPLIFY_DEV_SLACK_SECRET_ARN": arn,
            "SLACK_API_URL": slack.url,
            "AMPLIFY_DEV_APPROVAL_CHANNEL": CHANNEL,
            "AMPLIFY_DEV_APPROVERS": LEAD,
            "AMPLIFY_DEV_DYNAMODB_TABLE": "amplify-dev-never-reached",
        }.items():
            monkeypatch.setenv(name, value)
        for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
            monkeypatch.delenv(name, raising=False)
        built = lambda_handler.build_from_environment()
        monkeypatch.setattr(lambda_handler, "_container", built)
        monkeypatch.setattr(lambda_handler, "_bot", built.bot)
        yield built, secrets


def count_secret_reads(client: Any) -> list[str]:
    """Record every GetSecretValue the client sends."""
    reads: list[str] = []
    client.meta.events.register(
        "provide-client-params.secretsmanager.GetSecretValue", lambda params, **_: reads.append(params["SecretId"])
    )
    return reads


def spy_on_connections(built: lambda_handler.Container, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record which clients' HTTP connection pools are closed."""
    closed: list[str] = []
    for service in built.aws.made():
        session = built.aws.client(service)._endpoint.http_session
        monkeypatch.setattr(session, "close", lambda service=service: closed.append(service))
    return closed


def test_the_secret_is_read_once_through_the_shared_session_and_only_the_ack_clients_are_made(
    container: tuple[lambda_handler.Container, Any],
) -> None:
    built, _ = container
    assert built.secret is not None and built.secret.values["SLACK_SIGNING_SECRET"] == SIGNING_SECRET
    assert built.aws.made() == ["lambda", "secretsmanager"]
    assert built.bot.app.listener_runner.lazy_listener_runner.lambda_client is built.aws.client("lambda")


def test_after_restore_gives_the_copy_new_connections_new_random_state_and_a_fresh_secret(
    container: tuple[lambda_handler.Container, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    built, _ = container
    reads = count_secret_reads(built.aws.client("secretsmanager"))
    closed = spy_on_connections(built, monkeypatch)
    random.seed(18)
    snapshot_state = random.getstate()
    built.secret.read_at -= 86_400  # the snapshot was taken a day ago
    bot = lambda_handler._bot

    lambda_handler.after_restore()

    assert sorted(closed) == ["lambda", "secretsmanager"]
    assert random.getstate() != snapshot_state
    assert reads == [built.secret.arn] and built.secret.age < 60
    assert lambda_handler._bot is bot  # the same tokens: nothing rebuilt


def test_after_restore_rebuilds_the_bot_when_the_secret_changed_since_the_snapshot(
    container: tuple[lambda_handler.Container, Any],
) -> None:
    built, secrets = container
    rotated = "rotated-signing-secret"
    secrets.put_secret_value(
        SecretId=built.secret.arn,
        SecretString=json.dumps({"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": rotated}),
    )

    lambda_handler.after_restore()

    assert lambda_handler._bot is not built.bot
    assert lambda_handler._container.secret.values["SLACK_SIGNING_SECRET"] == rotated
    invoked: list[dict[str, Any]] = []
    lambda_handler._bot.app.listener_runner.lazy_listener_runner.lambda_client = Recorder(invoked)
    assert lambda_handler.handler(signed_help_event(SIGNING_SECRET), Context())["statusCode"] == 401
    assert lambda_handler.handler(signed_help_event(rotated), Context())["statusCode"] == 200


def test_before_snapshot_closes_every_open_connection(
    container: tuple[lambda_handler.Container, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    built, _ = container
    closed = spy_on_connections(built, monkeypatch)

    lambda_handler.before_snapshot()

    assert sorted(closed) == ["lambda", "secretsmanager"]


def test_the_hooks_are_registered_with_snapshot_restore_py_only_inside_lambda() -> None:
    # This test process is not Lambda: importing the handler registered nothing.
    assert lambda_handler.after_restore not in [f for f, _, _ in snapshot_restore_py._after_restore_registry]


class Recorder:
    """The Lambda API's invoke, recorded and not run."""

    def __init__(self, invoked: list[dict[str, Any]]) -> None:
        self.invoked = invoked

    def invoke(self, **kwargs: Any) -> dict[str, int]:
        self.invoked.append(kwargs)
        return {"StatusCode": 202}


class Context:
    function_name = "amplify-dev"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:amplify-dev"


def signed_help_event(secret: str) -> dict[str, Any]:
    """`/amplify-dev help` (answered in the ack, no self-invocation) as a Function URL event signed with `secret`."""
    import time
    from urllib.parse import urlencode

    body = urlencode({"command": "/amplify-dev", "text": "help", "user_id": "UDEV", "team_id": "T0TEAM"})
    ts = str(int(time.time()))
    return {
        "version": "2.0",
        "headers": {
            "content-type": "application/x-www-form-urlencoded",
            "x-slack-request-timestamp": ts,
            "x-slack-signature": SignatureVerifier(secret).generate_signature(timestamp=ts, body=body),
        },
        "requestContext": {"http": {"method": "POST"}},
        "body": body,
        "isBase64Encoded": False,
    }
