"""What a new user meets in the first hour, following the README: run as they would (`python bot.py ...` in a
clean environment), each path ends in a sentence that says what to do, never a traceback."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import messages as msg
from store import Request, State

REPO_ROOT = Path(__file__).resolve().parents[1]
SLACK = {
    "SLACK_BOT_TOKEN": "xoxb-1-2-abc",
    "SLACK_SIGNING_SECRET": "s3cret",
    "AMPLIFY_DEV_APPROVAL_CHANNEL": "C0LEADS",
    "AMPLIFY_DEV_APPROVERS": "U0LEAD1",
}
FAKE_KEYS = {"AWS_ACCESS_KEY_ID": "AKIAFIRSTHOURFAKE000", "AWS_SECRET_ACCESS_KEY": "first-hour-fake-secret"}
# The README's projects example, as a person pastes it.
README_PROJECTS = """
[defaults]
max_days = 30
policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess-Amplify"]

[projects.shop-dev]
description = "Shop, development account"
account_role_arn = "arn:aws:iam::111111111111:role/amplify-dev"
region = "eu-west-1"
approval_channel = "C0SHOPDEV"
approvers = ["U0SHOPLEAD", "S0SHOPLEADS"]

[projects.shop-prod]
description = "Shop, production account"
account_role_arn = "arn:aws:iam::222222222222:role/amplify-dev"
approval_channel = "C0SHOPPROD"
approvers = ["U0CTO"]
required_approvals = 2
allow_console = false
"""


def _closed_port() -> int:
    """A loopback port nothing listens on: connecting is refused at once (Slack or AWS "down")."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_bot(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """`python bot.py ARGS` in `tmp_path` with only PATH, HOME and `env`: no ~/.aws, no instance role."""
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "AWS_EC2_METADATA_DISABLED": "true",  # no instance role to look for
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        "AWS_DEFAULT_REGION": "us-east-1",
        **(env or {}),
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and bot.py
        [sys.executable, str(REPO_ROOT / "bot.py"), *args],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_no_traceback(result: subprocess.CompletedProcess) -> None:
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream, stream
        assert "Error:" not in stream.replace("configuration error:", ""), stream


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield int(s.getsockname()[1])


# --- the playground and the bot on a busy port --------------------------------------------------------------


def test_the_playground_on_a_busy_port_names_it_and_how_to_pick_another(tmp_path: Path, busy_port: int) -> None:
    result = run_bot(tmp_path, "--playground", env={"PORT": str(busy_port)})

    assert result.returncode == 2
    assert f"port {busy_port}" in result.stderr and "in use" in result.stderr
    assert f"PORT={busy_port + 1} python bot.py --playground" in result.stderr
    assert_no_traceback(result)


def test_the_bot_on_a_busy_port_names_it_and_the_setting_to_change(tmp_path: Path, busy_port: int) -> None:
    from playground.slack_api import FakeSlack

    with FakeSlack(team_id="T0TEAM") as slack:  # auth.test answers: the bot gets as far as listening
        env = {**SLACK, **FAKE_KEYS, "SLACK_API_URL": slack.url, "PORT": str(busy_port)}
        result = run_bot(tmp_path, env=env)

    assert result.returncode == 2
    assert f"port {busy_port} on 0.0.0.0 is already in use" in result.stderr
    assert f"PORT={busy_port + 1}" in result.stderr
    assert_no_traceback(result)


# --- Slack unreachable, no AWS credentials -----------------------------------------------------------------


def test_the_bot_with_slack_unreachable_says_so_in_checks_words(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/api/"
    result = run_bot(tmp_path, env={**SLACK, **FAKE_KEYS, "SLACK_API_URL": url})

    assert result.returncode == 2
    assert f"could not reach Slack at {url}" in result.stderr
    assert "Check SLACK_API_URL and the network" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_bot_without_any_aws_credentials_refuses_to_start(tmp_path: Path) -> None:
    result = run_bot(tmp_path, env=SLACK)

    assert result.returncode == 2
    assert "no AWS credentials" in result.stderr and "AWS_PROFILE" in result.stderr
    assert "--sandbox" in result.stderr
    assert_no_traceback(result)


# --- the README's projects file without base credentials ----------------------------------------------------


def test_check_with_the_readme_projects_file_and_no_credentials_reports_each_project(tmp_path: Path) -> None:
    (tmp_path / "projects.toml").write_text(README_PROJECTS)
    slack_down = f"http://127.0.0.1:{_closed_port()}/api/"
    env = {**SLACK, "AMPLIFY_DEV_PROJECTS_FILE": "projects.toml", "SLACK_API_URL": slack_down}

    result = run_bot(tmp_path, "check", env=env)

    assert result.returncode == 1
    assert "== project shop-dev" in result.stdout and "== project shop-prod" in result.stdout
    assert result.stdout.count("FAIL  credentials: none found") == 2
    assert_no_traceback(result)


def test_the_bot_with_the_readme_projects_file_and_no_credentials_does_not_crash(tmp_path: Path) -> None:
    (tmp_path / "projects.toml").write_text(README_PROJECTS)

    result = run_bot(tmp_path, env={**SLACK, "AMPLIFY_DEV_PROJECTS_FILE": "projects.toml"})

    assert result.returncode == 2
    assert "no AWS credentials" in result.stderr
    assert_no_traceback(result)


def test_an_assumed_role_without_base_credentials_fails_as_no_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import NoCredentialsError

    import iam

    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    session = iam.project_session("arn:aws:iam::111111111111:role/amplify-dev", "us-east-1")

    with pytest.raises(NoCredentialsError):  # a BotoCoreError: what report_unreachable_projects catches
        iam.caller_account(session, "us-east-1")


def test_check_with_fake_keys_tells_a_network_failure_from_bad_credentials(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{_closed_port()}"
    env = {**SLACK, **FAKE_KEYS, "SLACK_API_URL": closed + "/api/", "AWS_ENDPOINT_URL": closed}

    result = run_bot(tmp_path, "check", env=env)

    assert result.returncode == 1
    assert "FAIL  credentials: could not reach AWS STS" in result.stdout
    assert "AWS refused them" not in result.stdout
    assert "ERROR" not in result.stderr  # slack_sdk's own lines: the report already says it
    assert_no_traceback(result)


# --- settings: every bad one at once, and none of Slack's where Slack is not needed -------------------------


def test_every_invalid_setting_is_reported_at_once(tmp_path: Path) -> None:
    env = {**SLACK, "SLACK_BOT_TOKEN": "not-a-token", "AMPLIFY_DEV_MAX_DAYS": "lots", "PORT": "http"}
    del env["AMPLIFY_DEV_APPROVERS"]

    result = run_bot(tmp_path, env=env)

    assert result.returncode == 2
    for name in ("SLACK_BOT_TOKEN", "AMPLIFY_DEV_MAX_DAYS", "PORT", "AMPLIFY_DEV_APPROVERS"):
        assert name in result.stderr
    assert "4 configuration errors" in result.stderr


def test_check_reports_invalid_settings_inside_its_checklist(tmp_path: Path) -> None:
    env = {**SLACK, "AMPLIFY_DEV_MAX_DAYS": "lots", "AMPLIFY_DEV_LOG_LEVEL": "loud"}

    result = run_bot(tmp_path, "check", env=env)

    assert result.returncode == 1
    assert result.stdout.startswith("amplify-dev check")
    assert "  FAIL  AMPLIFY_DEV_MAX_DAYS: " in result.stdout and "  FAIL  AMPLIFY_DEV_LOG_LEVEL: " in result.stdout
    assert "2 failed" in result.stdout and "NOT READY" in result.stdout
    assert result.stderr == ""


def test_policy_runs_before_the_slack_settings_exist(tmp_path: Path) -> None:
    # Set-up step 2, before `.env` (step 3): only the leads' channel ID (step 1) names the deployment.
    result = run_bot(
        tmp_path,
        "policy",
        "--principal-arn",
        "arn:aws:iam::123456789012:role/amplify-dev-bot",
        env={"AMPLIFY_DEV_APPROVAL_CHANNEL": "C0LEADS"},
    )

    assert result.returncode == 0, result.stderr
    assert '"Version": "2012-10-17"' in result.stdout and "C0LEADS" in result.stdout
    assert "SLACK_BOT_TOKEN" not in result.stderr


def test_policy_without_a_channel_or_instance_says_which_it_needs(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "policy", "--principal-arn", "arn:aws:iam::123456789012:role/amplify-dev-bot")

    assert result.returncode == 2
    assert "AMPLIFY_DEV_APPROVAL_CHANNEL" in result.stderr and "AMPLIFY_DEV_INSTANCE" in result.stderr
    assert "SLACK_BOT_TOKEN" not in result.stderr
    assert_no_traceback(result)


def test_create_table_needs_no_slack_and_says_a_sentence_without_credentials(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "create-table", env={"AMPLIFY_DEV_DYNAMODB_TABLE": "amplify-dev"})

    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" not in result.stderr
    assert "no AWS credentials were found" in result.stderr
    assert "(NoCredentialsError)" not in result.stderr
    assert_no_traceback(result)


# --- wording ------------------------------------------------------------------------------------------------


def _request() -> Request:
    return Request(
        id="r0123456789abcdef",
        slack_user_id="U0DEV",
        team_id="T0TEAM",
        reason="checkout",
        console=False,
        iam_user_name="dana-udev",
        state=State.PENDING,
        created_at=datetime.now(UTC),
    )


def test_the_deny_confirm_button_is_red_like_deny() -> None:
    blocks = [b.to_dict() for b in msg.approval_request_message(_request()).blocks]
    deny = next(e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["text"]["text"] == "Deny")

    assert deny["style"] == "danger"
    assert deny["confirm"]["style"] == "danger"


def test_the_console_sign_in_url_is_a_link() -> None:
    url = "https://123456789012.signin.aws.amazon.com/console"
    shown = msg.CredentialsShown(
        user_name="dana-udev",
        access_key_id="AKIAEXAMPLE",
        secret_access_key="x" * 40,
        region="us-east-1",
        console_password="fake-password",
        signin_url=url,
    )
    texts = [b.to_dict().get("text", {}).get("text", "") for b in msg.credentials_ephemeral(shown).blocks]

    assert any(f"Sign in at <{url}>" in t for t in texts), texts


# --- sam build ----------------------------------------------------------------------------------------------


def test_the_lambda_package_leaves_out_local_state_and_what_git_ignores(tmp_path: Path) -> None:
    from ops.package import copy_source

    source = tmp_path / "clone"
    source.mkdir()
    (source / ".gitignore").write_text((REPO_ROOT / ".gitignore").read_text())
    (source / "lambda_handler.py").write_text("# the handler\n")
    (source / ".env.example").write_text("SLACK_BOT_TOKEN=\n")
    (source / "store").mkdir()
    (source / "store" / "sqlite.py").write_text("# code\n")
    for left_out in ("amplify-dev.db", "amplify-dev.db-wal", ".env", ".aws-sam/build/x.py", "store/__pycache__/a.pyc"):
        (source / left_out).parent.mkdir(parents=True, exist_ok=True)
        (source / left_out).write_text("local state or a secret\n")

    copy_source(source, tmp_path / "artifacts")

    shipped = sorted(str(p.relative_to(tmp_path / "artifacts")) for p in (tmp_path / "artifacts").rglob("*"))
    assert shipped == [".env.example", ".gitignore", "lambda_handler.py", "store", "store/sqlite.py"]


def test_sam_builds_the_function_with_the_makefile_that_leaves_out_the_database() -> None:
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    template = yaml.load((REPO_ROOT / "template.yaml").read_text(), Loader=Loader)  # noqa: S506 - SafeLoader
    function = template["Resources"]["Function"]

    assert function["Metadata"]["BuildMethod"] == "makefile"
    assert "python3 ops/package.py" in (REPO_ROOT / "Makefile").read_text()
    assert ".aws-sam/" in (REPO_ROOT / ".gitignore").read_text().splitlines()


# --- the README ---------------------------------------------------------------------------------------------


def test_no_readme_table_is_broken_by_a_blank_line() -> None:
    lines = (REPO_ROOT / "README.md").read_text().splitlines()
    for i in range(1, len(lines) - 2):
        if not lines[i].strip() and lines[i - 1].startswith("|") and lines[i + 1].startswith("|"):
            # a new table may start after a blank line, but only with its own header row and |---| line
            assert re.match(r"^\|(\s*:?-+:?\s*\|)+$", lines[i + 2]), f"README.md line {i + 1} breaks a table"


@pytest.mark.parametrize("command", [(), ("check",), ("create-table",)])
def test_the_bot_and_its_commands_with_an_unknown_aws_profile_say_so(tmp_path: Path, command: tuple[str, ...]) -> None:
    slack_down = f"http://127.0.0.1:{_closed_port()}/api/"
    env = {**SLACK, "AWS_PROFILE": "no-such-profile", "SLACK_API_URL": slack_down, "AMPLIFY_DEV_DYNAMODB_TABLE": "t-1"}
    result = run_bot(tmp_path, *command, env=env)

    assert result.returncode == 2
    assert "AWS_PROFILE names a profile" in result.stderr
    assert_no_traceback(result)
