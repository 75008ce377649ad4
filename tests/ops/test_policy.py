"""The bot's own IAM policy: lint-clean, granting every IAM call the code makes, and nothing outside its users."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import botocore
import parliament
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from parliament import iam_definition

import ops.aws
from iam.models import TAG_APPROVED_BY, TAG_REQUEST, TAG_SLACK_USER
from ops.policy import (
    BOT_TAG_KEYS,
    MAX_MANAGED_POLICY_CHARS,
    TAG_EXPIRES_AT,
    TAG_INSTANCE,
    bot_policy,
    simulation_cases,
)
from ops.policy_command import run_policy
from ops.policy_signin import SIGNIN_ACTIONS
from ops.projects_policy import projects_bot_policy
from settings import Settings, load_settings
from tests.ops.iam_eval import allowed, decide

REPO_ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
USERS = f"arn:aws:iam::{ACCOUNT}:user/amplify-dev"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/amplify-dev-boundary"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
AMPLIFY_ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess-Amplify"
CHANGE_PASSWORD = "arn:aws:iam::aws:policy/IAMUserChangePassword"
BOT_ROLE = f"arn:aws:iam::{ACCOUNT}:role/amplify-dev-bot"
INSTANCE = "C0APPROVE"  # AMPLIFY_DEV_INSTANCE's default: the approval channel
OWNED = {f"iam:ResourceTag/{TAG_SLACK_USER}": "UDEV", f"aws:ResourceTag/{TAG_INSTANCE}": INSTANCE}
CREATION_TAGS = {
    f"aws:RequestTag/{TAG_SLACK_USER}": "UDEV",
    f"aws:RequestTag/{TAG_REQUEST}": "r1",
    f"aws:RequestTag/{TAG_APPROVED_BY}": "ULEAD",
    f"aws:RequestTag/{TAG_INSTANCE}": INSTANCE,
    "aws:TagKeys": (TAG_SLACK_USER, TAG_REQUEST, TAG_APPROVED_BY, TAG_INSTANCE),
}


def settings_with(**env: str) -> Settings:
    base = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "AMPLIFY_DEV_APPROVAL_CHANNEL": "C0APPROVE",
        "AMPLIFY_DEV_APPROVERS": "ULEAD",
    }
    return load_settings({**base, **env})


FULL = {"AMPLIFY_DEV_IAM_GROUP": "amplify-developers", "AMPLIFY_DEV_PERMISSIONS_BOUNDARY": BOUNDARY}
CONFIGURATIONS: dict[str, dict[str, str]] = {
    "defaults": {},
    "group-and-boundary": FULL,
    "no-console": {"AMPLIFY_DEV_ALLOW_CONSOLE": "false"},
    "own-policies-and-path": {
        "AMPLIFY_DEV_POLICY_ARNS": f"arn:aws:iam::{ACCOUNT}:policy/amplify-read,{AMPLIFY_ADMIN}",
        "AMPLIFY_DEV_IAM_PATH": "/teams/web/amplify/",
    },
    "sign-in": {"AMPLIFY_DEV_CREDENTIALS": "sign-in"},
    "sign-in-with-boundary": {"AMPLIFY_DEV_CREDENTIALS": "sign-in", "AMPLIFY_DEV_PERMISSIONS_BOUNDARY": BOUNDARY},
    "sandbox-report": {"AMPLIFY_DEV_SANDBOX_REPORT": "true"},
}


# --- parliament ----------------------------------------------------------------------------------------

# Every parliament finding on a generated policy fails the test unless one of these accepts it, with its reason.
ACCEPTED_FINDINGS: list[tuple[str, Callable[[Any], bool], str]] = [
    (
        "INVALID_ARN",
        lambda f: (
            re.fullmatch(r"arn:aws[\w-]*:iam::aws:policy/[\w+=,.@/*-]+", str(f.location.get("string", ""))) is not None
        ),
        "parliament expects a 12-digit account in every ARN, but AWS managed policies (AdministratorAccess-Amplify, "
        "IAMUserChangePassword, and the arn:aws:iam::aws:policy/* that GetPolicy may read) have 'aws' there, as "
        "IAM requires",
    ),
    (
        "UNKNOWN_ACTION",
        lambda f: f.location.get("string") in SIGNIN_ACTIONS,
        "parliament 1.6.4's action list predates the Sign-In session API (its signin entry has only the two "
        "console Identity Center actions); ListSessions, GetSession and BatchRevokeSessions are in botocore 1.44's "
        "signin model and the Service Authorization Reference's page for AWS Signin",
    ),
]


def unaccepted_findings(policy: dict[str, Any]) -> list[str]:
    """parliament's findings, with the community auditors, minus the accepted ones."""
    analysed = parliament.analyze_policy_string(json.dumps(policy), include_community_auditors=True)
    return [
        repr(f)
        for f in analysed.findings
        if not any(f.issue == issue and accepts(f) for issue, accepts, _reason in ACCEPTED_FINDINGS)
    ]


