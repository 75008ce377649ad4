"""Sandbox mode: moto plays IAM inside the bot's process, loudly, and only in that mode."""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier

from ops import sandbox
from playground.slack_api import FakeSlack
from tests.conftest import CHANNEL, DEV, LEAD, TEAM, message_text

REPO_ROOT = Path(__file__).resolve().parents[2]
SECRET = "sandbox-signing-secret"


@pytest.fixture
def sandbox_iam(aws_env: None) -> Iterator[Any]:
    """The sandbox started in this process (and stopped again, so no other test sees it)."""
    try:
        yield sandbox.start_sandbox_iam("eu-west-1", reminder_seconds=0.05)
    finally:
        sandbox.stop_sandbox()


def test_sandbox_iam_has_managed_policies_and_answers_what_moto_lacks(sandbox_iam: Any) -> None:
    policy = sandbox_iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess-Amplify")["Policy"]
    sandbox_iam.create_user(UserName="dana-udev", Path="/amplify-dev/")

    assert policy["PolicyName"] == "AdministratorAccess-Amplify"
    assert sandbox_iam.list_service_specific_credentials(UserName="dana-udev")["ServiceSpecificCredentials"] == []
    with pytest.raises(Exception, match="NoSuchEntity"):
        sandbox_iam.delete_service_specific_credential(UserName="dana-udev", ServiceSpecificCredentialId="x" * 20)


def test_sandbox_ignores_a_configured_endpoint(monkeypatch: pytest.MonkeyPatch, aws_env: None) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    try:
        client = sandbox.start_sandbox_iam("eu-west-1")
        assert client.list_users()["Users"] == []
    finally:
        sandbox.stop_sandbox()


def test_sandbox_flag_and_label(aws_env: None) -> None:
    assert not sandbox.is_sandbox() and sandbox.sandbox_label() == ""
    try:
        sandbox.start_sandbox_iam("eu-west-1")
        assert sandbox.is_sandbox()
        assert sandbox.sandbox_label() == sandbox.SANDBOX_LABEL == ":test_tube: SANDBOX (fake AWS) — "
    finally:
        sandbox.stop_sandbox()
    assert not sandbox.is_sandbox()


def test_sandbox_warns_at_start_and_again_while_running(aws_env: None, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="amplify-dev.sandbox")
    try:
        sandbox.start_sandbox_iam("eu-west-1", reminder_seconds=0.05)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(caplog.records) < 3:
            time.sleep(0.05)
    finally:
        sandbox.stop_sandbox()

    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "SANDBOX MODE" in r.getMessage()]
    assert len(warnings) >= 3  # once at start, then on every interval
    # Stopped means ended: a reminder still running would log into whatever test runs next.
    assert not [t for t in threading.enumerate() if t.name == "amplify-dev-sandbox-reminder"]
    caplog.clear()
    time.sleep(0.2)
    assert not caplog.records


# --- processes --------------------------------------------------------------------------------------------


def _clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A minimal environment: nothing from the developer's shell (no real AWS profile, no .env)."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
    env.update(
        {
            "AWS_REGION": "eu-west-1",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        }
    )
    env.update(extra)
    return env


def test_normal_bot_never_imports_moto(slack: FakeSlack, tmp_path: Path) -> None:
    script = f"""
import sys
sys.path.insert(0, {str(REPO_ROOT)!r})
import bot
import messages
from ops import sandbox
from settings import load_settings
settings = load_settings({{
    "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": {slack.url!r},
    "AMPLIFY_DEV_APPROVAL_CHANNEL": "C0APPROVE", "AMPLIFY_DEV_APPROVERS": "ULEAD",
    "AMPLIFY_DEV_DB": {str(tmp_path / "plain.db")!r},
}})
built = bot.build(settings)
for part in built:
    if hasattr(part, "shutdown"):
        part.shutdown(wait=True)
    elif hasattr(part, "close"):
        part.close()
print("BUILT", len(built), sandbox.is_sandbox())
print("MOTO", sorted(m for m in sys.modules if m == "moto" or m.startswith("moto.")))
"""
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=_clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert re.search(r"^BUILT \d+ False$", result.stdout, re.MULTILINE), result.stdout
    assert "MOTO []" in result.stdout
    assert slack.calls_to("auth.test"), "the app was not really built against the fake Slack"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post(url: str, body: str) -> int:
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body),
    }
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
        return int(response.status)


