"""`policy` and `check` in Identity Center mode, and the settings that turn it on."""

from __future__ import annotations

import io
import json

import parliament
import pytest

from ops.policy import bot_policy
from ops.policy_command import run_policy
from settings import SettingsError
from tests.ops.test_policy import ACCOUNT, BOT_ROLE, settings_with, unaccepted_findings

# AWS's documented role actions for a caller that provisions assignments (IAM Identity Center User Guide, "Allow a
# user to manage permissions to AWS accounts"): parliament's community auditor calls them permissions management,
# which they are; the policy scopes them to the roles Identity Center itself creates under aws-reserved/.
DOCUMENTED_ROLE_ACTIONS = {
    "iam:attachrolepolicy",
    "iam:createrole",
    "iam:deleterole",
    "iam:deleterolepolicy",
    "iam:detachrolepolicy",
    "iam:putrolepolicy",
    "iam:updaterole",
    "iam:updateroledescription",
}


def ic_unaccepted_findings(policy: dict) -> list[str]:
    analysed = parliament.analyze_policy_string(json.dumps(policy), include_community_auditors=True)
    documented = [
        repr(f)
        for f in analysed.findings
        if f.issue == "PERMISSIONS_MANAGEMENT_ACTIONS" and set(f.location["actions"]) <= DOCUMENTED_ROLE_ACTIONS
    ]
    return [f for f in unaccepted_findings(policy) if f not in documented]


PS = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef"
IC = {
    "AMPLIFY_DEV_MODE": "identity-center",
    "AMPLIFY_DEV_PERMISSION_SET_ARN": PS,
    "AMPLIFY_DEV_SSO_START_URL": "https://example.awsapps.com/start",
}


def actions(policy: dict) -> set[str]:
    found: set[str] = set()
    for statement in policy["Statement"]:
        found.update([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    return found


@pytest.mark.parametrize("create_users", ["false", "true"])
def test_identity_center_policy_passes_parliament_and_holds_nothing_of_the_iam_user_mode(create_users: str) -> None:
    policy = bot_policy(settings_with(**IC, AMPLIFY_DEV_SSO_CREATE_USERS=create_users), ACCOUNT, principal=BOT_ROLE)
    assert ic_unaccepted_findings(policy) == []
    granted = actions(policy)
    assert {"sso:CreateAccountAssignment", "sso:DeleteAccountAssignment", "sso:ListAccountAssignments"} <= granted
    assert {"identitystore:GetUserId", "identitystore:DescribeUser", "sso:ListInstances"} <= granted
    assert ("identitystore:CreateUser" in granted) == (create_users == "true")
    assert not {"iam:CreateUser", "iam:CreateAccessKey", "iam:DeleteUser", "iam:TagUser"} & granted
    assign = next(s for s in policy["Statement"] if "sso:CreateAccountAssignment" in s["Action"])
    assert assign["Resource"] == [
        "arn:aws:sso:::instance/ssoins-1234567890abcdef",
        PS,
        f"arn:aws:sso:::account/{ACCOUNT}",
    ]
    roles = next(s for s in policy["Statement"] if "iam:CreateRole" in s["Action"])
    assert roles["Resource"] == f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/*"


def test_policy_command_prints_the_identity_center_policy() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run_policy(settings_with(**IC, AMPLIFY_DEV_ACCOUNT_ID="210987654321"), out, principal=BOT_ROLE, err=err) == 0
    policy = json.loads(out.getvalue())
    assert "arn:aws:sso:::account/210987654321" in json.dumps(policy)
    assert "sweep deletes it" in err.getvalue()


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"AMPLIFY_DEV_MODE": "sso"}, "AMPLIFY_DEV_MODE"),
        ({**IC, "AMPLIFY_DEV_PERMISSION_SET_ARN": ""}, "AMPLIFY_DEV_PERMISSION_SET_ARN"),
        ({**IC, "AMPLIFY_DEV_SSO_START_URL": "example.awsapps.com"}, "AMPLIFY_DEV_SSO_START_URL"),
        ({**IC, "AMPLIFY_DEV_ACCOUNT_ID": "12345"}, "AMPLIFY_DEV_ACCOUNT_ID"),
        ({**IC, "AMPLIFY_DEV_SSO_REGION": "mars"}, "AMPLIFY_DEV_SSO_REGION"),
        ({**IC, "AMPLIFY_DEV_SSO_CREATE_USERS": "maybe"}, "AMPLIFY_DEV_SSO_CREATE_USERS"),
    ],
)
def test_bad_identity_center_settings_are_named(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        settings_with(**env)


def test_the_iam_user_mode_stays_the_default() -> None:
    assert settings_with().mode == "iam-user" and settings_with().identity_center is None
    ic = settings_with(**IC).identity_center
    assert ic is not None and ic.create_users is False and ic.account_id is None and ic.instance_arn is None


def test_check_in_identity_center_mode_finds_the_instance_and_warns_on_long_sessions(world) -> None:
    import boto3

    from ops.check import Status
    from ops.check.identity_center import check_identity_center

    long_set = world.clients.sso_admin.create_permission_set(
        InstanceArn=world.instance_arn, Name="LongSessions", SessionDuration="PT36H"
    )["PermissionSet"]["PermissionSetArn"]
    sts = boto3.client("sts", region_name="eu-west-1")
    for arn, expected in ((world.permission_set_arn, Status.PASS), (long_set, Status.WARN)):
        env = {**IC, "AMPLIFY_DEV_PERMISSION_SET_ARN": arn}
        results = {r.subject: r for r in check_identity_center(settings_with(**env), world.clients, sts)}
        assert results["instance"].status == Status.PASS and world.identity_store_id in results["instance"].detail
        assert results["permission set"].status == expected
        assert results["account"].detail.endswith("123456789012") and results["start URL"].status == Status.PASS
        assert "sweep deletes it" in results["expiry"].detail
    bad = {**IC, "AMPLIFY_DEV_SSO_START_URL": "https://portal.example.com/login"}  # and a made-up permission set
    results = {r.subject: r for r in check_identity_center(settings_with(**bad), world.clients, sts)}
    assert results["start URL"].status == Status.WARN
    assert results["permission set"].status == Status.FAIL  # PS belongs to no real instance


def test_sandbox_gives_a_demo_permission_set_and_creates_users(iam_client) -> None:
    from ops.sandbox_identity_center import DEMO_PERMISSION_SET, start_sandbox_identity_center

    clients, config = start_sandbox_identity_center("eu-west-1", settings_with(**IC).identity_center)
    assert config.create_users is True and config.permission_set_arn != PS
    found = clients.sso_admin.describe_permission_set(
        InstanceArn=config.instance_arn, PermissionSetArn=config.permission_set_arn
    )
    assert found["PermissionSet"]["Name"] == DEMO_PERMISSION_SET
