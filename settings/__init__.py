"""The bot's settings: read once from the environment (and `.env`), validated, then passed around."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from audit import DEFAULT_RETENTION_DAYS
from iam.names import is_valid_path
from logging_setup import LOG_FORMATS, LOG_LEVELS

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_POLICY_ARNS = ("arn:aws:iam::aws:policy/AdministratorAccess-Amplify",)
DEFAULT_IAM_PATH = "/amplify-dev/"
DEFAULT_DB = "./amplify-dev.db"
DEFAULT_PORT = 3000
DEFAULT_PENDING_HOURS = 72
DEFAULT_DAYS = 30
DEFAULT_MAX_DAYS = 90

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_GROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
_POLICY_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(aws|\d{12}):policy/[\w+=,.@/-]+$")
_IAM_GROUP = re.compile(r"^[\w+=,.@-]{1,128}$")
_TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
# ASCII digits only: str.isdigit() also accepts "²", "①" (which int() refuses) and Arabic-Indic or
# full-width digits (which int() reads). Nine at most: int() of thousands of digits is slow or refused.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}", re.ASCII)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it and says what is expected."""


@dataclass(frozen=True)
class Settings:
    """Everything the operator configures, validated."""

    slack_bot_token: str = field(repr=False)
    slack_signing_secret: str = field(repr=False)
    approval_channel: str
    approver_user_ids: frozenset[str]
    approver_group_ids: frozenset[str]
    slack_app_token: str | None = field(default=None, repr=False)
    slack_api_url: str = DEFAULT_SLACK_API_URL
    policy_arns: tuple[str, ...] = DEFAULT_POLICY_ARNS
    iam_group: str | None = None
    permissions_boundary: str | None = None
    iam_path: str = DEFAULT_IAM_PATH
    db_path: str = DEFAULT_DB
    dynamodb_table: str | None = None  # set: requests and the audit trail live in this table, not in db_path
    retention_days: int = DEFAULT_RETENTION_DAYS
    allow_console: bool = True
    port: int = DEFAULT_PORT
    pending_hours: int = DEFAULT_PENDING_HOURS
    default_days: int = DEFAULT_DAYS
    max_days: int = DEFAULT_MAX_DAYS  # 0: access without expiry is allowed
    required_approvals: int = 1
    audit_channel: str | None = None
    log_level: str = "INFO"
    log_format: str = "text"  # or "json": one JSON object per line

    @property
    def socket_mode(self) -> bool:
        """Socket Mode is used whenever an app-level token is configured."""
        return bool(self.slack_app_token)


# Optional: a Secrets Manager secret with SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET as JSON (what template.yaml
# sets on Lambda). Variables set in the environment win over the secret's values.
SECRET_ARN_SETTING = "AMPLIFY_DEV_SLACK_SECRET_ARN"  # noqa: S105 (the setting's name)


