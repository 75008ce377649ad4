"""Several projects from one bot: AMPLIFY_DEV_PROJECTS_FILE, a TOML file read with the standard library.

    [defaults]                      # optional: applies to every project
    policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess-Amplify"]

    [projects.shop-dev]             # NAME: lowercase letters, digits and dashes
    description = "Shop, development account"
    account_role_arn = "arn:aws:iam::111111111111:role/amplify-dev"
    approval_channel = "C0SHOPDEV"
    approvers = ["U0LEAD", "S0SHOPLEADS"]

A project is the environment's Settings with its own values applied: a project's value wins over
`[defaults]`, which wins over the environment. Every key is the environment setting's name without
`AMPLIFY_DEV_`, in lowercase, checked by the same validators; an error names the file, the project and the key.
Without the file there is one project, `default`, made of the environment's settings alone.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from . import Settings
from . import validators as check
from .oncall import breakglass_hours, require_breakglass_users
from .validators import SettingsError

PROJECT_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
DESCRIPTION_MAX = 150
_AMPLIFY_APP_ID = re.compile(r"^[a-z0-9]{1,20}$")
_AMPLIFY_ENV = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Keys of the Identity Center mode: a project may use it while others (or the environment) use IAM users.
IDENTITY_CENTER_KEYS = ("mode", "permission_set_arn", "sso_start_url", "account_id")


class _Bad(Exception):
    """A value is wrong; the message says what is expected (the caller adds file, project and key)."""


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad(f"{key} must be a non-empty string, got {value!r}")
    return value.strip()


def _strings(key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Bad(f'{key} must be a list of strings, e.g. {key} = ["..."], got {value!r}')
    return [v.strip() for v in value if v.strip()]


def _number(key: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _Bad(f"{key} must be a whole number of at least {minimum}, got {value!r}")
    return check.whole_number(key, str(value).strip(), minimum=minimum)


def _flag(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return check.boolean(key, value)
    raise _Bad(f"{key} must be true or false, got {value!r}")


def _pattern(pattern: re.Pattern[str], what: str) -> Callable[[str, Any], str]:
    def read(key: str, value: Any) -> str:
        text = _text(key, value)
        if not pattern.match(text):
            raise _Bad(f"{key} must be {what}, got {text!r}")
        return text

    return read


def _description(key: str, value: Any) -> str:
    text = _text(key, value)
    if "\n" in text or len(text) > DESCRIPTION_MAX:
        raise _Bad(f"{key} must be one line of at most {DESCRIPTION_MAX} characters")
    return text


def _breakglass_hours(key: str, value: Any) -> dict[str, Any]:
    """1-12 hours, or 0: off for this project even when the environment turns it on (TOML has no null)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _Bad(f"{key} must be a whole number of hours from 0 (off) to 12, got {value!r}")
    raw = str(value).strip()
    return {"breakglass_hours": None if raw == "0" else breakglass_hours(key, raw)}


def _people(who: str) -> Callable[[str, Any], dict[str, Any]]:
    """A reader for a list of Slack user and user-group IDs, into `<who>_user_ids` and `<who>_group_ids`."""

    def read(key: str, value: Any) -> dict[str, Any]:
        users, groups = check.approvers(key, _strings(key, value), form="a list of")
        return {f"{who}_user_ids": users, f"{who}_group_ids": groups}

    return read


