"""AMPLIFY_DEV_PROJECTS_FILE: projects over [defaults] over the environment, and precise errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from settings import SettingsError, load_settings
from settings.projects import load_projects
from tests.test_settings import GOOD

FILE = """
[defaults]
max_days = 14
approvers = ["U0DEFAULT"]

[projects.shop-dev]
description = "Shop, development"
account_role_arn = "arn:aws:iam::111111111111:role/amplify-dev"
approval_channel = "C0SHOPDEV"
approvers = ["U0SHOPLEAD", "S0SHOPLEADS"]
region = "eu-central-1"
amplify_app_id = "d1a2b3c4d5"
amplify_env = "dev"
default_days = 7

[projects.blog]
allow_console = false
required_approvals = 2
policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
"""


def projects_from(tmp_path: Path, text: str, **env: str) -> dict:
    path = tmp_path / "projects.toml"
    path.write_text(text)
    return load_projects(load_settings({**GOOD, **env, "AMPLIFY_DEV_PROJECTS_FILE": str(path)}))


def test_without_the_file_there_is_one_default_project_made_of_the_environment() -> None:
    settings = load_settings(GOOD)
    assert load_projects(settings) == {"default": settings}
    assert settings.project == "default" and settings.account_role_arn is None


def test_a_projects_value_wins_over_defaults_which_win_over_the_environment(tmp_path: Path) -> None:
    projects = projects_from(tmp_path, FILE, AMPLIFY_DEV_DEFAULT_DAYS="10", AMPLIFY_DEV_PENDING_HOURS="5")
    assert list(projects) == ["shop-dev", "blog"]
    shop, blog = projects["shop-dev"], projects["blog"]
    assert shop.project == "shop-dev" and shop.description == "Shop, development"
    assert shop.account_role_arn == "arn:aws:iam::111111111111:role/amplify-dev" and shop.region == "eu-central-1"
    assert shop.approval_channel == "C0SHOPDEV" and blog.approval_channel == GOOD["AMPLIFY_DEV_APPROVAL_CHANNEL"]
    assert shop.approver_user_ids == {"U0SHOPLEAD"} and shop.approver_group_ids == {"S0SHOPLEADS"}
    assert blog.approver_user_ids == {"U0DEFAULT"} and not blog.approver_group_ids  # [defaults]
    assert shop.max_days == blog.max_days == 14  # [defaults] over the environment's 90
    assert shop.default_days == 7 and blog.default_days == 10  # the project, else the environment
    assert shop.pending_hours == blog.pending_hours == 5
    assert blog.allow_console is False and blog.required_approvals == 2 and shop.required_approvals == 1
    assert blog.policy_arns == ("arn:aws:iam::aws:policy/ReadOnlyAccess",)
    assert shop.amplify_app_id == "d1a2b3c4d5" and shop.amplify_env == "dev" and blog.amplify_app_id is None
    assert shop.instance == blog.instance == GOOD["AMPLIFY_DEV_APPROVAL_CHANNEL"]  # one deployment


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[projects.web]\napproval_channel = "#general"',
            "project 'web', key 'approval_channel': approval_channel must be a channel ID",
        ),
        ('[projects.web]\napprovers = "U0LEAD"', "project 'web', key 'approvers': approvers must be a list of strings"),
        (
            '[projects.web]\napprovers = ["bob"]',
            "project 'web', key 'approvers': approvers must be a list of Slack user IDs",
        ),
        (
            "[projects.web]\nrequired_approvals = 3",
            "project 'web', key 'required_approvals': required_approvals must be 1 or 2",
        ),
        (
            "[projects.web]\nmax_days = -1",
            "project 'web', key 'max_days': max_days must be a whole number of at least 0",
        ),
        (
            '[projects.web]\nallow_console = "maybe"',
            "project 'web', key 'allow_console': allow_console must be true or false",
        ),
        ('[projects.web]\niam_path = "/"', "project 'web', key 'iam_path': iam_path must be an IAM path of its own"),
        ('[projects.web]\naccount_role_arn = "arn:aws:iam::1:user/x"', "project 'web', key 'account_role_arn'"),
        ('[projects.web]\nregion = "Europe"', "project 'web', key 'region': region must be an AWS region"),
        (
            "[projects.web]\ndefault_days = 30\nmax_days = 7",
            "project 'web', key 'default_days': default_days (30) is above max_days (7)",
        ),
        ('[projects.web]\napprover = ["U0LEAD"]', "project 'web', key 'approver': not a project setting"),
        (
            '[projects.web]\nmode = "identity-center"',
            "project 'web', key 'mode': AMPLIFY_DEV_PERMISSION_SET_ARN is required when AMPLIFY_DEV_MODE=identity-center",
        ),
        ('[projects.web]\nmode = "sso"', "project 'web', key 'mode': AMPLIFY_DEV_MODE must be iam-user"),
        ("[projects.Web]\n", "project 'Web': a project name is 1-40 lowercase letters, digits and dashes"),
        ('[defaults]\nmax_days = "x"\n[projects.web]\n', "project 'web', key 'max_days' (from [defaults])"),
        ("[project.web]\n", "key 'project': only a [defaults] table and [projects.NAME] tables"),
        ("[defaults]\n", "key 'projects': name at least one project"),
        ("[projects.web\n", "not valid TOML"),
    ],
)
def test_a_bad_file_names_the_file_the_project_and_the_key(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(SettingsError) as raised:
        projects_from(tmp_path, text)
    assert str(tmp_path / "projects.toml") in str(raised.value)
    assert expected in str(raised.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    settings = load_settings({**GOOD, "AMPLIFY_DEV_PROJECTS_FILE": str(tmp_path / "nope.toml")})
    with pytest.raises(SettingsError, match=r"AMPLIFY_DEV_PROJECTS_FILE .*nope\.toml: cannot read it"):
        load_projects(settings)


PERMISSION_SET = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef"


def test_one_project_may_use_identity_center_while_another_keeps_iam_users(tmp_path: Path) -> None:
    projects = projects_from(
        tmp_path,
        f"""
