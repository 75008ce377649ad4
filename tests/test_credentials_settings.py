"""AMPLIFY_DEV_CREDENTIALS and a project's `credentials` key: access-key (default) or sign-in, clearly refused else."""

from __future__ import annotations

from pathlib import Path

import pytest

from settings import SettingsError, load_settings
from tests.test_projects_settings import PERMISSION_SET, projects_from
from tests.test_settings import GOOD

IDENTITY_CENTER = {
    "AMPLIFY_DEV_MODE": "identity-center",
    "AMPLIFY_DEV_PERMISSION_SET_ARN": PERMISSION_SET,
    "AMPLIFY_DEV_SSO_START_URL": "https://example.awsapps.com/start",
    "AMPLIFY_DEV_ACCOUNT_ID": "111111111111",
}


def test_access_key_is_the_default() -> None:
    assert load_settings(GOOD).credentials == "access-key"


@pytest.mark.parametrize("value", ["sign-in", "Sign-In", " sign-in "])
def test_sign_in_is_read_in_any_case(value: str) -> None:
    assert load_settings({**GOOD, "AMPLIFY_DEV_CREDENTIALS": value}).credentials == "sign-in"


@pytest.mark.parametrize("value", ["signin", "password", "sso"])
def test_anything_else_is_refused_naming_both_choices(value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({**GOOD, "AMPLIFY_DEV_CREDENTIALS": value})

    message = str(caught.value)
    assert "AMPLIFY_DEV_CREDENTIALS" in message and "access-key" in message and "sign-in" in message


def test_sign_in_without_console_access_is_refused() -> None:
    with pytest.raises(SettingsError, match="AMPLIFY_DEV_ALLOW_CONSOLE"):
        load_settings({**GOOD, "AMPLIFY_DEV_CREDENTIALS": "sign-in", "AMPLIFY_DEV_ALLOW_CONSOLE": "false"})


def test_sign_in_with_the_identity_center_mode_is_refused() -> None:
    with pytest.raises(SettingsError, match="Identity Center"):
        load_settings({**GOOD, **IDENTITY_CENTER, "AMPLIFY_DEV_CREDENTIALS": "sign-in"})


def test_a_project_chooses_its_own_credentials_over_the_environment(tmp_path: Path) -> None:
    projects = projects_from(
        tmp_path,
        '[defaults]\ncredentials = "sign-in"\n\n[projects.web]\n\n[projects.legacy]\ncredentials = "access-key"\n',
    )

    assert projects["web"].credentials == "sign-in"
    assert projects["legacy"].credentials == "access-key"


def test_a_bad_project_value_names_the_file_the_project_and_the_key(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        projects_from(tmp_path, '[projects.web]\ncredentials = "keys"\n')

    assert "project 'web', key 'credentials'" in str(caught.value) and "sign-in" in str(caught.value)


def test_a_sign_in_project_without_console_access_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"project 'web', key 'credentials'.*AMPLIFY_DEV_ALLOW_CONSOLE"):
        projects_from(tmp_path, '[projects.web]\ncredentials = "sign-in"\nallow_console = false\n')


def test_an_identity_center_project_ignores_an_inherited_sign_in_but_refuses_its_own(tmp_path: Path) -> None:
    ic = f'mode = "identity-center"\npermission_set_arn = "{PERMISSION_SET}"\n'
    ic += 'sso_start_url = "https://example.awsapps.com/start"\naccount_id = "111111111111"\n'

    projects = projects_from(tmp_path, f"[projects.web]\n\n[projects.app]\n{ic}", AMPLIFY_DEV_CREDENTIALS="sign-in")
    assert projects["web"].credentials == "sign-in" and projects["app"].identity_center is not None

    with pytest.raises(SettingsError, match="project 'app', key 'credentials'"):
        projects_from(tmp_path, f'[projects.app]\n{ic}credentials = "sign-in"\n')


def test_a_bad_credentials_value_is_reported_with_the_other_bad_settings() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({**GOOD, "AMPLIFY_DEV_CREDENTIALS": "keys", "AMPLIFY_DEV_MAX_DAYS": "many"})

    assert "AMPLIFY_DEV_CREDENTIALS" in str(caught.value) and "AMPLIFY_DEV_MAX_DAYS" in str(caught.value)
