"""`python bot.py check`: a checklist of the Slack and AWS set-up, each line PASS, WARN, FAIL or SKIP.

Every line that is not a plain PASS says what to do. A check that could not be made is SKIP, never PASS.
The exit code is 1 if anything FAILed, else 0 (warnings included).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

from botocore.client import BaseClient
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from botocore.parsers import ResponseParserError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from iam.names import account_id_from_arn, change_password_policy_arn, is_valid_path, partition_from_arn, principal_arn
from ops.policy import SimulationCase, simulation_cases
from ops.policy_command import GROUP_LIMIT_NOTE
from settings import Settings
from slack_gateway import build_web_client

MANIFEST_PATH = Path(__file__).resolve().parent.parent / "manifest.yml"
# Scopes the bot never needs but that let this check see the approval channel (conversations.info).
CHECK_ONLY_SCOPES = frozenset({"channels:read", "groups:read"})
# As powerful as AdministratorAccess, in AWS's own words (IAMFullAccess can grant itself everything).
ADMIN_EQUIVALENT_POLICIES = frozenset({"AdministratorAccess", "AdministratorAccess-Amplify", "IAMFullAccess"})
POLICY_COMMAND = "`python bot.py policy`"


class Status(StrEnum):
    """How one check came out."""

    PASS = "PASS"  # noqa: S105 (a check outcome, not a password)
    WARN = "WARN"
    FAIL = "FAIL"
    SKIP = "SKIP"


@dataclass(frozen=True)
class CheckResult:
    """One line of the checklist: what was checked, how it came out, and what to do about it."""

    area: str
    status: Status
    subject: str
    detail: str


def run_check(settings: Settings, out: TextIO, *, projects: dict[str, Settings] | None = None) -> int:
    """Check Slack and AWS with real clients, print the checklist to `out`; 1 if anything failed, else 0.

    With a projects file, every project is checked in its own account, one section each.
    """
    import iam
    from ops.aws import build_sts_client, default_region

    region = default_region()
    identity_center = None
    if settings.identity_center is not None:
        from identity_center import build_identity_center_clients

        identity_center = build_identity_center_clients(settings.identity_center.sso_region or region)
    slack = build_web_client(settings.slack_bot_token, settings.slack_api_url)
    if not (projects and settings.projects_file):
        results = check_all(
            settings,
            slack=slack,
            iam_client=iam.build_iam_client(region),
            sts=build_sts_client(region),
            identity_center=identity_center,
        )
        write_report(results, out)
        return exit_code(results)
    worst = 0
    for name, project in projects.items():
        project_region = project.region or region
        session = iam.project_session(project.account_role_arn, project_region)
        out.write(f"\n== project {name}{f' ({project.description})' if project.description else ''} ==\n")
        results = check_all(
            project,
            slack=slack,
            iam_client=iam.iam_client_from(session, project_region),
            sts=session.client("sts", region_name=project_region),
            identity_center=identity_center,
        )
        write_report(results, out)
        worst = max(worst, exit_code(results))
    return worst


def check_all(
    settings: Settings,
    *,
    slack: WebClient,
    iam_client: BaseClient,
    sts: BaseClient,
    manifest_path: Path = MANIFEST_PATH,
    identity_center: Any = None,
) -> list[CheckResult]:
    """Every check, in the order printed: Slack, AWS, then the risky settings."""
    if settings.identity_center is not None:  # nothing of the IAM-user mode applies
        from ops.check_identity_center import check_identity_center

        return [
            *check_slack(settings, slack, manifest_path=manifest_path),
            *check_identity_center(settings, identity_center, sts),
        ]
    return [
        *check_slack(settings, slack, manifest_path=manifest_path),
        *check_aws(settings, iam_client, sts),
        *check_risks(settings),
    ]


def exit_code(results: Iterable[CheckResult]) -> int:
    """1 if any check failed, else 0."""
    return 1 if any(r.status is Status.FAIL for r in results) else 0


def write_report(results: list[CheckResult], out: TextIO) -> None:
    """The checklist, grouped by area, then a one-line summary."""
    out.write("amplify-dev check\n")
    area = None
    for result in results:
        if result.area != area:
            area = result.area
            out.write(f"\n{area}\n")
        out.write(f"  {result.status.value:<4}  {result.subject}: {result.detail}\n")
    counts = {status: sum(r.status is status for r in results) for status in Status}
    verdict = "NOT READY: fix every FAIL above" if counts[Status.FAIL] else "ready"
    warnings = f"{counts[Status.WARN]} warning{'' if counts[Status.WARN] == 1 else 's'}"
    out.write(
        f"\n{counts[Status.PASS]} passed, {warnings}, {counts[Status.FAIL]} failed, "
        f"{counts[Status.SKIP]} skipped: {verdict}\n"
    )


# --- Slack -----------------------------------------------------------------------------------------


def required_scopes(manifest_path: Path = MANIFEST_PATH) -> list[str]:
    """The bot scopes manifest.yml asks for: the one list of what the bot uses."""
    import yaml

    manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    return [str(s) for s in manifest["oauth_config"]["scopes"]["bot"]]


def _slack_error(e: SlackApiError | SlackClientError | OSError) -> str:
    if isinstance(e, SlackApiError) and e.response is not None:
        return str(e.response.get("error") or f"HTTP {e.response.status_code}")
    return type(e).__name__


def check_slack(settings: Settings, client: WebClient, *, manifest_path: Path = MANIFEST_PATH) -> list[CheckResult]:
    """Token, scopes, approval channel, approvers and Socket Mode, as Slack sees them."""
    results: list[CheckResult] = []

    def add(status: Status, subject: str, detail: str) -> None:
        results.append(CheckResult("Slack", status, subject, detail))

    try:
        auth = client.auth_test()
    except SlackApiError as e:
        add(
            Status.FAIL,
            "bot token",
            f"Slack refused SLACK_BOT_TOKEN ({_slack_error(e)}). Copy the Bot User OAuth Token (xoxb-…) from "
            "OAuth & Permissions; reinstall the app to the workspace if it was revoked.",
        )
        add(Status.SKIP, "everything else on Slack", "needs a working bot token")
        return results
    except (SlackClientError, OSError) as e:
        add(
            Status.FAIL,
            "bot token",
            f"could not reach Slack at {settings.slack_api_url} ({_slack_error(e)}). Check SLACK_API_URL and "
            "the network (a proxy?).",
        )
        add(Status.SKIP, "everything else on Slack", "needs Slack to answer")
        return results
    team_id = auth.get("team_id")
    add(
        Status.PASS,
        "bot token",
        f"works: bot user {auth.get('user')} ({auth.get('user_id')}) in {auth.get('team')} ({team_id})",
    )
    granted = _granted_scopes(auth.headers)
    results.append(_check_scopes(granted, manifest_path))
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


def _check_scopes(granted: set[str] | None, manifest_path: Path) -> CheckResult:
    try:
        needed = required_scopes(manifest_path)
    except (OSError, KeyError, TypeError, ValueError) as e:
        return CheckResult(
            "Slack", Status.SKIP, "scopes", f"could not read the bot scopes from {manifest_path} ({type(e).__name__})"
        )
    if granted is None:
        return CheckResult(
            "Slack",
            Status.SKIP,
            "scopes",
            "Slack did not report the token's scopes (no x-oauth-scopes header on auth.test); compare OAuth & "
            f"Permissions with manifest.yml by hand: {', '.join(needed)}",
        )
    missing = [s for s in needed if s not in granted]
    if missing:
        return CheckResult(
            "Slack",
            Status.FAIL,
            "scopes",
            f"the token lacks {', '.join(missing)}. Add them under OAuth & Permissions → Bot Token Scopes (or "
            "update the app from manifest.yml), then reinstall the app and copy the new token.",
        )
    extra = sorted(granted - set(needed) - CHECK_ONLY_SCOPES)
    if extra:
        return CheckResult(
            "Slack",
            Status.WARN,
            "scopes",
            f"all of {', '.join(needed)} granted, but also {', '.join(extra)}, which the bot never uses: remove "
            "them and reinstall (a leaked token can do less).",
        )
    return CheckResult("Slack", Status.PASS, "scopes", f"the token has what the bot uses: {', '.join(needed)}")


def _check_channel(client: WebClient, subject: str, setting: str, channel: str) -> CheckResult:
    try:
        info = client.conversations_info(channel=channel)["channel"]
    except SlackApiError as e:
        error = _slack_error(e)
        if error == "missing_scope":
            return CheckResult(
                "Slack",
                Status.SKIP,
                subject,
                f"cannot look up {channel} without channels:read (public) or groups:read (private), which the bot "
                f"does not otherwise need. Make sure you ran `/invite @amplify-dev` in <#{channel}>; add those scopes "
                "if you want this check to see it.",
            )
        if error == "channel_not_found":
            return CheckResult(
                "Slack",
                Status.FAIL,
                subject,
                f"{channel} not found, or private without the bot in it. {setting} must be the channel ID "
                "(channel details → bottom of About), and the bot must be invited: `/invite @amplify-dev`.",
            )
        return CheckResult("Slack", Status.FAIL, subject, f"conversations.info for {channel} failed: {error}")
    except (SlackClientError, OSError) as e:
        return CheckResult("Slack", Status.FAIL, subject, f"conversations.info failed: {_slack_error(e)}")
    name = f"#{info.get('name') or channel} ({channel})"
    if info.get("is_archived"):
        return CheckResult(
            "Slack", Status.FAIL, subject, f"{name} is archived: unarchive it or set {setting} to a live channel."
        )
    if not info.get("is_member"):
        return CheckResult(
            "Slack",
            Status.FAIL,
            subject,
            f"the bot is not a member of {name}, so it cannot post there: `/invite @amplify-dev` in that channel.",
        )
    return CheckResult("Slack", Status.PASS, subject, f"{name} exists and the bot is a member")


def _check_approver(client: WebClient, user_id: str, team_id: str | None) -> CheckResult:
    subject = f"approver {user_id}"
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as e:
        error = _slack_error(e)
        if error == "user_not_found":
            return CheckResult(
                "Slack",
                Status.FAIL,
                subject,
                "no such user in this workspace: fix AMPLIFY_DEV_APPROVERS (profile → ⋮ → Copy member ID).",
            )
        return CheckResult("Slack", Status.FAIL, subject, f"users.info failed: {error}")
    except (SlackClientError, OSError) as e:
        return CheckResult("Slack", Status.FAIL, subject, f"users.info failed: {_slack_error(e)}")
    name = (user.get("profile") or {}).get("display_name") or user.get("real_name") or user.get("name") or user_id
    if user.get("deleted"):
        return CheckResult(
            "Slack",
            Status.WARN,
            subject,
            f"{name} is deactivated and cannot approve: remove them from AMPLIFY_DEV_APPROVERS.",
        )
    if user.get("is_bot"):
        return CheckResult(
            "Slack", Status.WARN, subject, f"{name} is a bot, not a person: remove it from AMPLIFY_DEV_APPROVERS."
        )
    if team_id and user.get("team_id") and user["team_id"] != team_id:
        return CheckResult(
            "Slack",
            Status.WARN,
            subject,
            f"{name} belongs to another workspace ({user['team_id']}); the bot refuses clicks from other "
            "workspaces, so they cannot approve.",
        )
    return CheckResult("Slack", Status.PASS, subject, f"resolves to {name}")


def _check_approver_group(client: WebClient, group_id: str) -> CheckResult:
    subject = f"approver group {group_id}"
    try:
        members = client.usergroups_users_list(usergroup=group_id).get("users") or []
    except SlackApiError as e:
        error = _slack_error(e)
        if error == "no_such_subteam":
            return CheckResult(
                "Slack", Status.FAIL, subject, "no such user group: fix AMPLIFY_DEV_APPROVERS (S… is the group's ID)."
            )
        if error == "missing_scope":
            return CheckResult(
                "Slack", Status.FAIL, subject, "the token lacks usergroups:read: add it and reinstall the app."
            )
        return CheckResult("Slack", Status.FAIL, subject, f"usergroups.users.list failed: {error}")
    except (SlackClientError, OSError) as e:
        return CheckResult("Slack", Status.FAIL, subject, f"usergroups.users.list failed: {_slack_error(e)}")
    if not members:
        return CheckResult(
            "Slack", Status.WARN, subject, "has no members, so nobody can approve through it: add people to it."
        )
    return CheckResult("Slack", Status.PASS, subject, f"resolves to {len(members)} member(s)")


def _check_socket_mode(settings: Settings) -> CheckResult:
    if not settings.slack_app_token:
        return CheckResult(
            "Slack",
            Status.SKIP,
            "Socket Mode",
            f"SLACK_APP_TOKEN is not set, so the bot serves HTTP on port {settings.port}: turn Socket Mode off in "
            "the app settings and point the slash command and interactivity URLs at https://<host>/slack/events.",
        )
    try:
        app_client = build_web_client(settings.slack_app_token, settings.slack_api_url)
        app_client.apps_connections_open(app_token=settings.slack_app_token)
    except SlackApiError as e:
        error = _slack_error(e)
        hint = {
            "invalid_auth": "Slack does not know this token",
            "not_allowed_token_type": "this is not an app-level token",
            "missing_scope": "the token lacks connections:write",
        }.get(error, "Slack refused it")
        return CheckResult(
            "Slack",
            Status.FAIL,
            "Socket Mode",
            f"SLACK_APP_TOKEN does not open a connection ({error}: {hint}). Generate an app-level token with "
            "connections:write under Basic Information → App-Level Tokens, or unset it to serve HTTP.",
        )
    except (SlackClientError, OSError) as e:
        return CheckResult("Slack", Status.FAIL, "Socket Mode", f"apps.connections.open failed: {_slack_error(e)}")
    return CheckResult("Slack", Status.PASS, "Socket Mode", "SLACK_APP_TOKEN opens a Socket Mode connection")


# --- AWS -------------------------------------------------------------------------------------------


def _aws_code(e: Exception) -> str:
    if isinstance(e, ClientError):
        return str(e.response.get("Error", {}).get("Code") or "Unknown")
    return type(e).__name__


# ResponseParserError is not a BotoCoreError: it is what an endpoint answering HTML (moto's server on an
# unimplemented action, a proxy) produces.
_AwsErrors = (BotoCoreError, ClientError, ResponseParserError)


def check_aws(settings: Settings, iam_client: BaseClient, sts: BaseClient) -> list[CheckResult]:
    """Whose credentials these are, that what the settings name exists, and that the bot may do its job."""
    results: list[CheckResult] = []

    def add(status: Status, subject: str, detail: str) -> None:
        results.append(CheckResult("AWS", status, subject, detail))

    try:
        caller = sts.get_caller_identity()["Arn"]
    except NoCredentialsError:
        add(
            Status.FAIL,
            "credentials",
            "none found. Give the bot credentials through boto3's chain: AWS_PROFILE, the AWS_ACCESS_KEY_ID/"
            "AWS_SECRET_ACCESS_KEY variables, or an instance/task role.",
        )
        add(Status.SKIP, "everything else on AWS", "needs working credentials")
        return results
    except _AwsErrors as e:
        add(
            Status.FAIL,
            "credentials",
            f"AWS refused them ({_aws_code(e)}): they are wrong, expired or for another partition. Refresh them "
            "(e.g. `aws sso login`) or fix AWS_PROFILE.",
        )
        add(Status.SKIP, "everything else on AWS", "needs working credentials")
        return results
    account = account_id_from_arn(caller)
    partition = partition_from_arn(caller)
    if caller.endswith(":root"):
        add(
            Status.WARN,
            "credentials",
            f"these are the root user's credentials of account {account}: create a role or user for the bot "
            f"with the policy from {POLICY_COMMAND} instead.",
        )
    else:
        add(Status.PASS, "credentials", f"{caller} (account {account})")

    if is_valid_path(settings.iam_path):
        add(Status.PASS, "IAM path", f"{settings.iam_path} is a valid IAM path")
    else:
        add(Status.FAIL, "IAM path", f"{settings.iam_path!r} is not a valid IAM path: fix AMPLIFY_DEV_IAM_PATH.")

    policies = list(settings.policy_arns)
    if settings.allow_console:
        policies.append(change_password_policy_arn(partition))
    for arn in dict.fromkeys(policies):
        results.append(_check_policy(iam_client, arn, account, "policy", "AMPLIFY_DEV_POLICY_ARNS"))
    if settings.permissions_boundary:
        results.append(
            _check_policy(
                iam_client, settings.permissions_boundary, account, "boundary", "AMPLIFY_DEV_PERMISSIONS_BOUNDARY"
            )
        )
    if settings.iam_group:
        results.append(_check_group(iam_client, settings.iam_group))
    results.extend(check_own_permissions(settings, iam_client, caller, account, partition))
    return results


def _check_policy(iam_client: BaseClient, arn: str, account: str, kind: str, setting: str) -> CheckResult:
    subject = f"{kind} {arn.rsplit('/', 1)[-1]}"
    policy_account = arn.split(":")[4]
    if policy_account not in ("aws", account):
        return CheckResult(
            "AWS",
            Status.FAIL,
            subject,
            f"{arn} belongs to account {policy_account}, not {account}: IAM only attaches policies of the same "
            f"account (or AWS managed ones). Fix {setting}.",
        )
    try:
        policy = iam_client.get_policy(PolicyArn=arn)["Policy"]
    except _AwsErrors as e:
        code = _aws_code(e)
        if code == "NoSuchEntity":
            return CheckResult("AWS", Status.FAIL, subject, f"{arn} does not exist: fix {setting} or create it.")
        if code == "AccessDenied":
            return CheckResult(
                "AWS",
                Status.SKIP,
                subject,
                f"could not read {arn} (AccessDenied); the policy from {POLICY_COMMAND} allows iam:GetPolicy on it.",
            )
        return CheckResult("AWS", Status.SKIP, subject, f"could not read {arn} ({code})")
    if policy.get("IsAttachable") is False:
        return CheckResult("AWS", Status.FAIL, subject, f"{arn} exists but cannot be attached to users: fix {setting}.")
    return CheckResult("AWS", Status.PASS, subject, f"{arn} exists")


def _check_group(iam_client: BaseClient, group: str) -> CheckResult:
    subject = f"group {group}"
    try:
        iam_client.get_group(GroupName=group, MaxItems=1)
    except _AwsErrors as e:
        code = _aws_code(e)
        if code == "NoSuchEntity":
            return CheckResult(
                "AWS",
                Status.FAIL,
                subject,
                "does not exist: create it or fix AMPLIFY_DEV_IAM_GROUP (a name, not an ARN).",
            )
        return CheckResult(
            "AWS",
            Status.SKIP,
            subject,
            f"could not read it ({code}); the policy from {POLICY_COMMAND} allows iam:GetGroup on it.",
        )
    return CheckResult("AWS", Status.PASS, subject, "exists")


def check_own_permissions(
    settings: Settings, iam_client: BaseClient, caller_arn: str, account: str, partition: str
) -> list[CheckResult]:
    """Ask IAM whether the bot's identity may make every call the bot makes (SKIP when IAM cannot say)."""
    subject = "bot's permissions"
    principal = principal_arn(caller_arn)
    if principal is None:
        return [
            CheckResult(
                "AWS",
                Status.SKIP,
                subject,
                f"IAM cannot simulate policies for {caller_arn}; run the check as the role or user the bot uses.",
            )
        ]
    cases = simulation_cases(settings, account, partition)
    denied: list[str] = []
    excess: list[str] = []
    try:
        for case in cases:
            for action, decision in _simulate(iam_client, principal, case).items():
                allowed = decision == "allowed"
                if case.expect_allowed and not allowed:
                    denied.append(f"{action} on {case.resource} ({decision})")
                elif not case.expect_allowed and allowed:
                    excess.append(f"{action} on {case.resource}")
    except NotImplementedError:  # moto in this process
        return [_simulation_skipped(subject, "this IAM endpoint cannot simulate policies (moto?)")]
    except _AwsErrors as e:
        code = _aws_code(e)
        reason = {
            "AccessDenied": f"the bot's identity may not call iam:SimulatePrincipalPolicy on {principal} (the "
            f"policy from {POLICY_COMMAND} allows it)",
            "NoSuchEntity": f"IAM does not know {principal} (a role with a path?)",
        }.get(code, f"SimulatePrincipalPolicy failed ({code}); this IAM endpoint may not support it")
        return [_simulation_skipped(subject, reason)]
    results = []
    if denied:
        results.append(
            CheckResult(
                "AWS",
                Status.FAIL,
                subject,
                f"{principal} may not make {len(denied)} call(s) the bot makes: {'; '.join(denied)}. Attach the "
                f"policy from {POLICY_COMMAND}.",
            )
        )
    else:
        allowed_count = len({a for c in cases if c.expect_allowed for a in c.actions})
        results.append(
            CheckResult(
                "AWS",
                Status.PASS,
                subject,
                f"IAM's policy simulator allows {principal} all {allowed_count} IAM actions the bot uses",
            )
        )
    if excess:
        results.append(
            CheckResult(
                "AWS",
                Status.WARN,
                "bot's excess permissions",
                f"{principal} can also {'; '.join(excess)} (outside {settings.iam_path}): it holds more than it "
                f"needs. Give it only the policy from {POLICY_COMMAND}.",
            )
        )
    return results


