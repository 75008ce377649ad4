"""Creating a developer's IAM user: tagged under the bot's path, expiry first, then access; undone on failure."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from botocore.client import BaseClient

from ._aws import AWS_ERRORS, collect
from .errors import (
    IamError,
    UserNameTaken,
    error_code,
    is_no_such_entity,
    outcome_unknown,
)
from .expiry import EXPIRY_POLICY_NAME, TAG_EXPIRES_AT, format_expiry, put_expiry_policy
from .models import (
    TAG_APPROVED_BY,
    TAG_INSTANCE,
    TAG_PROJECT,
    TAG_REQUEST,
    TAG_SLACK_USER,
    ManagedUser,
    ProvisionSpec,
)
from .names import change_password_policy_arn, is_valid_path, is_valid_user_name, partition_from_arn
from .signin import signin_policy_arn
from .users import adopt_user, read_user_tags

logger = logging.getLogger(__name__)

_UndoStep = tuple[str, Callable[[], object]]


def create_developer_user(iam: BaseClient, spec: ProvisionSpec, *, sign_in: bool = False) -> ManagedUser:
    """Create the tagged user, add it to its group, attach its policies; undo this call's work on failure.

    `sign_in` (AMPLIFY_DEV_CREDENTIALS=sign-in): also attach SignInLocalDevelopmentAccess (what `aws login` needs)
    and IAMUserChangePassword (the first console sign-in forces a new password), whatever `spec.console` says.
    """
    _check_spec(spec)
    tags = {
        TAG_SLACK_USER: spec.slack_user_id,
        TAG_REQUEST: spec.request_id,
        TAG_APPROVED_BY: spec.approved_by,
        TAG_INSTANCE: spec.instance,
    }
    if spec.project:
        tags[TAG_PROJECT] = spec.project
    if spec.expires_at is not None:
        tags[TAG_EXPIRES_AT] = format_expiry(spec.expires_at)
    params: dict[str, Any] = {
        "UserName": spec.user_name,
        "Path": spec.path,
        "Tags": [{"Key": key, "Value": value} for key, value in tags.items()],
    }
    if spec.permissions_boundary:
        params["PermissionsBoundary"] = spec.permissions_boundary
    try:
        user = iam.create_user(**params)["User"]
    except AWS_ERRORS as exc:
        if error_code(exc) == "EntityAlreadyExists":
            return _resume_provisioning(iam, spec, sign_in=sign_in)
        # If the request may have gone through, the user may exist; a retry with the same request id
        # resumes it rather than failing with UserNameTaken.
        raise IamError("CreateUser", error_code(exc), rolled_back=not outcome_unknown(exc)) from None

    undo: list[_UndoStep] = [("DeleteUser", partial(iam.delete_user, UserName=spec.user_name))]
    _limit_in_time(iam, spec, undo)
    _grant_access(iam, spec, partition_from_arn(user["Arn"]), undo, sign_in=sign_in)
    logger.info("Created IAM user %s", spec.user_name)
    return ManagedUser(
        user_name=user["UserName"], arn=user["Arn"], path=user["Path"], tags=tags, user_id=user.get("UserId")
    )


def _check_spec(spec: ProvisionSpec) -> None:
    # moto accepts names and paths real IAM rejects, so tests would not catch a bad one: refuse it here.
    if not is_valid_user_name(spec.user_name):
        raise ValueError("invalid IAM user name")
    if not is_valid_path(spec.path):
        raise ValueError("invalid IAM path")
    if not spec.instance:
        raise ValueError("no instance to tag the user with")


def _resume_provisioning(iam: BaseClient, spec: ProvisionSpec, *, sign_in: bool) -> ManagedUser:
    """Continue a provisioning that crashed after CreateUser, or refuse a name that is not ours."""
    try:
        user = iam.get_user(UserName=spec.user_name)["User"]
    except AWS_ERRORS as exc:
        raise IamError("GetUser", error_code(exc)) from None
    tags = read_user_tags(iam, spec.user_name)
    # The request id tag is written atomically with CreateUser (as is the permissions boundary), so a user
    # carrying it under our path can only have come from an earlier attempt at this very request.
    ours = (
        user["UserName"] == spec.user_name
        and user["Path"] == spec.path
        and tags.get(TAG_REQUEST) == spec.request_id
        and tags.get(TAG_SLACK_USER) == spec.slack_user_id
        and tags.get(TAG_INSTANCE, spec.instance) == spec.instance
    )
    if not ours:
        raise UserNameTaken(
            "CreateUser",
            "EntityAlreadyExists",
            detail="the name belongs to a user not created for this request",
        )
    if TAG_INSTANCE not in tags:  # an attempt by a release from before instance tags: this request's, so ours
        tags = adopt_user(iam, spec.user_name, spec.owner, tags)
    try:
        groups = {
            group["GroupName"] for group in collect(iam, "list_groups_for_user", "Groups", UserName=spec.user_name)
        }
    except AWS_ERRORS as exc:
        raise IamError("ListGroupsForUser", error_code(exc)) from None
    try:
        attached = {
            p["PolicyArn"]
            for p in collect(iam, "list_attached_user_policies", "AttachedPolicies", UserName=spec.user_name)
        }
    except AWS_ERRORS as exc:
        raise IamError("ListAttachedUserPolicies", error_code(exc)) from None
    # The user, and whatever the earlier attempt attached, belong to that attempt: only undo our own work.
    try:
        _limit_in_time(iam, spec, [])
        _grant_access(
            iam,
            spec,
            partition_from_arn(user["Arn"]),
            [],
            existing_groups=groups,
            existing_policies=attached,
            sign_in=sign_in,
        )
    except IamError as exc:
        # The earlier attempt's user (and what it attached) is still there: nothing was rolled back.
        raise IamError(exc.step, exc.code, rolled_back=False) from None
    logger.info("Created IAM user %s (resumed)", spec.user_name)
    return ManagedUser(
        user_name=user["UserName"], arn=user["Arn"], path=user["Path"], tags=tags, user_id=user.get("UserId")
    )


def _limit_in_time(iam: BaseClient, spec: ProvisionSpec, undo: list[_UndoStep]) -> None:
    """Put the expiry deny policy on before any permission is granted, so the user never outlives it."""
    if spec.expires_at is None:
        return
    try:
        put_expiry_policy(iam, spec.user_name, spec.expires_at)
    except IamError as exc:
        rolled_back = _roll_back(spec.user_name, undo)
        raise IamError("PutUserPolicy", exc.code, rolled_back=rolled_back) from None
    undo.append(
        ("DeleteUserPolicy", partial(iam.delete_user_policy, UserName=spec.user_name, PolicyName=EXPIRY_POLICY_NAME))
    )


def _grant_access(
    iam: BaseClient,
    spec: ProvisionSpec,
    partition: str,
    undo: list[_UndoStep],
    *,
    existing_groups: set[str] | frozenset[str] = frozenset(),
    existing_policies: set[str] | frozenset[str] = frozenset(),
    sign_in: bool = False,
) -> None:
    policy_arns = list(spec.policy_arns)
    if spec.console or sign_in:
        # A console user created with a forced password reset cannot set a new one without this policy.
        policy_arns.append(change_password_policy_arn(partition))
    if sign_in:
        policy_arns.append(signin_policy_arn(partition))
    steps: list[tuple[str, Callable[[], object], _UndoStep]] = []
    if spec.group and spec.group not in existing_groups:
        steps.append(
            (
                "AddUserToGroup",
                partial(iam.add_user_to_group, GroupName=spec.group, UserName=spec.user_name),
                (
                    "RemoveUserFromGroup",
                    partial(iam.remove_user_from_group, GroupName=spec.group, UserName=spec.user_name),
                ),
            )
        )
    for arn in dict.fromkeys(policy_arns):
        if arn in existing_policies:
            continue
        steps.append(
            (
                "AttachUserPolicy",
                partial(iam.attach_user_policy, UserName=spec.user_name, PolicyArn=arn),
                ("DetachUserPolicy", partial(iam.detach_user_policy, UserName=spec.user_name, PolicyArn=arn)),
            )
        )
    for step, action, undo_step in steps:
        try:
            action()
        except AWS_ERRORS as exc:
            if outcome_unknown(exc):
                undo.append(undo_step)
            rolled_back = _roll_back(spec.user_name, undo)
            raise IamError(step, error_code(exc), rolled_back=rolled_back) from None
        undo.append(undo_step)


def _roll_back(user_name: str, undo: list[_UndoStep]) -> bool:
    """Run the undo steps newest first; return True if all of them succeeded."""
    complete = True
    for step, action in reversed(undo):
        if step == "DeleteUser" and not complete:
            # IAM refuses to delete a user that still has a policy or group (DeleteConflict).
            continue
        try:
            action()
        except AWS_ERRORS as exc:
            if is_no_such_entity(exc):
                continue
            complete = False
            logger.warning("Rollback of IAM user %s incomplete: %s failed: %s", user_name, step, error_code(exc))
    return complete
