"""The statements of the bot's own IAM policy, each with the SimulatePrincipalPolicy questions that test it.

Every statement is scoped to the users the bot makes: under its IAM path, created with its tags (and its
permissions boundary when one is configured), and changed or deleted only while they carry its instance tag.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from iam.expiry import TAG_EXPIRES_AT
from iam.models import TAG_APPROVED_BY, TAG_INSTANCE, TAG_REQUEST, TAG_SLACK_USER
from iam.names import change_password_policy_arn
from ops.policy_signin import (
    SIGNIN_ACTIONS,
    boundary_check_statements,
    signin_attachable,
    signin_statement,
)
from settings import Settings

BOT_TAG_KEYS = (TAG_SLACK_USER, TAG_REQUEST, TAG_APPROVED_BY, TAG_INSTANCE, TAG_EXPIRES_AT)

# The user names the check asks SimulatePrincipalPolicy about; they never exist.
CHECK_USER_NAME = "amplify-dev-check"
CHECK_SLACK_USER = "U0CHECK"


@dataclass(frozen=True)
class SimulationCase:
    """One SimulatePrincipalPolicy question: may the principal call `actions` on `resource` in `context`?"""

    actions: tuple[str, ...]
    resource: str
    context: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    expect_allowed: bool = True  # False: the bot should NOT be able to do this (a sign of excess power)


@dataclass(frozen=True)
class Grant:
    statement: dict[str, Any]
    cases: tuple[SimulationCase, ...] = ()


def attachable_policy_arns(settings: Settings, partition: str) -> list[str]:
    """The policies the bot may attach: the configured ones, plus IAMUserChangePassword when console is allowed."""
    arns = list(settings.policy_arns)
    if settings.allow_console:
        arns.append(change_password_policy_arn(partition))
    arns.extend(signin_attachable(settings, partition))
    return list(dict.fromkeys(arns))


def group_arns(group: str, account_id: str, partition: str) -> list[str]:
    """ARNs matching the configured group whatever its path (group names are unique in an account)."""
    return [
        f"arn:{partition}:iam::{account_id}:group/{group}",
        f"arn:{partition}:iam::{account_id}:group/*/{group}",
    ]


def _merge(*conditions: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """One Condition block from several: keys of the same operator are combined, never overwritten."""
    merged: dict[str, dict[str, Any]] = {}
    for condition in conditions:
        for operator, keys in condition.items():
            merged.setdefault(operator, {}).update(keys)
    return merged


def grants(settings: Settings, account_id: str, partition: str, principal: str | None = None) -> list[Grant]:
    iam_arn = f"arn:{partition}:iam::{account_id}"
    users = f"{iam_arn}:user{settings.iam_path}*"
    sample_user = f"{iam_arn}:user{settings.iam_path}{CHECK_USER_NAME}"
    # Every change is conditioned on this deployment's instance tag: another deployment's users (same account,
    # same path) are out of reach even if this bot's own code went wrong.
    owned_tag = f"aws:ResourceTag/{TAG_INSTANCE}"
    owned = {"StringEquals": {owned_tag: settings.instance}}
    owned_context: dict[str, str | tuple[str, ...]] = {owned_tag: settings.instance}
    boundary = settings.permissions_boundary
    with_boundary = {"ArnEquals": {"iam:PermissionsBoundary": boundary}} if boundary else {}
    boundary_context: dict[str, str | tuple[str, ...]] = {"iam:PermissionsBoundary": boundary} if boundary else {}
    creation_tags = BOT_TAG_KEYS  # the expiry tag is written at creation too
    creation_context: dict[str, str | tuple[str, ...]] = {
        **{f"aws:RequestTag/{key}": CHECK_SLACK_USER for key in creation_tags},
        f"aws:RequestTag/{TAG_INSTANCE}": settings.instance,
        "aws:TagKeys": creation_tags,
    }
    creation_conditions = {
        "Null": {f"aws:RequestTag/{TAG_SLACK_USER}": "false"},
        "StringEquals": {f"aws:RequestTag/{TAG_INSTANCE}": settings.instance},
        "ForAllValues:StringEquals": {"aws:TagKeys": list(BOT_TAG_KEYS)},
    }
    adoption_context: dict[str, str | tuple[str, ...]] = {
        f"iam:ResourceTag/{TAG_SLACK_USER}": CHECK_SLACK_USER,
        f"aws:RequestTag/{TAG_INSTANCE}": settings.instance,
        "aws:TagKeys": (TAG_INSTANCE,),
    }
    attachable = attachable_policy_arns(settings, partition)

    manage_actions = [
        "iam:DeleteUser",
        "iam:CreateAccessKey",
        "iam:DeleteAccessKey",
        "iam:DeleteLoginProfile",
        "iam:DeleteSigningCertificate",
        "iam:DeleteSSHPublicKey",
        "iam:DeleteServiceSpecificCredential",
        "iam:DeactivateMFADevice",
        # Removing what a user holds only ever reduces it; attaching is the escalation, restricted below.
        "iam:DetachUserPolicy",
        "iam:DeleteUserPolicy",
    ]
    if settings.allow_console:
        manage_actions.insert(3, "iam:CreateLoginProfile")
    if settings.signs_in:
        # No flow creates an access key in sign-in; without the grant, a bug cannot create one either.
        manage_actions.remove("iam:CreateAccessKey")
        # `rotate` sets a new temporary password on the user's own login profile (forced reset).
        manage_actions.insert(manage_actions.index("iam:DeleteLoginProfile"), "iam:UpdateLoginProfile")
    list_actions = [
        "iam:GetAccessKeyLastUsed",  # the access review: when each key was last used
        "iam:ListAccessKeys",
        "iam:ListAttachedUserPolicies",
        "iam:ListGroupsForUser",
        "iam:ListMFADevices",
        "iam:ListServiceSpecificCredentials",
        "iam:ListSigningCertificates",
        "iam:ListSSHPublicKeys",
        "iam:ListUserPolicies",
    ]
    checked_policies = list(dict.fromkeys([*attachable, *([boundary] if boundary else [])]))

    grants = [
        Grant(
            {
                "Sid": "ReadAccountSettings",
                "Effect": "Allow",
                # These calls take no resource: IAM only accepts "*" for them. All are read-only; ListUsers is
                # asked only for the bot's path (PathPrefix), to find its users' expiry.
                "Action": [
                    "iam:GetAccountPasswordPolicy",
                    "iam:ListAccountAliases",
                    "iam:ListUsers",
                    "sts:GetCallerIdentity",
                ],
                "Resource": "*",
            },
            (SimulationCase(("iam:GetAccountPasswordPolicy", "iam:ListAccountAliases", "iam:ListUsers"), "*"),),
        ),
        Grant(
            {
                "Sid": "ReadAnyUserToRecogniseOwnUsers",
                "Effect": "Allow",
                # Read-only, on every user: a name taken by someone else's user must read as "not ours"
                # (and a deleted one as NoSuchEntity), not as AccessDenied, for the bot to leave it alone.
                "Action": ["iam:GetUser", "iam:ListUserTags"],
                "Resource": f"{iam_arn}:user/*",
            },
            (SimulationCase(("iam:GetUser", "iam:ListUserTags"), f"{iam_arn}:user/{CHECK_USER_NAME}"),),
        ),
        Grant(
            {
                "Sid": "CreateUsersOnlyUnderPathWithTags" + ("AndBoundary" if boundary else ""),
                "Effect": "Allow",
                "Action": "iam:CreateUser",
                "Resource": users,
                "Condition": _merge(creation_conditions, with_boundary),
            },
            (SimulationCase(("iam:CreateUser",), sample_user, {**creation_context, **boundary_context}),),
        ),
        Grant(
            {
                "Sid": "TagAtCreationOnlyWithBotTags",
                "Effect": "Allow",
                # CreateUser with Tags is also authorized as TagUser.
                "Action": "iam:TagUser",
                "Resource": users,
                "Condition": creation_conditions,
            },
            (SimulationCase(("iam:TagUser",), sample_user, creation_context),),
        ),
        Grant(
            {
                "Sid": "SetOrClearExpiryTag",
                "Effect": "Allow",
                "Action": ["iam:TagUser", "iam:UntagUser"],
                "Resource": users,
                "Condition": _merge(owned, {"ForAllValues:StringEquals": {"aws:TagKeys": [TAG_EXPIRES_AT]}}),
            },
            (
                SimulationCase(
                    ("iam:TagUser", "iam:UntagUser"),
                    sample_user,
                    {
                        **owned_context,
                        f"aws:RequestTag/{TAG_EXPIRES_AT}": "2030-01-01",
                        "aws:TagKeys": (TAG_EXPIRES_AT,),
                    },
                ),
            ),
        ),
        Grant(
            {
                "Sid": "AdoptOwnLegacyUsers",
                "Effect": "Allow",
                # Users an earlier release made carry the bot's tags but no instance tag: the bot may add its
                # own instance tag to such a user (only when its store holds the user's request), nothing else.
                "Action": "iam:TagUser",
                "Resource": users,
                "Condition": {
                    "Null": {f"aws:ResourceTag/{TAG_INSTANCE}": "true", f"iam:ResourceTag/{TAG_SLACK_USER}": "false"},
                    "StringEquals": {f"aws:RequestTag/{TAG_INSTANCE}": settings.instance},
                    "ForAllValues:StringEquals": {"aws:TagKeys": [TAG_INSTANCE]},
                },
            },
            (SimulationCase(("iam:TagUser",), sample_user, adoption_context),),
        ),
        Grant(
            {
                "Sid": "ManageAndDeleteOnlyOwnUsers",
                "Effect": "Allow",
                # Listing what a user holds is read-only, but only the bot's own users need it.
                "Action": [*list_actions, *manage_actions],
                "Resource": users,
                "Condition": owned,
            },
            (SimulationCase((*list_actions, *manage_actions), sample_user, owned_context),),
        ),
        Grant(
            {
                "Sid": "AttachOnlyConfiguredPolicies",
                "Effect": "Allow",
                "Action": "iam:AttachUserPolicy",
                "Resource": users,
                "Condition": _merge(owned, {"ArnEquals": {"iam:PolicyARN": attachable}}, with_boundary),
            },
            tuple(
                SimulationCase(
                    ("iam:AttachUserPolicy",), sample_user, {**owned_context, **boundary_context, "iam:PolicyARN": arn}
                )
                for arn in attachable
            ),
        ),
        Grant(
            {
                # The inline expiry policy (iam.expiry.EXPIRY_POLICY_NAME); IAM has no condition key for its name.
                "Sid": "PutExpiryPolicyOnOwnUsers",
                "Effect": "Allow",
                "Action": "iam:PutUserPolicy",
                "Resource": users,
                "Condition": _merge(owned, with_boundary),
            },
            (SimulationCase(("iam:PutUserPolicy",), sample_user, {**owned_context, **boundary_context}),),
        ),
        Grant(
            {
                "Sid": "DeleteRemovedUsersMFA",
                "Effect": "Allow",
                # A device's name is the user's choice, so no narrower pattern exists. IAM refuses to delete a
                # device that is still assigned to a user, and the bot deactivates only its own users' devices.
                "Action": "iam:DeleteVirtualMFADevice",
                "Resource": f"{iam_arn}:mfa/*",
            },
            (SimulationCase(("iam:DeleteVirtualMFADevice",), f"{iam_arn}:mfa/{CHECK_USER_NAME}"),),
        ),
        Grant(
            {
                "Sid": "CheckConfiguredPoliciesExist",
                "Effect": "Allow",
                # Read-only metadata; by pattern, so ten long policy ARNs do not push the policy past IAM's size limit.
                "Action": "iam:GetPolicy",
                "Resource": [f"arn:{partition}:iam::aws:policy/*", f"{iam_arn}:policy/*"],
            },
            tuple(SimulationCase(("iam:GetPolicy",), arn) for arn in checked_policies),
        ),
    ]
    if settings.signs_in:
        grants.append(Grant(signin_statement(), (SimulationCase(SIGNIN_ACTIONS, "*"),)))
        if boundary:
            read, simulate = boundary_check_statements(boundary)
            grants.append(Grant(read, (SimulationCase(("iam:GetPolicyVersion",), boundary),)))
            grants.append(Grant(simulate, (SimulationCase(("iam:SimulateCustomPolicy",), "*"),)))
    if principal:
        grants.append(
            Grant(
                {
                    "Sid": "CheckOwnPermissions",
                    "Effect": "Allow",
                    # `python bot.py check` asks IAM whether the bot's own identity may make each call above;
                    # asking about any other user or role would let it map everyone's permissions.
                    "Action": "iam:SimulatePrincipalPolicy",
                    "Resource": principal,
                },
            )
        )
    if settings.iam_group:
        groups = group_arns(settings.iam_group, account_id, partition)
        grants.append(
            Grant(
                {
                    "Sid": "OnlyTheConfiguredGroup",
                    "Effect": "Allow",
                    "Action": ["iam:AddUserToGroup", "iam:RemoveUserFromGroup", "iam:GetGroup"],
                    "Resource": groups,
                },
                (SimulationCase(("iam:AddUserToGroup", "iam:RemoveUserFromGroup", "iam:GetGroup"), groups[0]),),
            )
        )

    from ops.policy_sandboxes import sandbox_report_grants  # it builds on Grant, defined here

    grants.extend(sandbox_report_grants(settings, account_id, partition))
    # Explicit denies hold even if someone later attaches broader rights to the bot's identity.
    grants.append(
        Grant(
            {
                "Sid": "NeverRemoveABoundary",
                "Effect": "Deny",
                "Action": "iam:DeleteUserPermissionsBoundary",
                "Resource": "*",
            }
        )
    )
    never_set_other_boundary: dict[str, Any] = {
        "Sid": "NeverSetAnotherBoundary" if boundary else "NeverSetABoundary",
        "Effect": "Deny",
        "Action": "iam:PutUserPermissionsBoundary",
        "Resource": "*",
    }
    if boundary:
        never_set_other_boundary["Condition"] = {"ArnNotEquals": {"iam:PermissionsBoundary": boundary}}
    grants.append(Grant(never_set_other_boundary))
    return grants
