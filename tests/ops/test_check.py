"""`python bot.py check` against moto and the fake Slack: a good configuration, then each way it can be wrong."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError, NoCredentialsError
from botocore.parsers import ResponseParserError
from slack_sdk import WebClient

import bot
from ops.check import (
    CheckResult,
    Status,
    check_all,
    check_slack,
    exit_code,
    principal_arn,
    required_scopes,
    run_check,
)
from ops.policy import bot_policy
from playground.slack_api import FakeSlack
from settings import Settings
from slack_gateway import build_web_client
from tests.conftest import CHANNEL, LEAD, LEAD2, LEADS_GROUP, make_settings
from tests.ops.iam_eval import FakeCustomPolicySimulator, FakePolicySimulator

ACCOUNT = "123456789012"
BOUNDARY_DOC = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"amplify:*","Resource":"*"}]}'


@pytest.fixture
def fake(slack: FakeSlack) -> FakeSlack:
    """The fake Slack as a well set-up workspace: the manifest's scopes plus channels:read, the bot in the channel."""
    slack.set_scopes([*required_scopes(), "channels:read"])
    slack.set_channel(CHANNEL, name="amplify-leads", is_member=True)
    return slack


def settings_for(fake: FakeSlack, tmp_path: Path, **overrides: str) -> Settings:
    return make_settings(fake, str(tmp_path / "check.db"), **overrides)


def run(settings: Settings, iam_client: Any, sts: Any | None = None) -> list[CheckResult]:
    return check_all(
        settings,
        slack=build_web_client(settings.slack_bot_token, settings.slack_api_url),
        iam_client=iam_client,
        sts=sts or boto3.client("sts", region_name="eu-west-1"),
    )


def run_slack(settings: Settings) -> list[CheckResult]:
    """Only the Slack checks: no AWS needed."""
    return check_slack(settings, build_web_client(settings.slack_bot_token, settings.slack_api_url))


def line(results: list[CheckResult], subject: str) -> CheckResult:
    matching = [r for r in results if r.subject == subject]
    assert len(matching) == 1, f"{subject!r} not exactly once in {[r.subject for r in results]}"
    return matching[0]


def statuses(results: list[CheckResult]) -> dict[str, Status]:
    return {r.subject: r.status for r in results}


def sts_answering(handler: Any) -> Any:
    """An STS client whose GetCallerIdentity is answered (or refused) by `handler`."""
    client = boto3.client("sts", region_name="eu-west-1")
    client.meta.events.register("before-call.sts.GetCallerIdentity", handler)
    return client


# --- a good configuration --------------------------------------------------------------------------------


def test_good_configuration_passes_with_only_the_expected_warnings(
    fake: FakeSlack, iam_client: Any, tmp_path: Path
) -> None:
    results = run(settings_for(fake, tmp_path), iam_client)

    assert exit_code(results) == 0
    assert statuses(results) == {
        "bot token": Status.PASS,
        "scopes": Status.PASS,
        "approval channel": Status.PASS,
        f"approver {LEAD}": Status.PASS,
        f"approver {LEAD2}": Status.PASS,
        f"approver group {LEADS_GROUP}": Status.PASS,
        "Socket Mode": Status.SKIP,  # HTTP mode: nothing to open
        "credentials": Status.PASS,
        "IAM path": Status.PASS,
        "instance": Status.PASS,
        "policy AdministratorAccess-Amplify": Status.PASS,
        "policy IAMUserChangePassword": Status.PASS,
        "bot's permissions": Status.SKIP,  # moto cannot simulate
        "admin-equivalent policy": Status.WARN,  # the default policy, no boundary
        "console access": Status.WARN,
        "developer credentials": Status.WARN,  # access-key: a long-lived key each
        "reminders": Status.PASS,  # the default: 60, 180, 420, 900 minutes
    }
    assert "#amplify-leads" in line(results, "approval channel").detail
    assert f"arn:aws:sts::{ACCOUNT}:user/moto" in line(results, "credentials").detail


def test_run_check_prints_the_checklist_and_exits_zero_with_only_warnings(
    fake: FakeSlack, iam_client: Any, tmp_path: Path
) -> None:
    out = io.StringIO()

    code = run_check(settings_for(fake, tmp_path), out)

    text = out.getvalue()
    assert code == 0
    assert text.startswith("amplify-dev check\n")
    assert "\nSlack\n" in text and "\nAWS\n" in text and "\nRisk\n" in text
    assert "  PASS  bot token: works" in text
    assert "  WARN  console access:" in text
    assert text.rstrip().endswith("0 failed, 2 skipped: ready")