# key -> how to read it into Settings fields
_READERS: dict[str, Callable[[str, Any], dict[str, Any]]] = {
    "approval_channel": lambda k, v: {"approval_channel": check.channel(k, _text(k, v))},
    "approvers": _people("approver"),
    "requesters": _people("requester"),
    "required_approvals": lambda k, v: {"required_approvals": check.required_approvals(k, _number(k, v, 1))},
    "policy_arns": lambda k, v: {"policy_arns": check.policy_arns(k, _strings(k, v), form="a list of")},
    "permissions_boundary": lambda k, v: {"permissions_boundary": check.permissions_boundary(k, _text(k, v))},
    "iam_group": lambda k, v: {"iam_group": check.iam_group(k, _text(k, v))},
    "iam_path": lambda k, v: {"iam_path": check.iam_path(k, _text(k, v))},
    "allow_console": lambda k, v: {"allow_console": _flag(k, v)},
    "default_days": lambda k, v: {"default_days": _number(k, v, 1)},
    "max_days": lambda k, v: {"max_days": _number(k, v, 0)},
    "pending_hours": lambda k, v: {"pending_hours": _number(k, v, 1)},
    "description": lambda k, v: {"description": _description(k, v)},
    "account_role_arn": lambda k, v: {"account_role_arn": check.role_arn(k, _text(k, v))},
    "external_id": lambda k, v: {"external_id": check.external_id(k, _text(k, v))},
    "region": lambda k, v: {"region": check.region(k, _text(k, v))},
    "amplify_app_id": lambda k, v: {
        "amplify_app_id": _pattern(_AMPLIFY_APP_ID, "an Amplify app id such as d1a2b3c4d5")(k, v)
    },
    "credentials": lambda k, v: {"credentials": check.credentials(k, _text(k, v))},
    "amplify_env": lambda k, v: {
        "amplify_env": _pattern(_AMPLIFY_ENV, "an Amplify environment name such as dev")(k, v)
    },
    "renotify_minutes": lambda k, v: {"renotify_minutes": _number(k, v, 1)},
    "breakglass_hours": _breakglass_hours,
    "breakglass_users": _people("breakglass"),
    "sandbox_report": lambda k, v: {"sandbox_report": _flag(k, v)},
}
PROJECT_KEYS = (*_READERS, *IDENTITY_CENTER_KEYS)


def load_projects(settings: Settings) -> dict[str, Settings]:
    """Every project by name, in the file's order; without AMPLIFY_DEV_PROJECTS_FILE, the one `default` project."""
    if not settings.projects_file:
        return {settings.project: settings}
    return read_projects_file(settings.projects_file, settings)


def read_projects_file(path: str, base: Settings) -> dict[str, Settings]:
    """The projects of the TOML file at `path`, each applied over `base`; SettingsError names file, project, key."""
    try:
        with open(path, "rb") as file:
            data = tomllib.load(file)
    except OSError as e:
        raise SettingsError(f"AMPLIFY_DEV_PROJECTS_FILE {path}: cannot read it ({e.strerror or e})") from None
    except tomllib.TOMLDecodeError as e:
        raise SettingsError(f"AMPLIFY_DEV_PROJECTS_FILE {path}: not valid TOML ({e})") from None
    return parse_projects(data, base, source=path)


def parse_projects(data: Mapping[str, Any], base: Settings, *, source: str) -> dict[str, Settings]:
    """Projects from the parsed file (see the module docstring)."""

    def fail(where: str, problem: str) -> SettingsError:
        return SettingsError(f"projects file {source}: {where}: {problem}")

    unknown = [k for k in data if k not in ("defaults", "projects")]
    if unknown:
        raise fail(f"key {unknown[0]!r}", "only a [defaults] table and [projects.NAME] tables belong here")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise fail("key 'defaults'", "must be a table: [defaults]")
    projects = data.get("projects")
    if not isinstance(projects, dict) or not projects:
        raise fail("key 'projects'", "name at least one project as a [projects.NAME] table")
    _check_keys(defaults, "[defaults]", fail)
    built: dict[str, Settings] = {}
    for name, table in projects.items():
        if not PROJECT_NAME.match(name):
            raise fail(
                f"project {name!r}", "a project name is 1-40 lowercase letters, digits and dashes (e.g. shop-dev)"
            )
        if not isinstance(table, dict):
            raise fail(f"project {name!r}", f"must be a table: [projects.{name}]")
        _check_keys(table, f"project {name!r}", fail)
        built[name] = _project(name, defaults, table, base, source, fail)
    return built


