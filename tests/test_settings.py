"""Settings: read once, validated, and a bad one is named."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from settings import SettingsError, load_settings

GOOD = {
    "SLACK_BOT_TOKEN": "xoxb-1-2-abc",
    "SLACK_SIGNING_SECRET": "s3cret",
    "AMPLIFY_DEV_APPROVAL_CHANNEL": "C0123ABCD",
    "AMPLIFY_DEV_APPROVERS": "U0LEAD1, W0LEAD2,S0LEADS",
}


def test_defaults() -> None:
    s = load_settings(GOOD)
    assert s.slack_api_url == "https://slack.com/api/"
    assert s.policy_arns == ("arn:aws:iam::aws:policy/AdministratorAccess-Amplify",)
    assert s.iam_path == "/amplify-dev/" and s.db_path == "./amplify-dev.db"
    assert s.allow_console is True and s.port == 3000 and not s.socket_mode
    assert s.approver_user_ids == {"U0LEAD1", "W0LEAD2"} and s.approver_group_ids == {"S0LEADS"}
    assert s.iam_group is None and s.permissions_boundary is None


def test_every_setting_is_read() -> None:
    s = load_settings(
        {
            **GOOD,
            "SLACK_APP_TOKEN": "xapp-1-A-1-abc",
            "SLACK_API_URL": "http://127.0.0.1:9999/api",
            "AMPLIFY_DEV_POLICY_ARNS": "arn:aws:iam::aws:policy/ReadOnlyAccess,arn:aws:iam::123456789012:policy/x",
            "AMPLIFY_DEV_IAM_GROUP": "developers",
            "AMPLIFY_DEV_PERMISSIONS_BOUNDARY": "arn:aws:iam::123456789012:policy/boundary",
            "AMPLIFY_DEV_IAM_PATH": "/bots/amplify/",
            "AMPLIFY_DEV_DB": "/tmp/x.db",
            "AMPLIFY_DEV_ALLOW_CONSOLE": "false",
            "PORT": "8080",
        }
    )
    assert s.socket_mode and s.slack_api_url == "http://127.0.0.1:9999/api/"
    assert len(s.policy_arns) == 2 and s.iam_group == "developers"
    assert s.permissions_boundary.endswith("/boundary") and s.iam_path == "/bots/amplify/"
    assert s.db_path == "/tmp/x.db" and s.allow_console is False and s.port == 8080


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SLACK_BOT_TOKEN", ""),
        ("SLACK_BOT_TOKEN", "xoxp-user-token"),
        ("SLACK_SIGNING_SECRET", ""),
        ("SLACK_APP_TOKEN", "not-an-app-token"),
        ("SLACK_API_URL", "slack.com"),
        ("AMPLIFY_DEV_APPROVAL_CHANNEL", "#approvals"),
        ("AMPLIFY_DEV_APPROVERS", "alice,bob"),
        ("AMPLIFY_DEV_APPROVERS", ""),
        ("AMPLIFY_DEV_POLICY_ARNS", "AdministratorAccess"),
        ("AMPLIFY_DEV_PERMISSIONS_BOUNDARY", "boundary"),
        ("AMPLIFY_DEV_IAM_PATH", "/"),
        ("AMPLIFY_DEV_IAM_PATH", "amplify-dev"),
        ("AMPLIFY_DEV_IAM_GROUP", "bad group!"),
        ("AMPLIFY_DEV_ALLOW_CONSOLE", "maybe"),
        ("PORT", "http"),
    ],
)
def test_bad_setting_is_named(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({**GOOD, name: value})


def test_bot_refuses_to_start_with_a_missing_setting(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **GOOD}
    del env["AMPLIFY_DEV_APPROVAL_CHANNEL"]
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(root / "bot.py")], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "AMPLIFY_DEV_APPROVAL_CHANNEL" in result.stderr


def test_dotenv_is_read_and_the_real_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text(
        "\n".join(f"{k}={v}" for k, v in GOOD.items()) + "\nAMPLIFY_DEV_IAM_PATH=/from-dotenv/\nPORT=4000\n"
    )
    monkeypatch.chdir(tmp_path)
    for k in GOOD:
        monkeypatch.delenv(k, raising=False)
    monkeypatch.delenv("AMPLIFY_DEV_IAM_PATH", raising=False)
    monkeypatch.setenv("PORT", "5000")
    s = load_settings()
    assert s.iam_path == "/from-dotenv/" and s.port == 5000


def test_every_setting_is_documented_in_env_example_and_readme() -> None:
    import re

    root = Path(__file__).resolve().parents[1]
    sources = "".join((root / "settings" / name).read_text() for name in ("__init__.py", "loading.py", "oncall.py"))
    names = set(re.findall(r'"((?:SLACK|AMPLIFY_DEV)_[A-Z_]+|PORT)"', sources))
    assert {"SLACK_BOT_TOKEN", "AMPLIFY_DEV_MAX_DAYS", "AMPLIFY_DEV_LOG_FORMAT", "AMPLIFY_DEV_SANDBOX_REPORT"} <= names
    example = (root / ".env.example").read_text()
    readme = (root / "README.md").read_text()
    for name in names:
        assert re.search(rf"^#? ?{name}=", example, re.MULTILINE), f"{name} missing from .env.example"
        assert f"`{name}`" in readme, f"{name} missing from README"


NUMERIC_SETTINGS = [
    "PORT",
    "AMPLIFY_DEV_PENDING_HOURS",
    "AMPLIFY_DEV_DEFAULT_DAYS",
    "AMPLIFY_DEV_MAX_DAYS",
    "AMPLIFY_DEV_REQUIRED_APPROVALS",
    "AMPLIFY_DEV_RENOTIFY_MINUTES",
    "AMPLIFY_DEV_BREAKGLASS_HOURS",
    "AMPLIFY_DEV_LAZY_WORKERS",
]
# Each is a "1" or "2" to str.isdigit(); int() refuses the first two and reads the others as numbers.
NOT_ASCII_DIGITS = ["\u00b2", "\u2460", "\u0661", "\u06f1", "\uff11", "\u0967", "\uff18\uff10\uff18\uff10"]


@pytest.mark.parametrize("name", NUMERIC_SETTINGS)
@pytest.mark.parametrize("value", NOT_ASCII_DIGITS, ids=ascii)
def test_numeric_settings_take_only_ascii_digits(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({**GOOD, name: value})


def test_numeric_settings_take_ascii_digits() -> None:
    values = ["8080", "24", "7", "14", "2", "30", "4", "2"]
    s = load_settings(
        {**GOOD, **dict(zip(NUMERIC_SETTINGS, values, strict=True)), "AMPLIFY_DEV_BREAKGLASS_USERS": "U0ONCALL"}
    )

    assert (s.port, s.pending_hours, s.default_days, s.max_days, s.required_approvals) == (8080, 24, 7, 14, 2)
    assert (s.renotify_minutes, s.breakglass_hours, s.lazy_workers) == (30, 4, 2)


@pytest.mark.parametrize("path", ["/amplify-*/", "/amplify-dev?/", "/teams/*/", "/*/"])
def test_iam_path_with_a_wildcard_is_refused(path: str) -> None:
    with pytest.raises(SettingsError, match=r"AMPLIFY_DEV_IAM_PATH.*no \* or \?"):
        load_settings({**GOOD, "AMPLIFY_DEV_IAM_PATH": path})


def test_requesters_and_review_schedule_are_parsed() -> None:
    s = load_settings(GOOD)
    assert s.requester_user_ids == frozenset() and s.requester_group_ids == frozenset() and s.review_weekday is None
    s = load_settings({**GOOD, "AMPLIFY_DEV_REQUESTERS": "U0DEV, W0DEV2,S0DEVS", "AMPLIFY_DEV_REVIEW_SCHEDULE": "Mon"})
    assert s.requester_user_ids == {"U0DEV", "W0DEV2"} and s.requester_group_ids == {"S0DEVS"}
    assert s.review_weekday == 0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AMPLIFY_DEV_REQUESTERS", "alice"),
        ("AMPLIFY_DEV_REQUESTERS", ","),
        ("AMPLIFY_DEV_REVIEW_SCHEDULE", "monday"),
        ("AMPLIFY_DEV_REVIEW_SCHEDULE", "1"),
    ],
)
def test_bad_requesters_or_schedule_name_the_setting(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({**GOOD, name: value})


def test_lazy_workers_default_to_three_processes_and_zero_means_threads() -> None:
    assert load_settings(GOOD).lazy_workers == 3
    assert load_settings({**GOOD, "AMPLIFY_DEV_LAZY_WORKERS": "0"}).lazy_workers == 0
    with pytest.raises(SettingsError, match="AMPLIFY_DEV_LAZY_WORKERS"):
        load_settings({**GOOD, "AMPLIFY_DEV_LAZY_WORKERS": "-1"})