@pytest.mark.parametrize("name", sorted(CONFIGURATIONS))
def test_generated_policy_has_no_unaccepted_parliament_finding(name: str) -> None:
    policy = bot_policy(settings_with(**CONFIGURATIONS[name]), ACCOUNT, principal=BOT_ROLE)

    assert unaccepted_findings(policy) == []


def test_parliament_lint_would_catch_a_bad_statement() -> None:
    policy = bot_policy(settings_with(), ACCOUNT)
    policy["Statement"].append({"Effect": "Allow", "Action": "iam:CreatUser", "Resource": "*"})

    assert any("UNKNOWN_ACTION" in finding for finding in unaccepted_findings(policy))


def test_every_accepted_finding_still_occurs() -> None:
    """An acceptance whose finding no longer happens is stale: drop it rather than let it hide something."""
    findings = [
        f
        for env in CONFIGURATIONS.values()
        for f in parliament.analyze_policy_string(json.dumps(bot_policy(settings_with(**env), ACCOUNT))).findings
    ]
    for issue, accepts, _reason in ACCEPTED_FINDINGS:
        assert any(f.issue == issue and accepts(f) for f in findings), issue


# --- every IAM call the code makes is granted ----------------------------------------------------------

SCANNED = [
    *sorted((REPO_ROOT / "iam").glob("*.py")),
    *sorted((REPO_ROOT / "workflow").glob("*.py")),
    *sorted((REPO_ROOT / "ops").rglob("*.py")),
]
_ATTRIBUTE = re.compile(r"\.([a-z][a-z0-9_]*)\b")
_STRING = re.compile(r"[\"']([a-z][a-z0-9_]*)[\"']")


def _operations(service: str) -> dict[str, str]:
    model = boto3.client(service, region_name="us-east-1").meta.service_model
    return {botocore.xform_name(op): op for op in model.operation_names}


def actions_called_by_code() -> set[str]:
    """IAM and STS actions named in the code: client method calls and attributes, and paginator names."""
    services = {"iam": _operations("iam"), "sts": _operations("sts")}
    found: set[str] = set()
    for path in SCANNED:
        text = path.read_text(encoding="utf-8")
        names = set(_ATTRIBUTE.findall(text)) | set(_STRING.findall(text))
        for prefix, operations in services.items():
            found |= {f"{prefix}:{operations[name]}" for name in names if name in operations}
    return found


def granted_actions(policy: dict[str, Any]) -> set[str]:
    """Every action an Allow statement names."""
    return {
        action
        for statement in policy["Statement"]
        if statement["Effect"] == "Allow"
        for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    }


def test_the_scanner_sees_the_calls_we_know_about() -> None:
    found = actions_called_by_code()

    assert {
        "iam:CreateUser",
        "iam:AttachUserPolicy",
        "iam:AddUserToGroup",  # only ever called through functools.partial
        "iam:ListServiceSpecificCredentials",  # called without a paginator
        "iam:ListGroupsForUser",  # through a paginator name in a string
        "iam:DeleteVirtualMFADevice",
        "iam:CreateLoginProfile",
        "iam:ListAccountAliases",
        "iam:SimulatePrincipalPolicy",  # the check
        "iam:GetPolicy",
        "iam:GetGroup",
        "sts:GetCallerIdentity",
    } <= found