def _check_keys(table: Mapping[str, Any], where: str, fail: Callable[[str, str], SettingsError]) -> None:
    for key in table:
        if key not in _READERS and key not in IDENTITY_CENTER_KEYS:
            raise fail(f"{where}, key {key!r}", f"not a project setting; known: {', '.join(PROJECT_KEYS)}")


def _identity_center(table: Mapping[str, Any], base: Settings, role_arn: str | None) -> Any:
    """A project's Identity Center settings: its mode, permission set, start URL and account over the environment's.

    The account defaults to the project's own (the account of its account_role_arn), else the environment's.
    """
    from .identity_center import load_identity_center

    inherited = base.identity_center
    env = {
        "AMPLIFY_DEV_MODE": _text("mode", table.get("mode", "identity-center" if inherited else "iam-user")),
        "AMPLIFY_DEV_PERMISSION_SET_ARN": table.get("permission_set_arn")
        or (inherited and inherited.permission_set_arn),
        "AMPLIFY_DEV_SSO_START_URL": table.get("sso_start_url") or (inherited and inherited.start_url),
        "AMPLIFY_DEV_ACCOUNT_ID": table.get("account_id")
        or (role_arn.split(":")[4] if role_arn else None)
        or (inherited and inherited.account_id),
        "AMPLIFY_DEV_SSO_INSTANCE_ARN": inherited and inherited.instance_arn,
        "AMPLIFY_DEV_IDENTITY_STORE_ID": inherited and inherited.identity_store_id,
        "AMPLIFY_DEV_SSO_REGION": inherited and inherited.sso_region,
    }
    values = {k: str(v) for k, v in env.items() if v}
    create = bool(inherited and inherited.create_users)
    return load_identity_center(values, lambda _env, _name: create, SettingsError)


def _project(
    name: str,
    defaults: Mapping[str, Any],
    table: Mapping[str, Any],
    base: Settings,
    source: str,
    fail: Callable[[str, str], SettingsError],
) -> Settings:
    changes: dict[str, Any] = {}
    merged = {**defaults, **table}
    for key, value in merged.items():
        if key in IDENTITY_CENTER_KEYS:
            continue
        origin = "" if key in table else " (from [defaults])"
        try:
            changes.update(_READERS[key](key, value))
        except (_Bad, SettingsError) as e:
            raise fail(f"project {name!r}, key {key!r}{origin}", str(e)) from None
    ic_keys = [k for k in IDENTITY_CENTER_KEYS if k in merged]
    if ic_keys:
        try:
            changes["identity_center"] = _identity_center(merged, base, changes.get("account_role_arn"))
        except (_Bad, SettingsError) as e:
            raise fail(f"project {name!r}, key {ic_keys[0]!r}", str(e)) from None
    project = replace(base, project=name, projects_file=source, **changes)
    # An Identity Center project ignores an inherited sign-in (it gives no key either way); named there, it is refused.
    inherited_only = "credentials" not in merged
    if project.credentials == "sign-in" and not (inherited_only and project.identity_center is not None):
        origin = "" if "credentials" in table else " (from [defaults] or AMPLIFY_DEV_CREDENTIALS)"
        try:
            check.credentials_fit(
                "credentials",
                project.credentials,
                identity_center=project.identity_center is not None,
                allow_console=project.allow_console,
            )
        except SettingsError as e:
            raise fail(f"project {name!r}, key 'credentials'{origin}", str(e)) from None
    try:
        check.days_within(project.default_days, project.max_days, default_name="default_days", max_name="max_days")
    except SettingsError as e:
        key = "default_days" if "default_days" in changes else "max_days"
        raise fail(f"project {name!r}, key {key!r}", str(e)) from None
    try:
        require_breakglass_users(
            project.breakglass_hours,
            project.breakglass_user_ids,
            project.breakglass_group_ids,
            hours_name="breakglass_hours",
            users_name="breakglass_users",
        )
    except SettingsError as e:
        raise fail(f"project {name!r}, key 'breakglass_hours'", str(e)) from None
    return project
