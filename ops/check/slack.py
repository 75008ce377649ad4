"""The Slack half of the check: token, scopes, channels, approvers and Socket Mode, as Slack sees them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from slack_sdk import WebClient

from ops.check.hints import Refused, attempt
from ops.check.results import CheckResult, Status
from settings import Settings
from slack_gateway import build_web_client

MANIFEST_PATH = Path(__file__).resolve().parent.parent.parent / "manifest.yml"
# Scopes the bot never needs but that let this check see the approval channel (conversations.info).
CHECK_ONLY_SCOPES = frozenset({"channels:read", "groups:read"})
# Scopes only the Identity Center mode uses: the requester's email matches their Identity Store user.
IDENTITY_CENTER_ONLY_SCOPES = frozenset({"users:read.email"})
AREA = "Slack"


def required_scopes(manifest_path: Path = MANIFEST_PATH) -> list[str]:
    """The bot scopes manifest.yml asks for: the one list of what the bot uses."""
    import yaml

    manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    return [str(s) for s in manifest["oauth_config"]["scopes"]["bot"]]


def check_slack(settings: Settings, client: WebClient, *, manifest_path: Path = MANIFEST_PATH) -> list[CheckResult]:
    """Token, scopes, approval channel, approvers and Socket Mode, as Slack sees them."""
    auth = attempt(AREA, "bot token", "auth.test", client.auth_test, url=settings.slack_api_url)
    if isinstance(auth, Refused):
        return auth.lines
    team_id = auth.get("team_id")
    results = [
        CheckResult(
            AREA,
            Status.PASS,
            "bot token",
            f"works: bot user {auth.get('user')} ({auth.get('user_id')}) in {auth.get('team')} ({team_id})",
        )
    ]
    granted = _granted_scopes(auth.headers)
    results.extend(check_scopes(granted, manifest_path, identity_center=settings.identity_center is not None))
    channels = [("approval channel", "AMPLIFY_DEV_APPROVAL_CHANNEL", settings.approval_channel)]
    audit_channel = getattr(settings, "audit_channel", None)
    if audit_channel:
        channels.append(("audit channel", "AMPLIFY_DEV_AUDIT_CHANNEL", audit_channel))
    for subject, setting, channel in channels:
        results.append(_check_channel(client, subject, setting, channel))
    for user_id in sorted(settings.approver_user_ids):
        results.append(_check_approver(client, user_id, team_id))
    for group_id in sorted(settings.approver_group_ids):
        results.append(_check_approver_group(client, group_id))
    results.append(_check_socket_mode(settings))
    return results


def _granted_scopes(headers: dict[str, Any] | None) -> set[str] | None:
    for name, value in (headers or {}).items():
        if name.lower() == "x-oauth-scopes":
            text = value[0] if isinstance(value, list) else str(value)
            return {s.strip() for s in text.split(",") if s.strip()}
    return None


def check_scopes(granted: set[str] | None, manifest_path: Path, *, identity_center: bool) -> list[CheckResult]:
    """The token's scopes against manifest.yml's; the Identity Center-only ones are required only in that mode."""
    try:
        listed = required_scopes(manifest_path)
    except (OSError, KeyError, TypeError, ValueError) as e:
        return [_scopes(Status.SKIP, f"could not read the bot scopes from {manifest_path} ({type(e).__name__})")]
    needed = listed if identity_center else [s for s in listed if s not in IDENTITY_CENTER_ONLY_SCOPES]
    if granted is None:
        return [
            _scopes(
                Status.SKIP,
                "Slack did not report the token's scopes (no x-oauth-scopes header on auth.test); compare OAuth & "
                f"Permissions with manifest.yml by hand: {', '.join(needed)}",
            )
        ]
    missing = [s for s in needed if s not in granted]
    if missing:
        return [
            _scopes(
                Status.FAIL,
                f"the token lacks {', '.join(missing)}. Add them under OAuth & Permissions → Bot Token Scopes (or "
                "update the app from manifest.yml), then reinstall the app and copy the new token.",
            )
        ]
    extra = sorted(granted - set(listed) - CHECK_ONLY_SCOPES)
    if extra:
        line = _scopes(
            Status.WARN,
            f"all of {', '.join(needed)} granted, but also {', '.join(extra)}, which the bot never uses: remove "
            "them and reinstall (a leaked token can do less).",
        )
    else:
        line = _scopes(Status.PASS, f"the token has what the bot uses: {', '.join(needed)}")
    not_yet = [s for s in listed if s not in needed and s not in granted]
    if not not_yet:
        return [line]
    return [
        line,
        CheckResult(
            AREA,
            Status.SKIP,
            f"scope {', '.join(not_yet)}",
            "not granted, and only needed in Identity Center mode (AMPLIFY_DEV_MODE=identity-center), where it "
            "matches a requester to their Identity Store user by email.",
        ),
    ]


def _scopes(status: Status, detail: str) -> CheckResult:
    return CheckResult(AREA, status, "scopes", detail)


def _check_channel(client: WebClient, subject: str, setting: str, channel: str) -> CheckResult:
    info = attempt(
        AREA,
        subject,
        "conversations.info",
        lambda: client.conversations_info(channel=channel)["channel"],
        channel=channel,
        setting=setting,
    )
    if isinstance(info, Refused):
        return info.line
    name = f"#{info.get('name') or channel} ({channel})"
    if info.get("is_archived"):
        return CheckResult(
            AREA, Status.FAIL, subject, f"{name} is archived: unarchive it or set {setting} to a live channel."
        )
    if not info.get("is_member"):
        return CheckResult(
            AREA,
            Status.FAIL,
            subject,
            f"the bot is not a member of {name}, so it cannot post there: `/invite @amplify-dev` in that channel.",
        )
    return CheckResult(AREA, Status.PASS, subject, f"{name} exists and the bot is a member")


def _check_approver(client: WebClient, user_id: str, team_id: str | None) -> CheckResult:
    subject = f"approver {user_id}"
    user = attempt(AREA, subject, "users.info", lambda: client.users_info(user=user_id)["user"])
    if isinstance(user, Refused):
        return user.line
    name = (user.get("profile") or {}).get("display_name") or user.get("real_name") or user.get("name") or user_id
    if user.get("deleted"):
        return CheckResult(
            AREA,
            Status.WARN,
            subject,
            f"{name} is deactivated and cannot approve: remove them from AMPLIFY_DEV_APPROVERS.",
        )
    if user.get("is_bot"):
        return CheckResult(
            AREA, Status.WARN, subject, f"{name} is a bot, not a person: remove it from AMPLIFY_DEV_APPROVERS."
        )
    if team_id and user.get("team_id") and user["team_id"] != team_id:
        return CheckResult(
            AREA,
            Status.WARN,
            subject,
            f"{name} belongs to another workspace ({user['team_id']}); the bot refuses clicks from other "
            "workspaces, so they cannot approve.",
        )
    return CheckResult(AREA, Status.PASS, subject, f"resolves to {name}")


def _check_approver_group(client: WebClient, group_id: str) -> CheckResult:
    subject = f"approver group {group_id}"
    members = attempt(
        AREA,
        subject,
        "usergroups.users.list",
        lambda: client.usergroups_users_list(usergroup=group_id).get("users") or [],
    )
    if isinstance(members, Refused):
        return members.line
    if not members:
        return CheckResult(
            AREA, Status.WARN, subject, "has no members, so nobody can approve through it: add people to it."
        )
    return CheckResult(AREA, Status.PASS, subject, f"resolves to {len(members)} member(s)")


def _check_socket_mode(settings: Settings) -> CheckResult:
    subject = "Socket Mode"
    if not settings.slack_app_token:
        return CheckResult(
            AREA,
            Status.SKIP,
            subject,
            f"SLACK_APP_TOKEN is not set, so the bot serves HTTP on port {settings.port}: turn Socket Mode off in "
            "the app settings and point the slash command and interactivity URLs at https://<host>/slack/events.",
        )
    app_token = settings.slack_app_token

    def open_connection() -> None:
        build_web_client(app_token, settings.slack_api_url).apps_connections_open(app_token=app_token)

    opened = attempt(AREA, subject, "apps.connections.open", open_connection)
    if isinstance(opened, Refused):
        return opened.line
    return CheckResult(AREA, Status.PASS, subject, "SLACK_APP_TOKEN opens a Socket Mode connection")