def test_every_iam_action_the_code_calls_is_granted() -> None:
    """Each call is granted in the configuration that makes it (the boundary check of sign-in only in sign-in)."""
    granted = set().union(
        *(
            granted_actions(bot_policy(settings_with(**env), ACCOUNT, principal=BOT_ROLE))
            for env in (FULL, {**FULL, "AMPLIFY_DEV_CREDENTIALS": "sign-in"})
        )
    )

    # sts:AssumeRole is called only for a project's account role (check tries it with and without the external
    # id); the bot's policy with a projects file grants it, on the listed roles only.
    with_roles = projects_bot_policy(
        {"web": replace(settings_with(**FULL), account_role_arn="arn:aws:iam::111111111111:role/amplify-dev")},
        ACCOUNT,
    )
    missing = actions_called_by_code() - granted - granted_actions(with_roles)

    assert not missing, f"the bot calls these but its policy does not grant them: {sorted(missing)}"


def test_expiry_actions_of_issue_5_are_granted_in_advance() -> None:
    granted = granted_actions(bot_policy(settings_with(), ACCOUNT))

    assert {"iam:PutUserPolicy", "iam:DeleteUserPolicy", "iam:TagUser", "iam:UntagUser"} <= granted


# --- nothing broad ---------------------------------------------------------------------------------------

_ACCESS_LEVELS = {
    f"{service['prefix']}:{privilege['privilege']}".lower(): privilege["access_level"]
    for service in iam_definition
    for privilege in service["privileges"]
}
# parliament does not know these yet; the levels are the Service Authorization Reference's (AWS Signin).
_ACCESS_LEVELS |= {"signin:listsessions": "List", "signin:getsession": "Read", "signin:batchrevokesessions": "Write"}
# A mutation on "*" that only ever takes access away: it ends `aws login` sessions (their refresh), and the
# reference names no resource type to narrow it to (ops/policy_signin.py).
ONLY_ENDS_ACCESS_ON_STAR = {"signin:BatchRevokeSessions"}


@pytest.mark.parametrize("name", sorted(CONFIGURATIONS))
def test_no_allow_names_a_wildcard_action_or_mutates_on_resource_star(name: str) -> None:
    for statement in bot_policy(settings_with(**CONFIGURATIONS[name]), ACCOUNT, principal=BOT_ROLE)["Statement"]:
        if statement["Effect"] != "Allow":
            continue
        actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        resources = [statement["Resource"]] if isinstance(statement["Resource"], str) else statement["Resource"]
        assert not any("*" in action for action in actions), statement["Sid"]
        if "*" in resources:
            levels = {a: _ACCESS_LEVELS[a.lower()] for a in actions if a not in ONLY_ENDS_ACCESS_ON_STAR}
            assert set(levels.values()) <= {"Read", "List"}, f"{statement['Sid']} mutates on *: {levels}"


@pytest.mark.parametrize("name", sorted(CONFIGURATIONS))
def test_every_mutation_is_limited_to_the_bots_path_its_group_or_unassigned_mfa_devices(name: str) -> None:
    settings = settings_with(**CONFIGURATIONS[name])
    users = f"arn:aws:iam::{ACCOUNT}:user{settings.iam_path}*"
    for statement in bot_policy(settings, ACCOUNT, principal=BOT_ROLE)["Statement"]:
        actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        if statement["Effect"] != "Allow" or all(
            _ACCESS_LEVELS[a.lower()] in ("Read", "List") or a in ONLY_ENDS_ACCESS_ON_STAR for a in actions
        ):
            continue
        resources = [statement["Resource"]] if isinstance(statement["Resource"], str) else statement["Resource"]
        assert all(
            r == users or r.startswith(f"arn:aws:iam::{ACCOUNT}:group/") or r == f"arn:aws:iam::{ACCOUNT}:mfa/*"
            for r in resources
        ), statement["Sid"]


