"""Account assignments: create and delete them (asynchronous at AWS: polled, bounded), list them, read the
permission set. Every function takes its boto3 client; nothing here knows about Slack or the store."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .errors import AssignmentTimedOut, IdentityCenterError, from_aws
from .models import Assignment, PermissionSet, Target

_AwsError = (ClientError, BotoCoreError)
POLL_SECONDS = 1.0
POLL_ATTEMPTS = 60  # CreateAccountAssignment usually finishes in seconds; a minute is the bound
_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$")


def _poll(describe: Callable[[], dict[str, Any]], step: str, *, sleep: Callable[[float], None], attempts: int) -> None:
    for attempt in range(attempts):
        try:
            status = describe()
        except _AwsError as exc:
            raise from_aws(step, exc) from None
        state = status.get("Status")
        if state == "SUCCEEDED":
            return
        if state == "FAILED":
            # FailureReason is AWS's prose; keep it out of our messages (it may name principals).
            raise IdentityCenterError(step, "FAILED")
        if attempt + 1 < attempts:
            sleep(POLL_SECONDS)
    raise AssignmentTimedOut(step, "Timeout", detail=f"still IN_PROGRESS after {attempts} checks")


def _params(target: Target, user_id: str) -> dict[str, str]:
    return {
        "InstanceArn": target.instance_arn,
        "TargetId": target.account_id,
        "TargetType": "AWS_ACCOUNT",
        "PermissionSetArn": target.permission_set_arn,
        "PrincipalType": "USER",
        "PrincipalId": user_id,
    }


@dataclass(frozen=True)
class Poll:
    """How to wait for Identity Center to finish a request: a bounded number of checks, `sleep` between them."""

    sleep: Callable[[float], None] = time.sleep
    attempts: int = POLL_ATTEMPTS


DEFAULT_POLL = Poll()


def create_assignment(sso_admin: Any, target: Target, user_id: str, *, poll: Poll = Poll()) -> None:
    """Assign the permission set in the account to the user and wait (bounded) until AWS reports it done."""
    try:
        started = sso_admin.create_account_assignment(**_params(target, user_id))["AccountAssignmentCreationStatus"]
    except _AwsError as exc:
        raise from_aws("CreateAccountAssignment", exc) from None
    _wait(sso_admin, target, started, "Creation", poll)


def delete_assignment(sso_admin: Any, target: Target, user_id: str, *, poll: Poll = Poll()) -> None:
    """Delete the user's assignment and wait (bounded) until AWS reports it gone; already gone is success."""
    try:
        started = sso_admin.delete_account_assignment(**_params(target, user_id))["AccountAssignmentDeletionStatus"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return
        raise from_aws("DeleteAccountAssignment", exc) from None
    except BotoCoreError as exc:
        raise from_aws("DeleteAccountAssignment", exc) from None
    _wait(sso_admin, target, started, "Deletion", poll)


def _wait(sso_admin: Any, target: Target, started: dict[str, Any], kind: str, poll: Poll) -> None:
    """Poll DescribeAccountAssignment{kind}Status until AWS reports the request done (Creation or Deletion)."""
    if started.get("Status") == "SUCCEEDED":
        return
    operation = f"DescribeAccountAssignment{kind}Status"
    describe = getattr(sso_admin, f"describe_account_assignment_{kind.lower()}_status")
    request_id = started["RequestId"]
    _poll(
        lambda: describe(**{"InstanceArn": target.instance_arn, f"AccountAssignment{kind}RequestId": request_id})[
            f"AccountAssignment{kind}Status"
        ],
        operation,
        sleep=poll.sleep,
        attempts=poll.attempts,
    )


def list_assignments(sso_admin: Any, target: Target) -> list[Assignment]:
    """Every assignment of the target's permission set in its account (users and groups), without duplicates."""
    found: dict[tuple[str, str], Assignment] = {}
    kwargs: dict[str, Any] = {
        "InstanceArn": target.instance_arn,
        "AccountId": target.account_id,
        "PermissionSetArn": target.permission_set_arn,
    }
    try:
        while True:
            page = sso_admin.list_account_assignments(**kwargs)
            for item in page.get("AccountAssignments") or []:
                if item.get("PermissionSetArn", target.permission_set_arn) != target.permission_set_arn:
                    continue
                key = (item["PrincipalType"], item["PrincipalId"])
                found[key] = Assignment(*key)
            if not page.get("NextToken"):
                break
            kwargs["NextToken"] = page["NextToken"]
    except _AwsError as exc:
        raise from_aws("ListAccountAssignments", exc) from None
    return list(found.values())


def user_group_ids(identitystore: Any, identity_store_id: str, user_id: str) -> set[str]:
    """The groups the user is a member of (to see whether a group already grants the assignment)."""
    groups: set[str] = set()
    kwargs: dict[str, Any] = {"IdentityStoreId": identity_store_id, "MemberId": {"UserId": user_id}}
    try:
        while True:
            page = identitystore.list_group_memberships_for_member(**kwargs)
            groups.update(m["GroupId"] for m in page.get("GroupMemberships") or [] if m.get("GroupId"))
            if not page.get("NextToken"):
                return groups
            kwargs["NextToken"] = page["NextToken"]
    except _AwsError as exc:
        raise from_aws("ListGroupMembershipsForMember", exc) from None


def describe_permission_set(sso_admin: Any, instance_arn: str, permission_set_arn: str) -> PermissionSet:
    """The permission set's name (the role name `aws configure sso` lists) and session duration."""
    try:
        found = sso_admin.describe_permission_set(InstanceArn=instance_arn, PermissionSetArn=permission_set_arn)[
            "PermissionSet"
        ]
    except _AwsError as exc:
        raise from_aws("DescribePermissionSet", exc) from None
    return PermissionSet(
        arn=permission_set_arn,
        name=str(found.get("Name") or ""),
        session_duration=parse_duration(found.get("SessionDuration") or "PT1H"),
    )


def parse_duration(text: str) -> timedelta:
    """An ISO 8601 duration as Identity Center writes session durations (PT8H, PT12H, PT1H30M)."""
    match = _DURATION.match(text)
    if not match or not any(match.groups()):
        return timedelta(hours=1)  # Identity Center's default
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)