[projects.web]
approval_channel = "C0WEB"

[projects.app]
mode = "identity-center"
permission_set_arn = "{PERMISSION_SET}"
sso_start_url = "https://example.awsapps.com/start"
account_role_arn = "arn:aws:iam::222222222222:role/amplify-dev"
""",
    )

    assert projects["web"].identity_center is None
    app = projects["app"].identity_center
    assert app is not None and app.permission_set_arn == PERMISSION_SET
    assert app.start_url == "https://example.awsapps.com/start"
    assert app.account_id == "222222222222"  # the project's own account, from its role


def test_identity_center_from_the_environment_applies_to_projects_that_do_not_say_otherwise(tmp_path: Path) -> None:
    env = {
        "AMPLIFY_DEV_MODE": "identity-center",
        "AMPLIFY_DEV_PERMISSION_SET_ARN": PERMISSION_SET,
        "AMPLIFY_DEV_SSO_START_URL": "https://example.awsapps.com/start",
    }
    projects = projects_from(
        tmp_path,
        '[projects.web]\naccount_id = "333333333333"\n[projects.legacy]\nmode = "iam-user"\n',
        **env,
    )

    assert projects["web"].identity_center.account_id == "333333333333"
    assert projects["legacy"].identity_center is None


def test_who_may_request_is_set_per_project(tmp_path: Path) -> None:
    projects = projects_from(
        tmp_path,
        '[projects.web]\nrequesters = ["U0WEBDEV", "S0WEBTEAM"]\n[projects.api]\n',
        AMPLIFY_DEV_REQUESTERS="U0ALL",
    )

    assert projects["web"].requester_user_ids == {"U0WEBDEV"} and projects["web"].requester_group_ids == {"S0WEBTEAM"}
    assert projects["api"].requester_user_ids == {"U0ALL"}  # the environment's, where the project says nothing


def test_a_projects_external_id_is_read_and_a_short_one_is_refused_without_echoing_it(tmp_path: Path) -> None:
    good = "Zr0-kq_9aX2bYc3dWe4fVg5h"
    projects = projects_from(tmp_path, f'[projects.web]\nexternal_id = "{good}"\n[projects.app]\n')
    assert projects["web"].external_id == good and projects["app"].external_id is None
    with pytest.raises(SettingsError) as raised:
        projects_from(tmp_path, '[projects.web]\nexternal_id = "short!"\n')
    assert "project 'web', key 'external_id'" in str(raised.value) and "short!" not in str(raised.value)