def read_dotenv(path: str | os.PathLike[str] = ".env") -> dict[str, str]:
    """Values from a `.env` file (empty if there is none); the real environment wins over them."""
    from dotenv import dotenv_values

    if not Path(path).is_file():
        return {}
    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from `environ` (default: `.env` under os.environ); SettingsError names a bad one."""
    if environ is None:
        environ = {**read_dotenv(), **os.environ}
    env = {k: v.strip() for k, v in environ.items()}
    if env.get(SECRET_ARN_SETTING):
        from settings.slack_secret import read_slack_secret  # boto3 only when the secret is used

        env = {**read_slack_secret(env[SECRET_ARN_SETTING]), **{k: v for k, v in env.items() if v}}

    def required(name: str) -> str:
        value = env.get(name, "")
        if not value:
            raise SettingsError(f"{name} is required but not set (see .env.example)")
        return value

    def optional(name: str) -> str | None:
        return env.get(name) or None

    bot_token = required("SLACK_BOT_TOKEN")
    if not bot_token.startswith("xoxb-"):
        raise SettingsError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
    signing_secret = required("SLACK_SIGNING_SECRET")
    app_token = optional("SLACK_APP_TOKEN")
    if app_token and not app_token.startswith("xapp-"):
        raise SettingsError("SLACK_APP_TOKEN must be an app-level token starting with xapp- (or unset for HTTP mode)")

    api_url = optional("SLACK_API_URL") or DEFAULT_SLACK_API_URL
    if not re.match(r"^https?://[^\s/]+", api_url):
        raise SettingsError(f"SLACK_API_URL must be an http(s) URL, got {api_url!r}")
    if not api_url.endswith("/"):
        api_url += "/"

    channel = required("AMPLIFY_DEV_APPROVAL_CHANNEL")
    if not _CHANNEL_ID.match(channel):
        raise SettingsError(
            f"AMPLIFY_DEV_APPROVAL_CHANNEL must be a channel ID like C0123ABCD (not a name), got {channel!r}"
        )

    approvers = [a.strip() for a in required("AMPLIFY_DEV_APPROVERS").split(",") if a.strip()]
    bad = [a for a in approvers if not (_USER_ID.match(a) or _GROUP_ID.match(a))]
    if bad or not approvers:
        raise SettingsError(
            "AMPLIFY_DEV_APPROVERS must be comma-separated Slack user IDs (U…/W…) or user-group IDs (S…); "
            f"not understood: {', '.join(bad) or '(empty)'}"
        )

    policies = tuple(
        p.strip() for p in (optional("AMPLIFY_DEV_POLICY_ARNS") or ",".join(DEFAULT_POLICY_ARNS)).split(",")
    )
    policies = tuple(p for p in policies if p)
    bad = [p for p in policies if not _POLICY_ARN.match(p)]
    if bad or not policies:
        raise SettingsError(
            f"AMPLIFY_DEV_POLICY_ARNS must be comma-separated IAM policy ARNs; not understood: "
            f"{', '.join(bad) or '(empty)'}"
        )
    if len(policies) > 10:
        raise SettingsError("AMPLIFY_DEV_POLICY_ARNS lists more than 10 policies, IAM's limit per user")

    group = optional("AMPLIFY_DEV_IAM_GROUP")
    if group and not _IAM_GROUP.match(group):
        raise SettingsError(f"AMPLIFY_DEV_IAM_GROUP must be an IAM group name, got {group!r}")
    boundary = optional("AMPLIFY_DEV_PERMISSIONS_BOUNDARY")
    if boundary and not _POLICY_ARN.match(boundary):
        raise SettingsError(f"AMPLIFY_DEV_PERMISSIONS_BOUNDARY must be a policy ARN, got {boundary!r}")

    path = optional("AMPLIFY_DEV_IAM_PATH") or DEFAULT_IAM_PATH
    if path == "/" or not is_valid_path(path) or "//" in path:
        raise SettingsError(
            "AMPLIFY_DEV_IAM_PATH must be an IAM path of its own such as /amplify-dev/ "
            f"(starts and ends with /, not just /, no * or ?), got {path!r}"
        )

    pending_hours = _whole_number(env, "AMPLIFY_DEV_PENDING_HOURS", DEFAULT_PENDING_HOURS, minimum=1)
    max_days = _whole_number(env, "AMPLIFY_DEV_MAX_DAYS", DEFAULT_MAX_DAYS, minimum=0)
    default_days = _whole_number(env, "AMPLIFY_DEV_DEFAULT_DAYS", DEFAULT_DAYS, minimum=1)
    if max_days and default_days > max_days:
        raise SettingsError(
            f"AMPLIFY_DEV_DEFAULT_DAYS ({default_days}) is above AMPLIFY_DEV_MAX_DAYS ({max_days}); lower it"
        )
    required_approvals = _whole_number(env, "AMPLIFY_DEV_REQUIRED_APPROVALS", 1, minimum=1)
    if required_approvals > 2:
        raise SettingsError("AMPLIFY_DEV_REQUIRED_APPROVALS must be 1 or 2")
    audit_channel = optional("AMPLIFY_DEV_AUDIT_CHANNEL")
    if audit_channel and not _CHANNEL_ID.match(audit_channel):
        raise SettingsError(f"AMPLIFY_DEV_AUDIT_CHANNEL must be a channel ID like C0123ABCD, got {audit_channel!r}")

    table = optional("AMPLIFY_DEV_DYNAMODB_TABLE")
    if table and not _TABLE_NAME.match(table):
        raise SettingsError(
            f"AMPLIFY_DEV_DYNAMODB_TABLE must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -), got {table!r}"
        )
    retention_days = _whole_number(env, "AMPLIFY_DEV_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, minimum=1)

    log_level = (optional("AMPLIFY_DEV_LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise SettingsError(
            f"AMPLIFY_DEV_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {env['AMPLIFY_DEV_LOG_LEVEL']!r}"
        )
    log_format = (optional("AMPLIFY_DEV_LOG_FORMAT") or "text").lower()
    if log_format not in LOG_FORMATS:
        raise SettingsError(
            "AMPLIFY_DEV_LOG_FORMAT must be text (human-readable) or json (one object per line), "
            f"got {env['AMPLIFY_DEV_LOG_FORMAT']!r}"
        )

    return Settings(
        slack_bot_token=bot_token,
        slack_signing_secret=signing_secret,
        slack_app_token=app_token,
        slack_api_url=api_url,
        approval_channel=channel,
        approver_user_ids=frozenset(a for a in approvers if _USER_ID.match(a)),
        approver_group_ids=frozenset(a for a in approvers if _GROUP_ID.match(a)),
        policy_arns=policies,
        iam_group=group,
        permissions_boundary=boundary,
        iam_path=path,
        db_path=optional("AMPLIFY_DEV_DB") or DEFAULT_DB,
        dynamodb_table=table,
        retention_days=retention_days,
        allow_console=_boolean(env, "AMPLIFY_DEV_ALLOW_CONSOLE", default=True),
        port=_port(env),
        pending_hours=pending_hours,
        default_days=default_days,
        max_days=max_days,
        required_approvals=required_approvals,
        audit_channel=audit_channel,
        log_level=log_level,
        log_format=log_format,
    )


def _boolean(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = env.get(name, "").lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise SettingsError(f"{name} must be true or false, got {env[name]!r}")


def _whole_number(env: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    raw = env.get(name, "")
    if not raw:
        return default
    if not _WHOLE_NUMBER.fullmatch(raw) or int(raw) < minimum:
        raise SettingsError(f"{name} must be a whole number of at least {minimum}, got {raw!r}")
    return int(raw)


def _port(env: Mapping[str, str]) -> int:
    raw = env.get("PORT", "")
    if not raw:
        return DEFAULT_PORT
    if not _WHOLE_NUMBER.fullmatch(raw) or not 0 < int(raw) < 65536:
        raise SettingsError(f"PORT must be a TCP port number, got {raw!r}")
    return int(raw)