def test_the_largest_configuration_fits_in_a_managed_policy() -> None:
    policies = ",".join(f"arn:aws:iam::{ACCOUNT}:policy/some/long/path/amplify-dev-policy-{n:02d}" for n in range(10))
    settings = settings_with(
        AMPLIFY_DEV_POLICY_ARNS=policies,
        AMPLIFY_DEV_IAM_PATH="/" + "p" * 100 + "/",
        AMPLIFY_DEV_IAM_GROUP="g" * 128,
        AMPLIFY_DEV_PERMISSIONS_BOUNDARY=BOUNDARY,
    )

    principal = f"arn:aws:iam::{ACCOUNT}:role/{'r' * 64}"
    compact = json.dumps(bot_policy(settings, ACCOUNT, principal=principal), separators=(",", ":"))

    assert len(compact) <= MAX_MANAGED_POLICY_CHARS


# --- what the statements allow and refuse ----------------------------------------------------------------


def test_creates_users_only_under_its_path_and_only_with_its_tags() -> None:
    policy = bot_policy(settings_with(), ACCOUNT)

    assert allowed(policy, "iam:CreateUser", f"{USERS}/jane-udev", CREATION_TAGS)
    assert allowed(policy, "iam:TagUser", f"{USERS}/jane-udev", CREATION_TAGS)
    assert not allowed(policy, "iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/jane-udev", CREATION_TAGS)
    untagged = {k: v for k, v in CREATION_TAGS.items() if TAG_SLACK_USER not in k}
    assert not allowed(policy, "iam:CreateUser", f"{USERS}/jane-udev", {**untagged, "aws:TagKeys": (TAG_REQUEST,)})
    foreign = {**CREATION_TAGS, "aws:RequestTag/team": "x", "aws:TagKeys": (TAG_SLACK_USER, "team")}
    assert not allowed(policy, "iam:CreateUser", f"{USERS}/jane-udev", foreign)
    assert not allowed(policy, "iam:TagUser", f"{USERS}/jane-udev", foreign)


def test_every_change_is_conditioned_on_this_instance() -> None:
    policy = bot_policy(settings_with(), ACCOUNT)
    user = f"{USERS}/jane-udev"
    theirs = {**OWNED, f"aws:ResourceTag/{TAG_INSTANCE}": "staging"}

    for action in ("iam:DeleteUser", "iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys"):
        assert allowed(policy, action, user, OWNED), action
        assert not allowed(policy, action, user, theirs), f"{action} on another instance's user"
    assert not allowed(policy, "iam:AttachUserPolicy", user, {**theirs, "iam:PolicyARN": AMPLIFY_ADMIN})
    staging_tags = {**CREATION_TAGS, f"aws:RequestTag/{TAG_INSTANCE}": "staging"}
    assert not allowed(policy, "iam:CreateUser", user, staging_tags)
    assert "aws:ResourceTag/amplify-dev:instance" in json.dumps(policy)


def test_users_from_before_instance_tags_may_only_get_this_instance_tag() -> None:
    policy = bot_policy(settings_with(), ACCOUNT)
    user = f"{USERS}/jane-udev"
    legacy = {f"iam:ResourceTag/{TAG_SLACK_USER}": "UDEV"}
    adopt = {**legacy, f"aws:RequestTag/{TAG_INSTANCE}": INSTANCE, "aws:TagKeys": (TAG_INSTANCE,)}

    assert allowed(policy, "iam:TagUser", user, adopt)
    assert not allowed(policy, "iam:TagUser", user, {**adopt, f"aws:RequestTag/{TAG_INSTANCE}": "staging"})
    assert not allowed(policy, "iam:TagUser", user, {**adopt, f"aws:ResourceTag/{TAG_INSTANCE}": "staging"})
    assert not allowed(policy, "iam:DeleteUser", user, legacy)


def test_with_a_boundary_it_creates_users_only_with_that_boundary() -> None:
    policy = bot_policy(settings_with(**FULL), ACCOUNT)
    other = f"arn:aws:iam::{ACCOUNT}:policy/wide-open"

    assert allowed(policy, "iam:CreateUser", f"{USERS}/u", {**CREATION_TAGS, "iam:PermissionsBoundary": BOUNDARY})
    assert not allowed(policy, "iam:CreateUser", f"{USERS}/u", CREATION_TAGS)
    assert not allowed(policy, "iam:CreateUser", f"{USERS}/u", {**CREATION_TAGS, "iam:PermissionsBoundary": other})


