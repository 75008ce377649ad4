"""The least-privilege policy for AMPLIFY_DEV_MODE=identity-center: nothing of the IAM-user mode.

Assignment create/delete/describe on the one instance, permission set and account; Identity Store look-ups (user
creation only with AMPLIFY_DEV_SSO_CREATE_USERS); and the IAM actions AWS documents for a caller that provisions
an assignment (the IAM Identity Center User Guide's "Allow a user to manage permissions to AWS accounts" example:
the roles Identity Center creates under aws-reserved/sso.amazonaws.com/ and its SAML provider), scoped to the
account the bot assigns in instead of every account.
"""

from __future__ import annotations

from typing import Any

from ops.policy_sandboxes import sandbox_report_statements
from settings import IdentityCenterSettings, Settings


def instance_arn(config: IdentityCenterSettings, partition: str) -> str:
    """The configured instance, else the one the permission set belongs to (its ARN names it)."""
    if config.instance_arn:
        return config.instance_arn
    return f"arn:{partition}:sso:::instance/{config.permission_set_arn.split('/')[-2]}"


def identity_center_policy(settings: Settings, account_id: str, partition: str = "aws") -> dict[str, Any]:
    """The bot's policy in Identity Center mode; `account_id`: the bot's own (AMPLIFY_DEV_ACCOUNT_ID's default)."""
    config = settings.identity_center
    assert config is not None
    target = config.account_id or account_id
    instance = instance_arn(config, partition)
    assignment = [instance, config.permission_set_arn, f"arn:{partition}:sso:::account/{target}"]
    # The Identity Store lives in the account that owns the instance: the bot's own unless configured apart.
    store = f"arn:{partition}:identitystore::{account_id}:identitystore/{config.identity_store_id or '*'}"
    store_actions = [
        "identitystore:DescribeUser",
        "identitystore:GetUserId",
        "identitystore:ListGroupMembershipsForMember",
    ]
    statements: list[dict[str, Any]] = [
        {"Sid": "FindTheInstance", "Effect": "Allow", "Action": "sso:ListInstances", "Resource": "*"},
        {
            "Sid": "ReadThePermissionSet",
            "Effect": "Allow",
            "Action": "sso:DescribePermissionSet",
            "Resource": [instance, config.permission_set_arn],
        },
        {
            "Sid": "AssignOnlyThisPermissionSetInThisAccount",
            "Effect": "Allow",
            "Action": ["sso:CreateAccountAssignment", "sso:DeleteAccountAssignment", "sso:ListAccountAssignments"],
            "Resource": assignment,
        },
        {
            "Sid": "WaitForAssignments",
            "Effect": "Allow",
            "Action": [
                "sso:DescribeAccountAssignmentCreationStatus",
                "sso:DescribeAccountAssignmentDeletionStatus",
            ],
            "Resource": instance,
        },
        {
            "Sid": "MatchDevelopersByEmail",
            "Effect": "Allow",
            "Action": sorted(store_actions),
            "Resource": [
                store,
                f"arn:{partition}:identitystore:::user/*",
                f"arn:{partition}:identitystore:::membership/*",
            ],
        },
    ]
    if config.create_users:
        statements.append(
            {"Sid": "CreateMissingUsers", "Effect": "Allow", "Action": "identitystore:CreateUser", "Resource": store}
        )
    statements += [
        {
            "Sid": "IdentityCenterProvisionedRoles",
            "Effect": "Allow",
            "Action": [
                "iam:AttachRolePolicy",
                "iam:CreateRole",
                "iam:DeleteRole",
                "iam:DeleteRolePolicy",
                "iam:DetachRolePolicy",
                "iam:GetRole",
                "iam:ListAttachedRolePolicies",
                "iam:ListRolePolicies",
                "iam:PutRolePolicy",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
            ],
            "Resource": f"arn:{partition}:iam::{target}:role/aws-reserved/sso.amazonaws.com/*",
        },
        {
            "Sid": "IdentityCenterSamlProvider",
            "Effect": "Allow",
            "Action": "iam:GetSAMLProvider",
            "Resource": f"arn:{partition}:iam::{target}:saml-provider/AWSSSO_*_DO_NOT_DELETE",
        },
        {
            "Sid": "IdentityCenterListing",
            "Effect": "Allow",
            "Action": ["iam:ListPolicies", "iam:ListRoles"],
            "Resource": "*",
        },
    ]
    # The stacks are read with the bot's own credentials (or a project's role), so in its own account.
    statements += sandbox_report_statements(settings, account_id, partition)
    return {"Version": "2012-10-17", "Statement": statements}
