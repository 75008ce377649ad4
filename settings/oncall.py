"""Settings for reaching the leads and for on-call work: reminders, break-glass, the Amplify sandbox report.

All four may be overridden per project in the projects file (settings/projects.py): reminder cadence, who is
on call and whether a project's account is searched for sandboxes differ between teams. The environment gives
the default for every project.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import validators as check
from .validators import SettingsError

RENOTIFY_MINUTES = "AMPLIFY_DEV_RENOTIFY_MINUTES"
BREAKGLASS_HOURS = "AMPLIFY_DEV_BREAKGLASS_HOURS"
BREAKGLASS_USERS = "AMPLIFY_DEV_BREAKGLASS_USERS"
SANDBOX_REPORT = "AMPLIFY_DEV_SANDBOX_REPORT"

DEFAULT_RENOTIFY_MINUTES = 60
MAX_BREAKGLASS_HOURS = 12  # the ceiling: access without approval, however urgent, for half a day at most


def breakglass_hours(name: str, raw: str) -> int:
    """Hours of break-glass access: a whole number from 1 to 12."""
    if not check.WHOLE_NUMBER.fullmatch(raw) or not 1 <= int(raw) <= MAX_BREAKGLASS_HOURS:
        raise SettingsError(
            f"{name} must be a whole number of hours from 1 to {MAX_BREAKGLASS_HOURS} (unset: break-glass is off), "
            f"got {raw!r}"
        )
    return int(raw)


def require_breakglass_users(
    hours: int | None, users: frozenset[str], groups: frozenset[str], *, hours_name: str, users_name: str
) -> None:
    """Break-glass on names who may use it: nobody listed would be a switch that does nothing."""
    if hours is not None and not (users or groups):
        raise SettingsError(
            f"{hours_name} turns break-glass on, but {users_name} names nobody who may use it: "
            "list Slack user IDs (U…) or user-group IDs (S…)"
        )


def load_oncall(env: Mapping[str, str]) -> dict[str, Any]:
    """The Settings fields of these four settings, from the (stripped) environment."""
    raw_minutes = env.get(RENOTIFY_MINUTES, "")
    minutes = check.whole_number(RENOTIFY_MINUTES, raw_minutes, minimum=1) if raw_minutes else DEFAULT_RENOTIFY_MINUTES
    raw_hours = env.get(BREAKGLASS_HOURS, "")
    hours = breakglass_hours(BREAKGLASS_HOURS, raw_hours) if raw_hours else None
    raw_users = env.get(BREAKGLASS_USERS, "")
    users, groups = (
        check.approvers(BREAKGLASS_USERS, [a.strip() for a in raw_users.split(",") if a.strip()])
        if raw_users
        else (frozenset(), frozenset())
    )
    require_breakglass_users(hours, users, groups, hours_name=BREAKGLASS_HOURS, users_name=BREAKGLASS_USERS)
    raw_report = env.get(SANDBOX_REPORT, "")
    return {
        "renotify_minutes": minutes,
        "breakglass_hours": hours,
        "breakglass_user_ids": users,
        "breakglass_group_ids": groups,
        "sandbox_report": check.boolean(SANDBOX_REPORT, raw_report) if raw_report else False,
    }
