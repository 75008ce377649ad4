"""create_developer_user(sign_in=True): the policies `aws login` needs, and nothing else changed by default."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from iam_support import AMPLIFY_ADMIN, CHANGE_PASSWORD, PATH, Call, bot_tags

from iam import create_developer_user

USER = "jane.doe-u012ab3cd"
SIGNIN = "arn:aws:iam::aws:policy/SignInLocalDevelopmentAccess"


def attached_arns(iam: Any) -> list[str]:
    return [p["PolicyArn"] for p in iam.list_attached_user_policies(UserName=USER)["AttachedPolicies"]]


@pytest.mark.aws_managed_policies
def test_sign_in_attaches_sign_in_local_development_access_and_change_password(
    iam: Any, make_spec: Callable[..., Any]
) -> None:
    # moto's AWS managed policies (load_aws_managed_policies) include SignInLocalDevelopmentAccess.
    create_developer_user(iam, make_spec(policy_arns=(AMPLIFY_ADMIN,), console=False), sign_in=True)

    assert attached_arns(iam) == [AMPLIFY_ADMIN, CHANGE_PASSWORD, SIGNIN]
    document = iam.get_policy_version(
        PolicyArn=SIGNIN, VersionId=iam.get_policy(PolicyArn=SIGNIN)["Policy"]["DefaultVersionId"]
    )
    actions = {a for s in document["PolicyVersion"]["Document"]["Statement"] for a in s["Action"]}
    assert actions == {"signin:AuthorizeOAuth2Access", "signin:CreateOAuth2Token"}


@pytest.mark.aws_managed_policies
def test_by_default_nothing_of_sign_in_is_attached(iam: Any, make_spec: Callable[..., Any]) -> None:
    create_developer_user(iam, make_spec(policy_arns=(AMPLIFY_ADMIN,), console=True))

    assert SIGNIN not in attached_arns(iam)


@pytest.mark.aws_managed_policies
def test_sign_in_creates_no_access_key_and_no_login_profile(
    iam: Any, calls: list[Call], make_spec: Callable[..., Any]
) -> None:
    create_developer_user(iam, make_spec(policy_arns=(AMPLIFY_ADMIN,), console=True), sign_in=True)

    operations = [op for op, _params in calls]
    assert "CreateAccessKey" not in operations
    assert "CreateLoginProfile" not in operations  # the password is made at Show credentials, as for console users


@pytest.mark.aws_managed_policies
def test_a_resumed_sign_in_provisioning_attaches_what_is_missing(
    iam: Any, calls: list[Call], make_spec: Callable[..., Any]
) -> None:
    iam.create_user(UserName=USER, Path=PATH, Tags=bot_tags())
    iam.attach_user_policy(UserName=USER, PolicyArn=AMPLIFY_ADMIN)
    calls.clear()

    create_developer_user(iam, make_spec(policy_arns=(AMPLIFY_ADMIN,), console=True), sign_in=True)

    assert sorted(attached_arns(iam)) == sorted([AMPLIFY_ADMIN, CHANGE_PASSWORD, SIGNIN])
    assert [p["PolicyArn"] for op, p in calls if op == "AttachUserPolicy"] == [CHANGE_PASSWORD, SIGNIN]
