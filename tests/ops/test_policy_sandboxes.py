"""AMPLIFY_DEV_SANDBOX_REPORT=true adds read-only CloudFormation to the bot's policy, in both modes; false adds nothing."""

from __future__ import annotations

import json

import pytest

from ops.policy import MAX_MANAGED_POLICY_CHARS, bot_policy, simulation_cases
from tests.ops.iam_eval import allowed
from tests.ops.test_policy import ACCOUNT, BOT_ROLE, settings_with, unaccepted_findings

IDENTITY_CENTER = {
    "AMPLIFY_DEV_MODE": "identity-center",
    "AMPLIFY_DEV_PERMISSION_SET_ARN": "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef",
    "AMPLIFY_DEV_SSO_START_URL": "https://example.awsapps.com/start",
}
AMPLIFY_STACKS = f"arn:aws:cloudformation:*:{ACCOUNT}:stack/amplify-*/*"
EXPECTED = [
    {"Sid": "ListStacksToFindSandboxes", "Effect": "Allow", "Action": "cloudformation:ListStacks", "Resource": "*"},
    {
        "Sid": "DescribeOnlyAmplifyStacks",
        "Effect": "Allow",
        "Action": "cloudformation:DescribeStacks",
        "Resource": AMPLIFY_STACKS,
    },
]


def cloudformation_statements(policy: dict) -> list[dict]:
    return [s for s in policy["Statement"] if "cloudformation:" in json.dumps(s.get("Action"))]


@pytest.mark.parametrize("mode", [{}, IDENTITY_CENTER], ids=["iam-user", "identity-center"])
def test_the_report_grants_only_listing_and_describing_amplify_stacks(mode: dict[str, str]) -> None:
    on = bot_policy(settings_with(**mode, AMPLIFY_DEV_SANDBOX_REPORT="true"), ACCOUNT, principal=BOT_ROLE)
    off = bot_policy(settings_with(**mode), ACCOUNT, principal=BOT_ROLE)

    assert cloudformation_statements(on) == EXPECTED
    assert cloudformation_statements(off) == []
    assert [s for s in on["Statement"] if s not in EXPECTED] == off["Statement"]  # nothing else changes
    assert unaccepted_findings(on) == unaccepted_findings(off)  # parliament finds nothing new


def test_the_bot_may_describe_amplify_stacks_and_nothing_else() -> None:
    policy = bot_policy(settings_with(AMPLIFY_DEV_SANDBOX_REPORT="true"), ACCOUNT)
    sandbox = f"arn:aws:cloudformation:eu-west-1:{ACCOUNT}:stack/amplify-shop-alice-sandbox-0123456789/abc"
    assert allowed(policy, "cloudformation:DescribeStacks", sandbox)
    assert not allowed(
        policy, "cloudformation:DescribeStacks", f"arn:aws:cloudformation:eu-west-1:{ACCOUNT}:stack/prod/x"
    )
    for action in ("cloudformation:DeleteStack", "cloudformation:UpdateStack", "cloudformation:GetTemplate"):
        assert not allowed(policy, action, sandbox), action


def test_check_asks_the_simulator_about_both_calls_when_the_report_is_on() -> None:
    cases = simulation_cases(settings_with(AMPLIFY_DEV_SANDBOX_REPORT="true"), ACCOUNT)
    asked = {a for case in cases for a in case.actions if a.startswith("cloudformation:")}
    assert asked == {"cloudformation:ListStacks", "cloudformation:DescribeStacks"}
    assert not any(
        a.startswith("cloudformation:") for c in simulation_cases(settings_with(), ACCOUNT) for a in c.actions
    )


def test_the_report_adds_little_to_a_policy_of_ordinary_size() -> None:
    settings = settings_with(AMPLIFY_DEV_SANDBOX_REPORT="true", AMPLIFY_DEV_IAM_GROUP="amplify-developers")
    compact = json.dumps(bot_policy(settings, ACCOUNT, principal=BOT_ROLE), separators=(",", ":"))
    without = json.dumps(
        bot_policy(settings_with(AMPLIFY_DEV_IAM_GROUP="amplify-developers"), ACCOUNT, principal=BOT_ROLE),
        separators=(",", ":"),
    )
    assert len(compact) - len(without) < 300 and len(compact) <= MAX_MANAGED_POLICY_CHARS
