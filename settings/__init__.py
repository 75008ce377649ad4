"""The bot's settings: read once from the environment (and `.env`), validated, then passed around."""

from __future__ import annotations

from dataclasses import dataclass, field

from audit import DEFAULT_RETENTION_DAYS

from .identity_center import IdentityCenterSettings
from .oncall import DEFAULT_RENOTIFY_MINUTES
from .validators import SettingsError

__all__ = [
    "SECRET_ARN_SETTING",
    "IdentityCenterSettings",
    "Settings",
    "SettingsError",
    "load_settings",
    "read_dotenv",
]

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_POLICY_ARNS = ("arn:aws:iam::aws:policy/AdministratorAccess-Amplify",)
DEFAULT_IAM_PATH = "/amplify-dev/"
DEFAULT_DB = "./amplify-dev.db"
DEFAULT_PORT = 3000
DEFAULT_LAZY_WORKERS = 3
DEFAULT_PENDING_HOURS = 72
DEFAULT_DAYS = 30
DEFAULT_MAX_DAYS = 90

# `_WHOLE_NUMBER` and friends live in settings/validators.py, shared with the projects file.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = datetime.weekday()


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
    instance: str = ""  # the amplify-dev:instance tag value on every user this deployment makes
    db_path: str = DEFAULT_DB
    dynamodb_table: str | None = None  # set: requests and the audit trail live in this table, not in db_path
    retention_days: int = DEFAULT_RETENTION_DAYS
    allow_console: bool = True
    port: int = DEFAULT_PORT
    # AMPLIFY_DEV_LAZY_WORKERS: worker processes for the slow half of each listener (Socket Mode, HTTP; 0: threads
    # in the bot's own process, as --sandbox always uses). See lazy_workers.py.
    lazy_workers: int = DEFAULT_LAZY_WORKERS
    pending_hours: int = DEFAULT_PENDING_HOURS
    default_days: int = DEFAULT_DAYS
    max_days: int = DEFAULT_MAX_DAYS  # 0: access without expiry is allowed
    required_approvals: int = 1
    audit_channel: str | None = None
    log_level: str = "INFO"
    log_format: str = "text"  # or "json": one JSON object per line
    # Who may request (AMPLIFY_DEV_REQUESTERS); both empty: every full member of the workspace.
    requester_user_ids: frozenset[str] = frozenset()
    requester_group_ids: frozenset[str] = frozenset()
    review_weekday: int | None = None  # AMPLIFY_DEV_REVIEW_SCHEDULE: 0 (Monday) to 6, None: no weekly post
    identity_center: IdentityCenterSettings | None = None  # set: AMPLIFY_DEV_MODE=identity-center
    projects_file: str | None = None  # AMPLIFY_DEV_PROJECTS_FILE: several projects (settings/projects.py)
    # What a project adds (settings/projects.py); without a projects file, the one project "default".
    project: str = "default"
    description: str = ""
    account_role_arn: str | None = None  # the role assumed for this project's AWS calls; None: the bot's own
    external_id: str | None = (
        None  # sent as sts:ExternalId when assuming account_role_arn (its trust policy's condition)
    )
    region: str | None = None  # this project's region; None: the bot's
    amplify_app_id: str | None = None
    amplify_env: str | None = None
    # AMPLIFY_DEV_CREDENTIALS (or a project's `credentials`): access-key, or sign-in (console + `aws login`, no key).
    # Only for IAM users: a project in the Identity Center mode ignores a sign-in it inherits.
    credentials: str = "access-key"
    # Reminders, break-glass and the sandbox report (settings/oncall.py); a project may override each.
    renotify_minutes: int = DEFAULT_RENOTIFY_MINUTES  # AMPLIFY_DEV_RENOTIFY_MINUTES: the first reminder's delay
    breakglass_hours: int | None = None  # AMPLIFY_DEV_BREAKGLASS_HOURS: None, break-glass is off; else 1-12
    breakglass_user_ids: frozenset[str] = frozenset()  # AMPLIFY_DEV_BREAKGLASS_USERS
    breakglass_group_ids: frozenset[str] = frozenset()
    sandbox_report: bool = False  # AMPLIFY_DEV_SANDBOX_REPORT: name developers' Amplify sandbox stacks

    def __post_init__(self) -> None:
        if not self.instance:  # the documented default, also for Settings built in code (the playground)
            object.__setattr__(self, "instance", self.approval_channel)

    @property
    def socket_mode(self) -> bool:
        """Socket Mode is used whenever an app-level token is configured."""
        return bool(self.slack_app_token)

    @property
    def signs_in(self) -> bool:
        """AMPLIFY_DEV_CREDENTIALS=sign-in applies: console sign-in and `aws login`, never an access key (an IAM-user
        project; Identity Center gives no key either way)."""
        return self.identity_center is None and self.credentials == "sign-in"

    @property
    def mode(self) -> str:
        """AMPLIFY_DEV_MODE: iam-user (an IAM user per developer) or identity-center (an account assignment)."""
        return "identity-center" if self.identity_center else "iam-user"


# Reading them (settings/loading.py) needs Settings, defined above.
from .loading import SECRET_ARN_SETTING, load_settings, read_dotenv  # noqa: E402