def test_bot_check_command_runs_the_check(
    fake: FakeSlack,
    iam_client: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name, value in {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": fake.url,
        "AMPLIFY_DEV_APPROVAL_CHANNEL": CHANNEL,
        "AMPLIFY_DEV_APPROVERS": "UNOBODY",
    }.items():
        monkeypatch.setenv(name, value)

    code = bot.main(["check"])

    assert code == 1
    assert "  FAIL  approver UNOBODY: no such user" in capsys.readouterr().out


# --- Slack, one fault at a time ----------------------------------------------------------------------


def test_wrong_token_fails_and_skips_the_rest_of_slack(fake: FakeSlack, tmp_path: Path) -> None:
    fake.accept_only_tokens("xoxb-the-real-one")

    results = run_slack(settings_for(fake, tmp_path))

    assert line(results, "bot token").status is Status.FAIL
    assert "invalid_auth" in line(results, "bot token").detail
    assert line(results, "everything else on Slack").status is Status.SKIP
    assert len(results) == 2
    assert exit_code(results) == 1


def test_unreachable_slack_fails_naming_the_url(tmp_path: Path) -> None:
    with FakeSlack() as gone:
        settings = make_settings(gone, str(tmp_path / "x.db"))
    # The fake has stopped: nothing listens on that port any more. (No retry handlers: their backoff is slow.)

    results = check_slack(settings, WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url))

    assert line(results, "bot token").status is Status.FAIL
    assert settings.slack_api_url in line(results, "bot token").detail


def test_missing_scope_fails_naming_it(fake: FakeSlack, tmp_path: Path) -> None:
    fake.set_scopes(["commands", "chat:write", "im:write", "users:read", "channels:read"])

    results = run_slack(settings_for(fake, tmp_path))

    scopes = line(results, "scopes")
    assert scopes.status is Status.FAIL
    assert "usergroups:read" in scopes.detail and "reinstall" in scopes.detail


IC_MODE = {
    "AMPLIFY_DEV_MODE": "identity-center",
    "AMPLIFY_DEV_PERMISSION_SET_ARN": "arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-2222222222222222",
    "AMPLIFY_DEV_SSO_START_URL": "https://example.awsapps.com/start",
}


def test_email_scope_is_not_required_of_an_iam_user_deployment(fake: FakeSlack, tmp_path: Path) -> None:
    fake.set_scopes([s for s in required_scopes() if s != "users:read.email"] + ["channels:read"])

    results = run_slack(settings_for(fake, tmp_path))

    assert line(results, "scopes").status is Status.PASS
    email = line(results, "scope users:read.email")
    assert email.status is Status.SKIP and "only needed in Identity Center mode" in email.detail
    assert exit_code(results) == 0


def test_email_scope_granted_to_an_iam_user_deployment_is_not_called_unused(fake: FakeSlack, tmp_path: Path) -> None:
    results = run_slack(settings_for(fake, tmp_path))

    assert line(results, "scopes").status is Status.PASS
    assert "scope users:read.email" not in statuses(results)


def test_email_scope_is_required_in_identity_center_mode(fake: FakeSlack, tmp_path: Path) -> None:
    fake.set_scopes([s for s in required_scopes() if s != "users:read.email"] + ["channels:read"])

    results = run_slack(settings_for(fake, tmp_path, **IC_MODE))

    scopes = line(results, "scopes")
    assert scopes.status is Status.FAIL and "users:read.email" in scopes.detail
    assert "scope users:read.email" not in statuses(results)
    assert exit_code(results) == 1


def test_scopes_the_bot_never_uses_are_a_warning(fake: FakeSlack, tmp_path: Path) -> None:
    fake.set_scopes([*required_scopes(), "channels:read", "channels:history", "chat:write.public"])

    scopes = line(run_slack(settings_for(fake, tmp_path)), "scopes")

    assert scopes.status is Status.WARN
    assert "channels:history, chat:write.public" in scopes.detail
    assert "channels:read" not in scopes.detail  # asked for by this check itself


