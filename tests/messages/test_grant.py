"""Informed approval: what a request grants, as the leads, the Home tab and the extension request show it."""

from __future__ import annotations

from typing import Any

from messages import Granted
from messages.grant import (
    CredentialKind,
    GrantDescription,
    admin_warning,
    described,
    grant_blocks,
    grant_description,
    grant_line,
)
from tests.ops.test_policy import settings_with

AMPLIFY_ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess-Amplify"
BACKEND = "arn:aws:iam::aws:policy/service-role/AmplifyBackendDeployFullAccess"
OWN = "arn:aws:iam::111111111111:policy/shop-<readonly>"
BOUNDARY = "arn:aws:iam::111111111111:policy/amplify-dev-boundary"
PERMISSION_SET = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef"


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def test_an_admin_equivalent_policy_without_a_boundary_is_named_with_a_plain_warning() -> None:
    grant = GrantDescription(
        project="shop", credential=CredentialKind.ACCESS_KEY, account="111111111111", policy_arns=(AMPLIFY_ADMIN,)
    )
    assert [b.to_dict() for b in grant_blocks(grant)] == [
        {"type": "context", "elements": [mrkdwn("*What approving grants*")]},
        {
            "type": "section",
            "fields": [
                mrkdwn("*Grants*\n`AdministratorAccess-Amplify`"),
                mrkdwn("*Permissions boundary*\nnone"),
                mrkdwn("*Account*\n111111111111"),
                mrkdwn("*Project*\n`shop`"),
                mrkdwn("*Credentials*\nan access key (a long-lived secret, deleted when access ends)"),
            ],
        },
        {
            "type": "section",
            "text": mrkdwn(
                ":warning: `AdministratorAccess-Amplify` without a permissions boundary: in AWS's own words as "
                "powerful as AdministratorAccess, so this developer gets the power of an account administrator, "
                "not just the project."
            ),
        },
    ]


def test_a_boundary_and_group_are_shown_and_the_warning_goes() -> None:
    grant = GrantDescription(
        project="shop",
        project_description="Shop, development",
        credential=CredentialKind.SIGN_IN,
        account="111111111111",
        policy_arns=(AMPLIFY_ADMIN, BACKEND, OWN),
        permissions_boundary=BOUNDARY,
        iam_group="amplify-developers",
    )
    assert admin_warning(grant) is None
    assert [b.to_dict() for b in grant_blocks(grant)][1] == {
        "type": "section",
        "fields": [
            mrkdwn(
                "*Grants*\n`AdministratorAccess-Amplify`, `AmplifyBackendDeployFullAccess`, "
                "`shop-&lt;readonly&gt;` (the account's own)"
            ),
            mrkdwn("*Permissions boundary*\n`amplify-dev-boundary`"),
            mrkdwn("*IAM group*\n`amplify-developers`"),
            mrkdwn("*Account*\n111111111111"),
            mrkdwn("*Project*\n`shop` (Shop, development)"),
            mrkdwn("*Credentials*\nconsole sign-in and `aws login` (short-lived CLI credentials, no access key)"),
        ],
    }
    assert grant_line(grant) == (
        "Grants `AdministratorAccess-Amplify`, `AmplifyBackendDeployFullAccess`, `shop-&lt;readonly&gt;` "
        "(the account's own) with boundary `amplify-dev-boundary` · group `amplify-developers` · "
        "account 111111111111 · project `shop` · sign-in, no key"
    )


def test_the_one_line_form_leads_with_the_warning() -> None:
    grant = GrantDescription(project="blog", credential=CredentialKind.ACCESS_KEY, policy_arns=(AMPLIFY_ADMIN,))
    assert grant_line(grant) == (
        ":warning: *admin-equivalent* · Grants `AdministratorAccess-Amplify`, no boundary · "
        "the bot's own account · project `blog` · access key"
    )


def test_from_settings_in_both_modes() -> None:
    iam_user = grant_description(settings_with(AMPLIFY_DEV_PERMISSIONS_BOUNDARY=BOUNDARY), account="111111111111")
    assert iam_user == GrantDescription(
        project="",  # no projects file: the one project goes unnamed
        credential=CredentialKind.ACCESS_KEY,
        account="111111111111",
        policy_arns=(AMPLIFY_ADMIN,),
        permissions_boundary=BOUNDARY,
    )
    ic = grant_description(
        settings_with(
            AMPLIFY_DEV_MODE="identity-center",
            AMPLIFY_DEV_PERMISSION_SET_ARN=PERMISSION_SET,
            AMPLIFY_DEV_SSO_START_URL="https://example.awsapps.com/start",
            AMPLIFY_DEV_ACCOUNT_ID="222222222222",
        ),
        permission_set="AmplifyDeveloper",
    )
    assert (ic.credential, ic.account, ic.policy_arns, ic.permission_set) == (
        CredentialKind.PERMISSION_SET,
        "222222222222",
        (),
        "AmplifyDeveloper",
    )
    assert [b.to_dict() for b in grant_blocks(ic)][1]["fields"] == [
        mrkdwn("*Grants*\npermission set `AmplifyDeveloper`"),
        mrkdwn("*Account*\n222222222222"),
        mrkdwn("*Credentials*\nan IAM Identity Center permission set (sign-in through the access portal)"),
    ]
    assert admin_warning(ic) is None  # the permission set's policies are not the bot's to name


def test_a_kind_that_does_not_describe_its_grant_gets_its_settings_description() -> None:
    settings = settings_with(AMPLIFY_DEV_CREDENTIALS="sign-in", AMPLIFY_DEV_ALLOW_CONSOLE="true")
    filled = described(Granted(path="/amplify-dev/"), settings)
    assert filled.grant == grant_description(settings) and filled.grant.credential is CredentialKind.SIGN_IN
    own = GrantDescription(project="x", credential=CredentialKind.PERMISSION_SET, permission_set="Mine")
    assert described(Granted(kind="identity_center", grant=own), settings).grant is own