def test_never_removes_or_swaps_a_boundary_even_with_broader_rights_attached() -> None:
    policy = bot_policy(settings_with(**FULL), ACCOUNT)
    admin = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    other = f"arn:aws:iam::{ACCOUNT}:policy/wide-open"

    assert decide([policy, admin], "iam:DeleteUserPermissionsBoundary", f"{USERS}/u", OWNED) == "explicitDeny"
    assert (
        decide([policy, admin], "iam:PutUserPermissionsBoundary", f"{USERS}/u", {"iam:PermissionsBoundary": other})
        == "explicitDeny"
    )
    no_boundary = bot_policy(settings_with(), ACCOUNT)
    assert decide([no_boundary, admin], "iam:PutUserPermissionsBoundary", f"{USERS}/u", {}) == "explicitDeny"


def test_changes_and_deletes_only_users_under_its_path_carrying_its_tag() -> None:
    policy = bot_policy(settings_with(), ACCOUNT)

    for action in ("iam:DeleteUser", "iam:CreateAccessKey", "iam:DeleteLoginProfile", "iam:DetachUserPolicy"):
        assert allowed(policy, action, f"{USERS}/jane-udev", OWNED), action
        assert not allowed(policy, action, f"{USERS}/jane-udev", {}), f"{action} on an untagged user"
        assert not allowed(policy, action, f"arn:aws:iam::{ACCOUNT}:user/admin", OWNED), f"{action} outside the path"


def test_attaches_only_the_configured_policies_and_change_password_for_console_users() -> None:
    policy = bot_policy(settings_with(), ACCOUNT)
    user = f"{USERS}/jane-udev"

    assert allowed(policy, "iam:AttachUserPolicy", user, {**OWNED, "iam:PolicyARN": AMPLIFY_ADMIN})
    assert allowed(policy, "iam:AttachUserPolicy", user, {**OWNED, "iam:PolicyARN": CHANGE_PASSWORD})
    assert not allowed(policy, "iam:AttachUserPolicy", user, {**OWNED, "iam:PolicyARN": ADMIN})
    assert not allowed(policy, "iam:AttachUserPolicy", user, {"iam:PolicyARN": AMPLIFY_ADMIN})
    no_console = bot_policy(settings_with(AMPLIFY_DEV_ALLOW_CONSOLE="false"), ACCOUNT)
    assert not allowed(no_console, "iam:AttachUserPolicy", user, {**OWNED, "iam:PolicyARN": CHANGE_PASSWORD})
    assert not allowed(no_console, "iam:CreateLoginProfile", user, OWNED)
    assert allowed(no_console, "iam:DeleteLoginProfile", user, OWNED)  # remove still cleans up old ones


def test_with_a_boundary_attaches_and_puts_policies_only_on_users_that_have_it() -> None:
    policy = bot_policy(settings_with(**FULL), ACCOUNT)
    user = f"{USERS}/jane-udev"
    capped = {**OWNED, "iam:PermissionsBoundary": BOUNDARY}

    assert allowed(policy, "iam:AttachUserPolicy", user, {**capped, "iam:PolicyARN": AMPLIFY_ADMIN})
    assert not allowed(policy, "iam:AttachUserPolicy", user, {**OWNED, "iam:PolicyARN": AMPLIFY_ADMIN})
    assert allowed(policy, "iam:PutUserPolicy", user, capped)
    assert not allowed(policy, "iam:PutUserPolicy", user, OWNED)


def test_tags_its_users_later_only_with_the_expiry_tag() -> None:
    policy = bot_policy(settings_with(), ACCOUNT)
    user = f"{USERS}/jane-udev"

    assert allowed(policy, "iam:TagUser", user, {**OWNED, "aws:TagKeys": (TAG_EXPIRES_AT,)})
    assert allowed(policy, "iam:UntagUser", user, {**OWNED, "aws:TagKeys": (TAG_EXPIRES_AT,)})
    assert not allowed(policy, "iam:UntagUser", user, {**OWNED, "aws:TagKeys": (TAG_SLACK_USER,)})
    assert TAG_EXPIRES_AT in BOT_TAG_KEYS


