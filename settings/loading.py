"""Reading the settings: the environment (and `.env`, and the Slack secret) into Settings, every problem at once."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from audit import DEFAULT_RETENTION_DAYS
from logging_setup import LOG_FORMATS, LOG_LEVELS

from . import (
    DEFAULT_DAYS,
    DEFAULT_DB,
    DEFAULT_IAM_PATH,
    DEFAULT_LAZY_WORKERS,
    DEFAULT_MAX_DAYS,
    DEFAULT_PENDING_HOURS,
    DEFAULT_POLICY_ARNS,
    DEFAULT_PORT,
    DEFAULT_SLACK_API_URL,
    WEEKDAYS,
    Settings,
)
from . import validators as check
from .identity_center import load_identity_center
from .oncall import load_oncall
from .validators import WHOLE_NUMBER, SettingsError

_TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
T = TypeVar("T")

# Optional: a Secrets Manager secret with SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET as JSON (what template.yaml
# sets on Lambda). Variables set in the environment win over the secret's values.
SECRET_ARN_SETTING = "AMPLIFY_DEV_SLACK_SECRET_ARN"  # noqa: S105 (the setting's name)


def read_dotenv(path: str | os.PathLike[str] = ".env") -> dict[str, str]:
    """Values from a `.env` file (empty if there is none); the real environment wins over them."""
    if not Path(path).is_file():
        return {}
    from dotenv import dotenv_values  # only when there is a file to read (never on Lambda)

    return {k: v for k, v in dotenv_values(path).items() if v is not None}


# What only the commands that talk to Slack need (the bot itself and `check`); `policy`, `create-table`, `audit` and
# `review` run without them, so the README's set-up can print the bot's policy before the Slack app exists.
SLACK_ONLY = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "AMPLIFY_DEV_APPROVAL_CHANNEL", "AMPLIFY_DEV_APPROVERS")


class _Problems:
    """Every invalid setting found, so all of them are reported at once instead of one per attempt."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def take(self, read: Callable[[], T], default: T) -> T:
        """read()'s value, or `default` with its problem noted."""
        try:
            return read()
        except SettingsError as e:
            self.found.extend(e.problems)
            return default