def test_required_scopes_come_from_the_manifest(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.yml"
    manifest.write_text("oauth_config:\n  scopes:\n    bot:\n      - commands\n      - reactions:write\n")

    assert "usergroups:read" in required_scopes()
    assert required_scopes(manifest) == ["commands", "reactions:write"]


def test_bot_not_in_the_channel_fails_with_the_invite_command(fake: FakeSlack, tmp_path: Path) -> None:
    fake.set_channel(CHANNEL, name="amplify-leads", is_member=False)

    channel = line(run_slack(settings_for(fake, tmp_path)), "approval channel")

    assert channel.status is Status.FAIL
    assert "/invite @amplify-dev" in channel.detail and "#amplify-leads" in channel.detail


def test_unknown_channel_fails(fake: FakeSlack, tmp_path: Path) -> None:
    channel = line(
        run_slack(settings_for(fake, tmp_path, AMPLIFY_DEV_APPROVAL_CHANNEL="C0NOWHERE")), "approval channel"
    )

    assert channel.status is Status.FAIL
    assert "C0NOWHERE not found" in channel.detail and "AMPLIFY_DEV_APPROVAL_CHANNEL" in channel.detail


def test_archived_channel_fails(fake: FakeSlack, tmp_path: Path) -> None:
    fake.set_channel(CHANNEL, name="old-leads", is_archived=True)

    assert line(run_slack(settings_for(fake, tmp_path)), "approval channel").status is Status.FAIL


def test_channel_is_skipped_not_passed_without_channels_read(fake: FakeSlack, tmp_path: Path) -> None:
    fake.set_scopes(required_scopes())  # exactly the manifest: conversations.info is refused

    results = run_slack(settings_for(fake, tmp_path))

    channel = line(results, "approval channel")
    assert channel.status is Status.SKIP
    assert "/invite @amplify-dev" in channel.detail and "channels:read" in channel.detail
    assert line(results, "scopes").status is Status.PASS
    assert exit_code(results) == 0


def test_audit_channel_is_checked_too_when_set(fake: FakeSlack, tmp_path: Path) -> None:
    fake.set_channel("C0AUDIT", name="audit", is_member=False)

    results = run_slack(settings_for(fake, tmp_path, AMPLIFY_DEV_AUDIT_CHANNEL="C0AUDIT"))

    assert line(results, "audit channel").status is Status.FAIL
    assert line(results, "approval channel").status is Status.PASS


def test_unknown_approver_fails_and_deactivated_one_warns(fake: FakeSlack, tmp_path: Path) -> None:
    fake.add_user("UGONE", name="gone", deleted=True)
    fake.add_user("UELSEWHERE", name="ext", team_id="T0OTHER")

    results = run_slack(settings_for(fake, tmp_path, AMPLIFY_DEV_APPROVERS="ULEAD,UNOBODY,UGONE,UELSEWHERE"))

    assert line(results, "approver UNOBODY").status is Status.FAIL
    assert "AMPLIFY_DEV_APPROVERS" in line(results, "approver UNOBODY").detail
    assert line(results, "approver UGONE").status is Status.WARN
    assert line(results, "approver UELSEWHERE").status is Status.WARN
    assert "another workspace" in line(results, "approver UELSEWHERE").detail
    assert line(results, f"approver {LEAD}").status is Status.PASS
    assert exit_code(results) == 1


def test_unknown_group_fails_and_empty_group_warns(fake: FakeSlack, tmp_path: Path) -> None:
    fake.set_usergroup("SEMPTY", [])

    results = run_slack(settings_for(fake, tmp_path, AMPLIFY_DEV_APPROVERS="ULEAD,SNOSUCH,SEMPTY"))

    assert line(results, "approver group SNOSUCH").status is Status.FAIL
    assert line(results, "approver group SEMPTY").status is Status.WARN


def test_socket_mode_token_is_tried(fake: FakeSlack, tmp_path: Path) -> None:
    settings = settings_for(fake, tmp_path, SLACK_APP_TOKEN="xapp-1-test")

    assert line(run_slack(settings), "Socket Mode").status is Status.PASS
    assert fake.calls_to("apps.connections.open")[-1].token == "xapp-1-test"

    fake.fail("apps.connections.open", error="invalid_auth")
    refused = line(run_slack(settings), "Socket Mode")
    assert refused.status is Status.FAIL
    assert "invalid_auth" in refused.detail and "connections:write" in refused.detail


# --- AWS, one fault at a time -------------------------------------------------------------------------


def test_missing_policy_fails(fake: FakeSlack, iam_client: Any, tmp_path: Path) -> None:
    missing = "arn:aws:iam::aws:policy/NoSuchPolicy"
    results = run(settings_for(fake, tmp_path, AMPLIFY_DEV_POLICY_ARNS=missing), iam_client)

    policy = line(results, "policy NoSuchPolicy")
    assert policy.status is Status.FAIL
    assert "does not exist" in policy.detail and "AMPLIFY_DEV_POLICY_ARNS" in policy.detail
    assert exit_code(results) == 1


def test_policy_of_another_account_fails(fake: FakeSlack, iam_client: Any, tmp_path: Path) -> None:
    foreign = "arn:aws:iam::999999999999:policy/theirs"

    policy = line(run(settings_for(fake, tmp_path, AMPLIFY_DEV_POLICY_ARNS=foreign), iam_client), "policy theirs")

    assert policy.status is Status.FAIL
    assert "999999999999" in policy.detail


def test_group_missing_fails_and_existing_passes(fake: FakeSlack, iam_client: Any, tmp_path: Path) -> None:
    settings = settings_for(fake, tmp_path, AMPLIFY_DEV_IAM_GROUP="amplify-developers")

    assert line(run(settings, iam_client), "group amplify-developers").status is Status.FAIL
    iam_client.create_group(GroupName="amplify-developers")
    assert line(run(settings, iam_client), "group amplify-developers").status is Status.PASS


def test_a_configured_group_warns_that_any_user_could_be_added_to_it(
    fake: FakeSlack, iam_client: Any, tmp_path: Path
) -> None:
    iam_client.create_group(GroupName="contractors")
    with_group = run(settings_for(fake, tmp_path, AMPLIFY_DEV_IAM_GROUP="contractors"), iam_client)
    without = run(settings_for(fake, tmp_path), iam_client)

    warning = line(with_group, "group membership")
    assert warning.status is Status.WARN and warning.area == "Risk"
    assert "iam:AddUserToGroup" in warning.detail and "any IAM user in the account to contractors" in warning.detail
    assert exit_code(with_group) == 0
    assert "group membership" not in statuses(without)


def test_boundary_missing_fails_and_existing_one_silences_the_admin_warning(
    fake: FakeSlack, iam_client: Any, tmp_path: Path
) -> None:
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/amplify-dev-boundary"
    settings = settings_for(fake, tmp_path, AMPLIFY_DEV_PERMISSIONS_BOUNDARY=boundary)

    missing = run(settings, iam_client)
    assert line(missing, "boundary amplify-dev-boundary").status is Status.FAIL

    iam_client.create_policy(PolicyName="amplify-dev-boundary", PolicyDocument=BOUNDARY_DOC)
    present = run(settings, iam_client)
    assert line(present, "boundary amplify-dev-boundary").status is Status.PASS
    assert line(present, "admin-equivalent policy").status is Status.PASS


def test_risky_settings_warn_and_safe_ones_do_not(fake: FakeSlack, iam_client: Any, tmp_path: Path) -> None:
    risky = run(
        settings_for(
            fake,
            tmp_path,
            AMPLIFY_DEV_POLICY_ARNS="arn:aws:iam::aws:policy/AdministratorAccess",
            AMPLIFY_DEV_MAX_DAYS="0",
        ),
        iam_client,
    )
    safe = run(
        settings_for(
            fake,
            tmp_path,
            AMPLIFY_DEV_POLICY_ARNS="arn:aws:iam::aws:policy/ReadOnlyAccess",
            AMPLIFY_DEV_ALLOW_CONSOLE="false",
        ),
        iam_client,
    )

    assert "AdministratorAccess without a permissions boundary" in line(risky, "admin-equivalent policy").detail
    assert line(risky, "expiry").status is Status.WARN
    assert exit_code(risky) == 0  # warnings never fail the check
    # Only the long-lived key remains to warn about (the default, access-key), naming the way out.
    assert [r.subject for r in safe if r.area == "Risk"] == ["developer credentials"]
    assert "AMPLIFY_DEV_CREDENTIALS=sign-in" in line(safe, "developer credentials").detail
    assert "amplify-dev:instance=C0APPROVE" in line(safe, "instance").detail  # check reports the instance
    assert "policy IAMUserChangePassword" not in statuses(safe)  # not needed without console access


def test_refused_credentials_fail_and_skip_the_rest_of_aws(fake: FakeSlack, iam_client: Any, tmp_path: Path) -> None:
    def refuse(**kwargs: Any) -> None:
        raise ClientError({"Error": {"Code": "InvalidClientTokenId", "Message": "x"}}, "GetCallerIdentity")

    results = run(settings_for(fake, tmp_path), iam_client, sts_answering(refuse))

    assert line(results, "credentials").status is Status.FAIL
    assert "InvalidClientTokenId" in line(results, "credentials").detail
    assert line(results, "everything else on AWS").status is Status.SKIP
    assert not any(r.subject.startswith("policy ") for r in results)


def test_no_credentials_fail_with_where_to_put_them(fake: FakeSlack, iam_client: Any, tmp_path: Path) -> None:
    def none(**kwargs: Any) -> None:
        raise NoCredentialsError()

    credentials = line(run(settings_for(fake, tmp_path), iam_client, sts_answering(none)), "credentials")

    assert credentials.status is Status.FAIL
    assert "AWS_PROFILE" in credentials.detail


def test_root_credentials_warn_and_cannot_be_simulated(fake: FakeSlack, iam_client: Any, tmp_path: Path) -> None:
    def root(**kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
        return AWSResponse("https://sts", 200, {}, None), {
            "Arn": f"arn:aws:iam::{ACCOUNT}:root",
            "Account": ACCOUNT,
            "UserId": ACCOUNT,
        }

    results = run(settings_for(fake, tmp_path), iam_client, sts_answering(root))

    assert line(results, "credentials").status is Status.WARN
    assert "root" in line(results, "credentials").detail
    assert line(results, "bot's permissions").status is Status.SKIP


# --- the bot's own permissions, through a simulator ----------------------------------------------------


def test_permissions_pass_when_the_simulator_allows_every_call(
    fake: FakeSlack, iam_client: Any, tmp_path: Path
) -> None:
    settings = settings_for(fake, tmp_path, AMPLIFY_DEV_IAM_GROUP="devs")
    simulator = FakePolicySimulator(bot_policy(settings, ACCOUNT)).install(iam_client)

    results = run(settings, iam_client)

    permissions = line(results, "bot's permissions")
    assert permissions.status is Status.PASS
    assert "bot's excess permissions" not in statuses(results)
    assert {r["PolicySourceArn"] for r in simulator.requests} == {f"arn:aws:iam::{ACCOUNT}:user/moto"}
    asked = {a for r in simulator.requests for a in r["ActionNames"]}
    assert {"iam:CreateUser", "iam:AttachUserPolicy", "iam:DeleteUser", "iam:AddUserToGroup"} <= asked


def test_permissions_fail_naming_each_missing_action(fake: FakeSlack, iam_client: Any, tmp_path: Path) -> None:
    settings = settings_for(fake, tmp_path)
    policy = bot_policy(settings, ACCOUNT)
    policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] != "ManageAndDeleteOnlyOwnUsers"]
    FakePolicySimulator(policy).install(iam_client)

    results = run(settings, iam_client)

    permissions = line(results, "bot's permissions")
    assert permissions.status is Status.FAIL
    assert "iam:DeleteUser on" in permissions.detail and "iam:CreateAccessKey on" in permissions.detail
    assert "iam:CreateUser on" not in permissions.detail
    assert exit_code(results) == 1