def test_group_membership_only_for_the_configured_group() -> None:
    policy = bot_policy(settings_with(**FULL), ACCOUNT)

    assert allowed(policy, "iam:AddUserToGroup", f"arn:aws:iam::{ACCOUNT}:group/amplify-developers")
    assert allowed(policy, "iam:RemoveUserFromGroup", f"arn:aws:iam::{ACCOUNT}:group/teams/amplify-developers")
    assert not allowed(policy, "iam:AddUserToGroup", f"arn:aws:iam::{ACCOUNT}:group/admins")
    assert "iam:AddUserToGroup" not in granted_actions(bot_policy(settings_with(), ACCOUNT))


def test_simulates_only_the_bots_own_identity() -> None:
    policy = bot_policy(settings_with(), ACCOUNT, principal=BOT_ROLE)

    assert allowed(policy, "iam:SimulatePrincipalPolicy", BOT_ROLE)
    for other in ("role/admin", "role/amplify-dev-bot-2", "user/alice", "user/amplify-dev/jane-udev", "group/admins"):
        assert not allowed(policy, "iam:SimulatePrincipalPolicy", f"arn:aws:iam::{ACCOUNT}:{other}"), other
    assert not any("*" in json.dumps(s["Resource"]) for s in policy["Statement"] if s["Sid"] == "CheckOwnPermissions")


def test_without_a_known_identity_nothing_may_be_simulated() -> None:
    policy = bot_policy(settings_with(), ACCOUNT)

    assert "iam:SimulatePrincipalPolicy" not in granted_actions(policy)


@pytest.mark.parametrize("name", sorted(CONFIGURATIONS))
def test_the_checks_simulation_cases_agree_with_the_policy(name: str) -> None:
    settings = settings_with(**CONFIGURATIONS[name])
    policy = bot_policy(settings, ACCOUNT)

    for case in simulation_cases(settings, ACCOUNT):
        for action in case.actions:
            assert allowed(policy, action, case.resource, case.context) == case.expect_allowed, (action, case)


def test_simulation_cases_cover_every_granted_action() -> None:
    settings = settings_with(**FULL)
    simulated = {a for case in simulation_cases(settings, ACCOUNT) if case.expect_allowed for a in case.actions}

    assert granted_actions(bot_policy(settings, ACCOUNT, principal=BOT_ROLE)) - simulated == {
        "sts:GetCallerIdentity",
        "iam:SimulatePrincipalPolicy",
    }


def test_partition_is_used_throughout() -> None:
    policy = bot_policy(
        settings_with(AMPLIFY_DEV_POLICY_ARNS="arn:aws-cn:iam::aws:policy/ReadOnlyAccess"), ACCOUNT, "aws-cn"
    )
    text = json.dumps(policy)

    assert "arn:aws:" not in text
    assert f"arn:aws-cn:iam::{ACCOUNT}:user/amplify-dev/*" in text
    assert "arn:aws-cn:iam::aws:policy/IAMUserChangePassword" in text


# --- python bot.py policy ------------------------------------------------------------------------------


def test_run_policy_prints_the_policy_for_the_credentials_account(iam_client: Any) -> None:
    out = io.StringIO()

    code = run_policy(settings_with(**FULL), out)

    assert code == 0
    printed = json.loads(out.getvalue())
    # moto's account and caller, from STS
    assert printed == bot_policy(settings_with(**FULL), ACCOUNT, principal=f"arn:aws:iam::{ACCOUNT}:user/moto")


