"""The AWS half of the check in the IAM-user mode: whose credentials these are, and that what the settings name
exists. (Whether the bot may do its job is `permissions.py`.)"""

from __future__ import annotations

from botocore.client import BaseClient

from iam.names import account_id_from_arn, change_password_policy_arn, is_valid_path, partition_from_arn
from ops.aws import default_region
from ops.check.hints import Refused, attempt
from ops.check.permissions import check_own_permissions
from ops.check.results import POLICY_COMMAND, CheckResult, Status
from ops.check.signin import check_login_allowed_by_boundary
from ops.policy_signin import signin_attachable
from settings import Settings

AREA = "AWS"


def check_aws(settings: Settings, iam_client: BaseClient, sts: BaseClient) -> list[CheckResult]:
    """Whose credentials these are, that what the settings name exists, and that the bot may do its job."""
    caller = attempt(AREA, "credentials", "sts:GetCallerIdentity", lambda: sts.get_caller_identity()["Arn"])
    if isinstance(caller, Refused):
        return caller.lines
    results: list[CheckResult] = []

    def add(status: Status, subject: str, detail: str) -> None:
        results.append(CheckResult(AREA, status, subject, detail))

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
    policies.extend(signin_attachable(settings, partition))
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
    # IAM's own client is global (aws-global); `aws login` happens in the project's region.
    region = settings.region or default_region()
    results.extend(
        check_login_allowed_by_boundary(settings, iam_client, partition=partition, region=region, account=account)
    )
    results.extend(check_own_permissions(settings, iam_client, caller, account, partition))
    return results


def _check_policy(iam_client: BaseClient, arn: str, account: str, kind: str, setting: str) -> CheckResult:
    subject = f"{kind} {arn.rsplit('/', 1)[-1]}"
    policy_account = arn.split(":")[4]
    if policy_account not in ("aws", account):
        return CheckResult(
            AREA,
            Status.FAIL,
            subject,
            f"{arn} belongs to account {policy_account}, not {account}: IAM only attaches policies of the same "
            f"account (or AWS managed ones). Fix {setting}.",
        )
    policy = attempt(
        AREA, subject, "iam:GetPolicy", lambda: iam_client.get_policy(PolicyArn=arn)["Policy"], arn=arn, setting=setting
    )
    if isinstance(policy, Refused):
        return policy.line
    if policy.get("IsAttachable") is False:
        return CheckResult(AREA, Status.FAIL, subject, f"{arn} exists but cannot be attached to users: fix {setting}.")
    return CheckResult(AREA, Status.PASS, subject, f"{arn} exists")


def _check_group(iam_client: BaseClient, group: str) -> CheckResult:
    subject = f"group {group}"
    found = attempt(AREA, subject, "iam:GetGroup", lambda: iam_client.get_group(GroupName=group, MaxItems=1))
    if isinstance(found, Refused):
        return found.line
    return CheckResult(AREA, Status.PASS, subject, "exists")
