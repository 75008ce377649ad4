"""Reminders, break-glass and the sandbox report: their four settings, in the environment and per project."""

from __future__ import annotations

from pathlib import Path

import pytest

from settings import SettingsError, load_settings
from settings.projects import load_projects
from tests.test_settings import GOOD


def test_defaults_remind_hourly_with_break_glass_and_the_sandbox_report_off() -> None:
    s = load_settings(GOOD)
    assert (s.renotify_minutes, s.breakglass_hours, s.sandbox_report) == (60, None, False)
    assert s.breakglass_user_ids == frozenset() and s.breakglass_group_ids == frozenset()


def test_every_oncall_setting_is_read() -> None:
    s = load_settings(
        {
            **GOOD,
            "AMPLIFY_DEV_RENOTIFY_MINUTES": "15",
            "AMPLIFY_DEV_BREAKGLASS_HOURS": "12",
            "AMPLIFY_DEV_BREAKGLASS_USERS": "U0ONCALL, W0ONCALL2,S0ONCALL",
            "AMPLIFY_DEV_SANDBOX_REPORT": "true",
        }
    )
    assert (s.renotify_minutes, s.breakglass_hours, s.sandbox_report) == (15, 12, True)
    assert s.breakglass_user_ids == {"U0ONCALL", "W0ONCALL2"} and s.breakglass_group_ids == {"S0ONCALL"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AMPLIFY_DEV_RENOTIFY_MINUTES", "0"),
        ("AMPLIFY_DEV_RENOTIFY_MINUTES", "-5"),
        ("AMPLIFY_DEV_RENOTIFY_MINUTES", "1.5"),
        ("AMPLIFY_DEV_BREAKGLASS_HOURS", "0"),
        ("AMPLIFY_DEV_BREAKGLASS_HOURS", "13"),
        ("AMPLIFY_DEV_BREAKGLASS_HOURS", "two"),
        ("AMPLIFY_DEV_BREAKGLASS_USERS", "oncall"),
        ("AMPLIFY_DEV_BREAKGLASS_USERS", "C0CHANNEL"),
        ("AMPLIFY_DEV_SANDBOX_REPORT", "maybe"),
    ],
)
def test_a_bad_value_names_the_setting(name: str, value: str) -> None:
    env = {**GOOD, "AMPLIFY_DEV_BREAKGLASS_USERS": "U0ONCALL", name: value}
    with pytest.raises(SettingsError, match=name):
        load_settings(env)


def test_break_glass_on_with_nobody_allowed_is_refused() -> None:
    with pytest.raises(SettingsError, match="AMPLIFY_DEV_BREAKGLASS_USERS names nobody"):
        load_settings({**GOOD, "AMPLIFY_DEV_BREAKGLASS_HOURS": "4"})


def test_break_glass_users_without_hours_leave_it_off() -> None:
    s = load_settings({**GOOD, "AMPLIFY_DEV_BREAKGLASS_USERS": "U0ONCALL"})
    assert s.breakglass_hours is None and s.breakglass_user_ids == {"U0ONCALL"}


PROJECTS = """
[defaults]
renotify_minutes = 30

[projects.shop]
breakglass_hours = 2
breakglass_users = ["U0SHOPONCALL", "S0SHOPONCALL"]
sandbox_report = true

[projects.blog]
breakglass_hours = 0
"""


def test_a_project_overrides_each_oncall_setting(tmp_path: Path) -> None:
    path = tmp_path / "projects.toml"
    path.write_text(PROJECTS)
    env = {
        **GOOD,
        "AMPLIFY_DEV_PROJECTS_FILE": str(path),
        "AMPLIFY_DEV_BREAKGLASS_HOURS": "8",
        "AMPLIFY_DEV_BREAKGLASS_USERS": "U0ONCALL",
    }
    projects = load_projects(load_settings(env))
    shop, blog = projects["shop"], projects["blog"]
    assert (shop.renotify_minutes, shop.breakglass_hours, shop.sandbox_report) == (30, 2, True)
    assert shop.breakglass_user_ids == {"U0SHOPONCALL"} and shop.breakglass_group_ids == {"S0SHOPONCALL"}
    assert (blog.renotify_minutes, blog.breakglass_hours, blog.sandbox_report) == (30, None, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[projects.shop]\nbreakglass_hours = 13\n", "project 'shop', key 'breakglass_hours'"),
        ("[projects.shop]\nbreakglass_hours = 3\n", "breakglass_users names nobody"),
        ('[projects.shop]\nbreakglass_users = ["oncall"]\n', "project 'shop', key 'breakglass_users'"),
        ("[projects.shop]\nrenotify_minutes = 0\n", "project 'shop', key 'renotify_minutes'"),
        ('[projects.shop]\nsandbox_report = "sometimes"\n', "project 'shop', key 'sandbox_report'"),
    ],
)
def test_a_bad_project_value_names_the_project_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "projects.toml"
    path.write_text(text)
    with pytest.raises(SettingsError, match=expected):
        load_projects(load_settings({**GOOD, "AMPLIFY_DEV_PROJECTS_FILE": str(path)}))