def test_run_policy_without_working_credentials_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], aws_env: None
) -> None:
    def refused_sts(region: str) -> Any:
        client = boto3.client("sts", region_name=region)

        def expired(**kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
            raise ClientError({"Error": {"Code": "ExpiredToken", "Message": "x"}}, "GetCallerIdentity")

        client.meta.events.register("before-call.sts.GetCallerIdentity", expired)
        return client

    monkeypatch.setattr(ops.aws, "build_sts_client", refused_sts)
    out = io.StringIO()

    code = run_policy(settings_with(), out)

    assert code == 2
    assert out.getvalue() == ""
    assert "ExpiredToken" in capsys.readouterr().err


def test_run_policy_names_the_identity_it_limits_simulation_to_on_stderr(iam_client: Any) -> None:
    out, err = io.StringIO(), io.StringIO()

    assert run_policy(settings_with(), out, err=err) == 0

    statement = next(s for s in json.loads(out.getvalue())["Statement"] if s["Sid"] == "CheckOwnPermissions")
    assert statement["Resource"] == f"arn:aws:iam::{ACCOUNT}:user/moto"
    assert f"# iam:SimulatePrincipalPolicy is allowed only on arn:aws:iam::{ACCOUNT}:user/moto" in err.getvalue()
    assert "--principal-arn" in err.getvalue()


@pytest.mark.parametrize(
    ("given", "principal"),
    [
        (BOT_ROLE, BOT_ROLE),
        (
            "arn:aws:iam::210987654321:role/service/amplify-dev-bot",
            "arn:aws:iam::210987654321:role/service/amplify-dev-bot",
        ),
        (
            "arn:aws:sts::210987654321:assumed-role/amplify-dev-bot/i-0abc",
            "arn:aws:iam::210987654321:role/amplify-dev-bot",
        ),
        ("arn:aws:iam::210987654321:user/ops/amplify-dev", "arn:aws:iam::210987654321:user/ops/amplify-dev"),
    ],
)
def test_run_policy_with_principal_arn_needs_no_credentials(
    monkeypatch: pytest.MonkeyPatch, given: str, principal: str
) -> None:
    monkeypatch.setattr(ops.aws, "build_sts_client", lambda region: pytest.fail("STS was asked"))
    out, err = io.StringIO(), io.StringIO()

    assert run_policy(settings_with(), out, principal=given, err=err) == 0

    account = principal.split(":")[4]
    assert json.loads(out.getvalue()) == bot_policy(settings_with(), account, principal=principal)
    assert "SimulatePrincipalPolicy" not in err.getvalue()  # nothing to warn about: the operator named it


@pytest.mark.parametrize(
    "given",
    [
        f"arn:aws:iam::{ACCOUNT}:role/*",
        f"arn:aws:iam::{ACCOUNT}:role/amplify-dev-?",
        f"arn:aws:iam::{ACCOUNT}:root",
        f"arn:aws:iam::{ACCOUNT}:group/admins",
        "amplify-dev-bot",
        "",
    ],
)
def test_run_policy_refuses_a_principal_arn_that_is_not_one_role_or_user(given: str) -> None:
    out, err = io.StringIO(), io.StringIO()

    assert run_policy(settings_with(), out, principal=given, err=err) == 2

    assert out.getvalue() == ""
    assert "--principal-arn" in err.getvalue()


def test_root_credentials_print_a_policy_without_simulation_and_say_why(
    monkeypatch: pytest.MonkeyPatch, aws_env: None
) -> None:
    def root_sts(region: str) -> Any:
        client = boto3.client("sts", region_name=region)

        def root(**kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
            return AWSResponse("https://sts", 200, {}, None), {"Arn": f"arn:aws:iam::{ACCOUNT}:root"}

        client.meta.events.register("before-call.sts.GetCallerIdentity", root)
        return client

    monkeypatch.setattr(ops.aws, "build_sts_client", root_sts)
    out, err = io.StringIO(), io.StringIO()

    assert run_policy(settings_with(), out, err=err) == 0

    assert "iam:SimulatePrincipalPolicy" not in granted_actions(json.loads(out.getvalue()))
    assert "iam:SimulatePrincipalPolicy is left out" in err.getvalue()


def test_with_a_group_policy_says_on_stderr_that_add_user_to_group_reaches_any_user() -> None:
    out, err = io.StringIO(), io.StringIO()

    assert run_policy(settings_with(**FULL), out, principal=BOT_ROLE, err=err) == 0

    json.loads(out.getvalue())  # stdout stays pure JSON
    notes = [line for line in err.getvalue().splitlines() if "AddUserToGroup" in line]
    assert len(notes) == 1 and notes[0].startswith("# ")
    assert "any IAM user in the account to amplify-developers" in notes[0]
    quiet = io.StringIO()
    run_policy(settings_with(), io.StringIO(), principal=BOT_ROLE, err=quiet)
    assert "AddUserToGroup" not in quiet.getvalue()


def test_bot_policy_command_takes_principal_arn(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import bot

    monkeypatch.chdir(tmp_path)  # no stray .env
    for name, value in {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "AMPLIFY_DEV_APPROVAL_CHANNEL": "C0APPROVE",
        "AMPLIFY_DEV_APPROVERS": "ULEAD",
    }.items():
        monkeypatch.setenv(name, value)

    assert bot.main(["policy", "--principal-arn", BOT_ROLE]) == 0

    printed = json.loads(capsys.readouterr().out)
    assert {
        "Sid": "CheckOwnPermissions",
        "Effect": "Allow",
        "Action": "iam:SimulatePrincipalPolicy",
        "Resource": BOT_ROLE,
    } in printed["Statement"]


# --- sign-in (AMPLIFY_DEV_CREDENTIALS=sign-in) -------------------------------------------------------------

SIGNIN_POLICY = "arn:aws:iam::aws:policy/SignInLocalDevelopmentAccess"


def test_sign_in_grants_exactly_the_session_calls_and_attaching_the_sign_in_policy() -> None:
    policy = bot_policy(settings_with(AMPLIFY_DEV_CREDENTIALS="sign-in"), ACCOUNT)
    user = f"{USERS}/jane-udev"

    signin_granted = {a for a in granted_actions(policy) if a.startswith("signin:")}
    assert signin_granted == {"signin:ListSessions", "signin:GetSession", "signin:BatchRevokeSessions"}
    assert not {"signin:AuthorizeOAuth2Access", "signin:CreateOAuth2Token"} & granted_actions(policy)
    for action in sorted(signin_granted):
        assert allowed(policy, action, "*", {}), action
    assert allowed(policy, "iam:AttachUserPolicy", user, {**OWNED, "iam:PolicyARN": SIGNIN_POLICY})
    assert allowed(policy, "iam:AttachUserPolicy", user, {**OWNED, "iam:PolicyARN": CHANGE_PASSWORD})
    assert not allowed(policy, "iam:AttachUserPolicy", user, {**OWNED, "iam:PolicyARN": ADMIN})


def test_sign_in_cannot_create_an_access_key_but_still_deletes_old_ones() -> None:
    policy = bot_policy(settings_with(AMPLIFY_DEV_CREDENTIALS="sign-in"), ACCOUNT)
    user = f"{USERS}/jane-udev"

    assert not allowed(policy, "iam:CreateAccessKey", user, OWNED)
    assert allowed(policy, "iam:DeleteAccessKey", user, OWNED)
    assert allowed(policy, "iam:CreateLoginProfile", user, OWNED)


def test_access_key_mode_grants_nothing_of_sign_in() -> None:
    policy = bot_policy(settings_with(), ACCOUNT)
    user = f"{USERS}/jane-udev"

    assert not any(a.startswith("signin:") for a in granted_actions(policy))
    assert not allowed(policy, "iam:AttachUserPolicy", user, {**OWNED, "iam:PolicyARN": SIGNIN_POLICY})


def test_every_signin_call_the_code_makes_is_granted_in_sign_in() -> None:
    operations = _operations("signin")
    text = (REPO_ROOT / "iam" / "signin.py").read_text(encoding="utf-8")
    names = set(_ATTRIBUTE.findall(text)) | set(_STRING.findall(text))
    called = {f"signin:{operations[name]}" for name in names if name in operations}

    assert called == {"signin:ListSessions", "signin:GetSession", "signin:BatchRevokeSessions"}
    assert called <= granted_actions(bot_policy(settings_with(AMPLIFY_DEV_CREDENTIALS="sign-in"), ACCOUNT))


def test_policy_says_on_stderr_what_sign_in_grants_on_star() -> None:
    out, err = io.StringIO(), io.StringIO()
    settings = settings_with(AMPLIFY_DEV_CREDENTIALS="sign-in")

    assert run_policy(settings, out, principal=BOT_ROLE, err=err) == 0

    assert "signin:BatchRevokeSessions" in json.dumps(json.loads(out.getvalue()))
    assert '# sign-in: signin:ListSessions, signin:GetSession and signin:BatchRevokeSessions are granted on "*"' in (
        err.getvalue()
    )
    quiet = io.StringIO()
    run_policy(settings_with(), io.StringIO(), principal=BOT_ROLE, err=quiet)
    assert "sign-in" not in quiet.getvalue()