def _wait_until_healthy(url: str, process: subprocess.Popen[Any], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the sandbox bot exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise AssertionError(f"the sandbox bot did not answer {url} within {timeout}s:\n{log.read_text()}")


def test_sandbox_process_serves_http_and_provisions_into_moto(slack: FakeSlack, tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "bot.log"
    env = _clean_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-sandbox",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.url,
        AMPLIFY_DEV_APPROVAL_CHANNEL=CHANNEL,
        AMPLIFY_DEV_APPROVERS=LEAD,
        AMPLIFY_DEV_DB=str(tmp_path / "sandbox.db"),
        AMPLIFY_DEV_LOG_FORMAT="json",
        PORT=str(port),
        # Would send IAM calls to a real endpoint if the sandbox honoured it; it must not.
        AWS_ENDPOINT_URL="http://127.0.0.1:9",
    )
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as log_file:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and script)
            [sys.executable, str(REPO_ROOT / "bot.py"), "--sandbox"],
            cwd=tmp_path,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_healthy(f"{base}/healthz", process, log)
            command = urlencode(
                {
                    "team_id": TEAM,
                    "user_id": DEV,
                    "command": "/amplify-dev",
                    "text": "request try the sandbox",
                    "channel_id": "C0GENERAL",
                    "response_url": slack.response_url("cmd"),
                    "trigger_id": "t1",
                }
            )
            assert _post(f"{base}/slack/events", command) == 200
            approval = next(
                c for c in slack.wait_for("chat.postMessage", timeout=20) if c.params.get("channel") == CHANNEL
            )
            buttons = [e for b in approval.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
            request_id = next(b["value"] for b in buttons if b["action_id"] == "amplify_dev_approve")
            click = {
                "type": "block_actions",
                "team": {"id": TEAM},
                "user": {"id": LEAD, "team_id": TEAM},
                "api_app_id": "A0APP",
                "trigger_id": "t2",
                "channel": {"id": CHANNEL},
                "container": {"type": "message", "message_ts": "1.0", "channel_id": CHANNEL},
                "message": {"ts": "1.0", "text": "…"},
                "response_url": slack.response_url("click"),
                "actions": [{"type": "button", "action_id": "amplify_dev_approve", "value": request_id}],
            }
            assert _post(f"{base}/slack/events", urlencode({"payload": json.dumps(click)})) == 200
            deadline = time.monotonic() + 20
            dms: list[Any] = []
            while not dms and time.monotonic() < deadline:
                dms = [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == f"D{DEV}"]
                time.sleep(0.1)
        finally:
            process.terminate()
            process.wait(timeout=20)

    assert dms, f"no DM reached the requester; calls: {slack.counts()}\n{log.read_text()}"
    dm = dms[0].params
    assert "Show credentials" in message_text(dm)
    # Every message is loudly labelled: the notification text and a first block.
    assert dm["text"].startswith(":test_tube: SANDBOX (fake AWS)")
    assert "SANDBOX (fake AWS)" in dm["blocks"][0]["elements"][0]["text"]
    approval = next(c.params for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == CHANNEL)
    assert approval["text"].startswith(":test_tube: SANDBOX")
    assert any(
        e.get("action_id") == "amplify_dev_show_credentials"
        for b in dm["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    )
    assert process.returncode == 0  # SIGTERM is a clean stop
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert any(entry["level"] == "WARNING" and "SANDBOX MODE" in entry["message"] for entry in lines)
    assert any(request_id in entry["message"] for entry in lines)