def test_an_identity_with_broader_rights_passes_but_is_warned(fake: FakeSlack, iam_client: Any, tmp_path: Path) -> None:
    FakePolicySimulator({"Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}).install(iam_client)

    results = run(settings_for(fake, tmp_path), iam_client)

    assert line(results, "bot's permissions").status is Status.PASS
    assert line(results, "bot's excess permissions").status is Status.WARN


def test_permissions_are_skipped_never_passed_when_the_simulator_is_refused(
    fake: FakeSlack, iam_client: Any, tmp_path: Path
) -> None:
    FakePolicySimulator(error="AccessDenied").install(iam_client)

    permissions = line(run(settings_for(fake, tmp_path), iam_client), "bot's permissions")

    assert permissions.status is Status.SKIP
    assert "iam:SimulatePrincipalPolicy" in permissions.detail


def test_permissions_are_skipped_when_the_endpoint_answers_garbage(
    fake: FakeSlack, iam_client: Any, tmp_path: Path
) -> None:
    # What moto's server does for an action it lacks: an HTML 500 page botocore cannot parse.
    FakePolicySimulator(error=ResponseParserError("invalid XML received")).install(iam_client)

    permissions = line(run(settings_for(fake, tmp_path), iam_client), "bot's permissions")

    assert permissions.status is Status.SKIP
    assert "ResponseParserError" in permissions.detail


@pytest.mark.parametrize(
    ("caller", "principal"),
    [
        (f"arn:aws:sts::{ACCOUNT}:assumed-role/amplify-dev-bot/i-0abc", f"arn:aws:iam::{ACCOUNT}:role/amplify-dev-bot"),
        (f"arn:aws:iam::{ACCOUNT}:user/ops/amplify-dev", f"arn:aws:iam::{ACCOUNT}:user/ops/amplify-dev"),
        (f"arn:aws-cn:sts::{ACCOUNT}:assumed-role/r/s", f"arn:aws-cn:iam::{ACCOUNT}:role/r"),
        (f"arn:aws:iam::{ACCOUNT}:root", None),
        (f"arn:aws:sts::{ACCOUNT}:federated-user/bob", None),
    ],
)
def test_principal_arn_for_simulation(caller: str, principal: str | None) -> None:
    assert principal_arn(caller) == principal


# --- sign-in (AMPLIFY_DEV_CREDENTIALS=sign-in) ----------------------------------------------------------------

BLOCKING_BOUNDARY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"amplify:*","Resource":"*"}]}'
LOGIN_BOUNDARY = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"amplify:*","Resource":"*"},'
    '{"Effect":"Allow","Action":["signin:AuthorizeOAuth2Access","signin:CreateOAuth2Token"],'
    '"Resource":"arn:aws:signin:*:*:oauth2/public-client/*"}]}'
)