def _simulation_skipped(subject: str, reason: str) -> CheckResult:
    return CheckResult(
        "AWS",
        Status.SKIP,
        subject,
        f"not checked: {reason}. Compare the bot's policy with {POLICY_COMMAND} by hand.",
    )


def _simulate(iam_client: BaseClient, principal: str, case: SimulationCase) -> dict[str, str]:
    context = [
        {
            "ContextKeyName": key,
            "ContextKeyValues": list(value) if isinstance(value, tuple) else [value],
            "ContextKeyType": "stringList" if isinstance(value, tuple) else "string",
        }
        for key, value in case.context.items()
    ]
    params: dict[str, Any] = {"PolicySourceArn": principal, "ActionNames": list(case.actions)}
    if case.resource != "*":
        params["ResourceArns"] = [case.resource]
    if context:
        params["ContextEntries"] = context
    decisions: dict[str, str] = {}
    for page in iam_client.get_paginator("simulate_principal_policy").paginate(**params):
        for result in page["EvaluationResults"]:
            decisions[result["EvalActionName"]] = result["EvalDecision"]
    return decisions


# --- settings that carry risk ----------------------------------------------------------------------


def check_risks(settings: Settings) -> list[CheckResult]:
    """Warnings for settings that work but hand out more power than they seem to."""
    results: list[CheckResult] = []

    def add(status: Status, subject: str, detail: str) -> None:
        results.append(CheckResult("Risk", status, subject, detail))

    results.append(
        CheckResult(
            "AWS",
            Status.PASS,
            "instance",
            f"users are tagged amplify-dev:instance={settings.instance}"
            f"{' (the approval channel: AMPLIFY_DEV_INSTANCE is not set)' if settings.instance == settings.approval_channel else ''}; "
            "the bot changes and deletes only users carrying this value, so another deployment in the account is safe.",
        )
    )
    admin = [arn for arn in settings.policy_arns if arn.rsplit("/", 1)[-1] in ADMIN_EQUIVALENT_POLICIES]
    if admin and not settings.permissions_boundary:
        add(
            Status.WARN,
            "admin-equivalent policy",
            f"{', '.join(a.rsplit('/', 1)[-1] for a in admin)} without a permissions boundary: every developer "
            "gets the power of an account administrator. Set AMPLIFY_DEV_PERMISSIONS_BOUNDARY or choose narrower "
            "AMPLIFY_DEV_POLICY_ARNS.",
        )
    elif admin:
        add(
            Status.PASS,
            "admin-equivalent policy",
            f"{', '.join(a.rsplit('/', 1)[-1] for a in admin)} is capped by the permissions boundary "
            f"{(settings.permissions_boundary or '').rsplit('/', 1)[-1]}",
        )
    if settings.allow_console:
        add(
            Status.WARN,
            "console access",
            "developers may ask for an AWS console password as well as an access key; set "
            "AMPLIFY_DEV_ALLOW_CONSOLE=false if the CLI is enough.",
        )
    if settings.iam_group:
        add(Status.WARN, "group membership", GROUP_LIMIT_NOTE.format(path=settings.iam_path, group=settings.iam_group))
    if getattr(settings, "max_days", None) == 0:
        add(
            Status.WARN,
            "expiry",
            "AMPLIFY_DEV_MAX_DAYS=0 lets access last forever: set a maximum number of days.",
        )
    return results