def load_settings(environ: Mapping[str, str] | None = None, *, slack: bool = True) -> Settings:
    """Build Settings from `environ` (default: `.env` under os.environ); SettingsError names every bad one.

    slack=False: the Slack settings (SLACK_ONLY) may be left out, for the commands that never talk to Slack.
    """
    if environ is None:
        environ = {**read_dotenv(), **os.environ}
    env = {k: v.strip() for k, v in environ.items()}
    if env.get(SECRET_ARN_SETTING) and slack:
        from settings.slack_secret import read_slack_secret  # boto3 only when the secret is used

        env = {**read_slack_secret(env[SECRET_ARN_SETTING]), **{k: v for k, v in env.items() if v}}
    problems = _Problems()

    def required(name: str) -> str:
        value = env.get(name, "")
        if not value and (slack or name not in SLACK_ONLY):
            problems.found.append(f"{name} is required but not set (see .env.example)")
        return value

    def optional(name: str) -> str | None:
        return env.get(name) or None

    def refuse(message: str) -> None:
        problems.found.append(message)

    bot_token = required("SLACK_BOT_TOKEN")
    if bot_token and not bot_token.startswith("xoxb-"):
        refuse("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
    signing_secret = required("SLACK_SIGNING_SECRET")
    app_token = optional("SLACK_APP_TOKEN")
    if app_token and not app_token.startswith("xapp-"):
        refuse("SLACK_APP_TOKEN must be an app-level token starting with xapp- (or unset for HTTP mode)")

    api_url = optional("SLACK_API_URL") or DEFAULT_SLACK_API_URL
    if not re.match(r"^https?://[^\s/]+", api_url):
        refuse(f"SLACK_API_URL must be an http(s) URL, got {api_url!r}")
    if not api_url.endswith("/"):
        api_url += "/"

    raw_channel = required("AMPLIFY_DEV_APPROVAL_CHANNEL")
    channel = (
        problems.take(lambda: check.channel("AMPLIFY_DEV_APPROVAL_CHANNEL", raw_channel), "") if raw_channel else ""
    )
    raw_approvers = [a.strip() for a in required("AMPLIFY_DEV_APPROVERS").split(",") if a.strip()]
    no_one: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
    user_ids, group_ids = (
        problems.take(lambda: check.approvers("AMPLIFY_DEV_APPROVERS", raw_approvers), no_one)
        if raw_approvers or env.get("AMPLIFY_DEV_APPROVERS")
        else no_one
    )

    # Optional, unlike the approvers: unset means every full member of the workspace may request.
    raw_requesters = optional("AMPLIFY_DEV_REQUESTERS")
    requester_users, requester_groups = (
        problems.take(
            lambda: check.approvers(
                "AMPLIFY_DEV_REQUESTERS", [a.strip() for a in (raw_requesters or "").split(",") if a.strip()]
            ),
            no_one,
        )
        if raw_requesters
        else no_one
    )
    schedule = (optional("AMPLIFY_DEV_REVIEW_SCHEDULE") or "").lower()
    if schedule and schedule not in WEEKDAYS:
        refuse(
            f"AMPLIFY_DEV_REVIEW_SCHEDULE must be a weekday ({', '.join(WEEKDAYS)}) or unset, "
            f"got {env['AMPLIFY_DEV_REVIEW_SCHEDULE']!r}"
        )
        schedule = ""

    listed = tuple(p.strip() for p in (optional("AMPLIFY_DEV_POLICY_ARNS") or ",".join(DEFAULT_POLICY_ARNS)).split(","))
    policies = problems.take(
        lambda: check.policy_arns("AMPLIFY_DEV_POLICY_ARNS", tuple(p for p in listed if p)), DEFAULT_POLICY_ARNS
    )
    group = optional("AMPLIFY_DEV_IAM_GROUP")
    if group:
        problems.take(lambda: check.iam_group("AMPLIFY_DEV_IAM_GROUP", group), None)
    boundary = optional("AMPLIFY_DEV_PERMISSIONS_BOUNDARY")
    if boundary:
        problems.take(lambda: check.permissions_boundary("AMPLIFY_DEV_PERMISSIONS_BOUNDARY", boundary), None)
    path = problems.take(
        lambda: check.iam_path("AMPLIFY_DEV_IAM_PATH", optional("AMPLIFY_DEV_IAM_PATH") or DEFAULT_IAM_PATH),
        DEFAULT_IAM_PATH,
    )

    def number(name: str, default: int, *, minimum: int) -> int:
        return problems.take(lambda: _whole_number(env, name, default, minimum=minimum), default)

    pending_hours = number("AMPLIFY_DEV_PENDING_HOURS", DEFAULT_PENDING_HOURS, minimum=1)
    max_days = number("AMPLIFY_DEV_MAX_DAYS", DEFAULT_MAX_DAYS, minimum=0)
    default_days = number("AMPLIFY_DEV_DEFAULT_DAYS", DEFAULT_DAYS, minimum=1)
    problems.take(
        lambda: check.days_within(
            default_days, max_days, default_name="AMPLIFY_DEV_DEFAULT_DAYS", max_name="AMPLIFY_DEV_MAX_DAYS"
        ),
        None,
    )
    required_approvals = problems.take(
        lambda: check.required_approvals(
            "AMPLIFY_DEV_REQUIRED_APPROVALS", _whole_number(env, "AMPLIFY_DEV_REQUIRED_APPROVALS", 1, minimum=1)
        ),
        1,
    )
    audit_channel = optional("AMPLIFY_DEV_AUDIT_CHANNEL")
    if audit_channel:
        problems.take(lambda: check.channel("AMPLIFY_DEV_AUDIT_CHANNEL", audit_channel, approval=False), None)

    table = optional("AMPLIFY_DEV_DYNAMODB_TABLE")
    if table and not _TABLE_NAME.match(table):
        refuse(f"AMPLIFY_DEV_DYNAMODB_TABLE must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -), got {table!r}")
    retention_days = number("AMPLIFY_DEV_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, minimum=1)

    log_level = (optional("AMPLIFY_DEV_LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        refuse(f"AMPLIFY_DEV_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {env['AMPLIFY_DEV_LOG_LEVEL']!r}")
    log_format = (optional("AMPLIFY_DEV_LOG_FORMAT") or "text").lower()
    if log_format not in LOG_FORMATS:
        refuse(
            "AMPLIFY_DEV_LOG_FORMAT must be text (human-readable) or json (one object per line), "
            f"got {env['AMPLIFY_DEV_LOG_FORMAT']!r}"
        )

    # Default: the approval channel, which two deployments in one workspace do not share.
    instance = optional("AMPLIFY_DEV_INSTANCE") or channel
    if instance and not check.TAG_VALUE.match(instance):
        refuse(
            "AMPLIFY_DEV_INSTANCE must be 1-256 characters of letters, digits, spaces and _.:/=+-@ "
            f"(an IAM tag value), got {instance!r}"
        )
    allow_console = problems.take(lambda: _boolean(env, "AMPLIFY_DEV_ALLOW_CONSOLE", default=True), True)
    port = problems.take(lambda: _port(env), DEFAULT_PORT)
    lazy_workers = number("AMPLIFY_DEV_LAZY_WORKERS", DEFAULT_LAZY_WORKERS, minimum=0)
    identity_center = problems.take(
        lambda: load_identity_center(env, lambda e, name: _boolean(e, name, default=False), SettingsError), None
    )
    credentials = problems.take(
        lambda: check.credentials("AMPLIFY_DEV_CREDENTIALS", optional("AMPLIFY_DEV_CREDENTIALS") or "access-key"),
        "access-key",
    )
    problems.take(
        lambda: check.credentials_fit(
            "AMPLIFY_DEV_CREDENTIALS",
            credentials,
            identity_center=identity_center is not None,
            allow_console=allow_console,
        ),
        None,
    )
    if problems.found:
        raise SettingsError(*problems.found)

    return Settings(
        slack_bot_token=bot_token,
        slack_signing_secret=signing_secret,
        slack_app_token=app_token,
        slack_api_url=api_url,
        approval_channel=channel,
        approver_user_ids=user_ids,
        approver_group_ids=group_ids,
        policy_arns=policies,
        iam_group=group,
        permissions_boundary=boundary,
        iam_path=path,
        instance=instance,
        db_path=optional("AMPLIFY_DEV_DB") or DEFAULT_DB,
        dynamodb_table=table,
        retention_days=retention_days,
        allow_console=allow_console,
        port=port,
        lazy_workers=lazy_workers,
        pending_hours=pending_hours,
        default_days=default_days,
        max_days=max_days,
        required_approvals=required_approvals,
        audit_channel=audit_channel,
        log_level=log_level,
        log_format=log_format,
        requester_user_ids=requester_users,
        requester_group_ids=requester_groups,
        review_weekday=WEEKDAYS.index(schedule) if schedule else None,
        identity_center=identity_center,
        projects_file=optional("AMPLIFY_DEV_PROJECTS_FILE"),
        credentials=credentials,
        **load_oncall(env),
    )


def _boolean(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = env.get(name, "")
    return check.boolean(name, env[name]) if raw else default


def _whole_number(env: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    raw = env.get(name, "")
    return check.whole_number(name, raw, minimum=minimum) if raw else default


def _port(env: Mapping[str, str]) -> int:
    raw = env.get("PORT", "")
    if not raw:
        return DEFAULT_PORT
    if not WHOLE_NUMBER.fullmatch(raw) or not 0 < int(raw) < 65536:
        raise SettingsError(f"PORT must be a TCP port number, got {raw!r}")
    return int(raw)