def test_sign_in_passes_names_no_key_and_checks_the_sign_in_policy_exists(
    fake: FakeSlack, iam_client: Any, tmp_path: Path
) -> None:
    results = run(settings_for(fake, tmp_path, AMPLIFY_DEV_CREDENTIALS="sign-in"), iam_client)

    assert exit_code(results) == 0
    assert line(results, "developer credentials").status is Status.PASS
    assert "aws login" in line(results, "developer credentials").detail
    assert line(results, "policy SignInLocalDevelopmentAccess").status is Status.PASS  # moto's managed copy
    assert "console access" not in statuses(results)  # console sign-in is how sign-in works
    assert "aws login under the boundary" not in statuses(results)  # no boundary: nothing to block it


@pytest.mark.parametrize(
    ("document", "expected"),
    [(BLOCKING_BOUNDARY, Status.FAIL), (LOGIN_BOUNDARY, Status.PASS)],
    ids=["blocks", "allows"],
)
def test_a_boundary_that_blocks_aws_login_fails(
    fake: FakeSlack, iam_client: Any, tmp_path: Path, document: str, expected: Status
) -> None:
    boundary = iam_client.create_policy(PolicyName="amplify-dev-boundary", PolicyDocument=document)["Policy"]["Arn"]
    simulator = FakeCustomPolicySimulator().install(iam_client)
    settings = settings_for(
        fake, tmp_path, AMPLIFY_DEV_CREDENTIALS="sign-in", AMPLIFY_DEV_PERMISSIONS_BOUNDARY=boundary
    )

    result = line(run(settings, iam_client), "aws login under the boundary")

    assert result.status is expected
    if expected is Status.FAIL:
        assert "signin:AuthorizeOAuth2Access (implicitDeny)" in result.detail
        assert "signin:CreateOAuth2Token" in result.detail
    (request,) = simulator.requests
    assert request["ActionNames"] == ["signin:AuthorizeOAuth2Access", "signin:CreateOAuth2Token"]
    assert [json.loads(d) for d in request["PermissionsBoundaryPolicyInputList"]] == [json.loads(document)]
    assert request["ResourceArns"][0].startswith(f"arn:aws:signin:eu-west-1:{ACCOUNT}:oauth2/public-client/")


def test_without_a_simulator_the_boundary_check_is_skipped_never_passed(
    fake: FakeSlack, iam_client: Any, tmp_path: Path
) -> None:
    boundary = iam_client.create_policy(PolicyName="b", PolicyDocument=BLOCKING_BOUNDARY)["Policy"]["Arn"]
    settings = settings_for(
        fake, tmp_path, AMPLIFY_DEV_CREDENTIALS="sign-in", AMPLIFY_DEV_PERMISSIONS_BOUNDARY=boundary
    )

    result = line(run(settings, iam_client), "aws login under the boundary")

    assert result.status is Status.SKIP  # moto has no SimulateCustomPolicy
    assert "signin:AuthorizeOAuth2Access" in result.detail
