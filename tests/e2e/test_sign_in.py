"""Issue 20 end to end: AMPLIFY_DEV_CREDENTIALS=sign-in through signed requests, moto's IAM and the fake Sign-In.

No flow may ever create an access key in this setting: every test here fails at teardown if CreateAccessKey was
called (approve, Show credentials, rotate, extend, remove, expiry, off-boarding, drift, recovery, review). Sign-In
calls are asserted as the fake received them (moto has no Sign-In service).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from moto.core import DEFAULT_ACCOUNT_ID

from audit import SqliteAuditLog
from bot import build_project_clients
from ops.review_export import run_review_export
from playground.signin_api import FakeSignin
from playground.slack_api import FakeSlack
from settings.projects import load_projects
from store import Credentials, Fields, SqliteRequestStore, State
from tests.clock import FakeClock
from tests.conftest import CHANNEL, DEV, LEAD, LEAD2, TEAM, Bot, make_settings, message_text, wire_bot
from tests.e2e.test_projects import API_CHANNEL, PROJECTS, WEB_ACCOUNT, WEB_CHANNEL
from tests.fakes.moto_gaps import FakeServiceSpecificCredentials

USER = "dana.dev-udev"
PRINCIPAL = f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:user/{USER}"  # path-less, as the Sign-In calls take it
SIGNIN_POLICY = "SignInLocalDevelopmentAccess"


@pytest.fixture
def iam_calls(iam_client: Any) -> Iterator[list[tuple[str, str, dict[str, Any]]]]:
    """Every IAM call of the test, in order with the Sign-In calls (("iam", op, params)); none may be
    CreateAccessKey."""
    calls: list[tuple[str, str, dict[str, Any]]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls.append(("iam", model.name, dict(params)))

    iam_client.meta.events.register("provide-client-params.iam.*", record)
    yield calls
    assert "CreateAccessKey" not in [op for _, op, _ in calls], "an access key was created in sign-in"


@pytest.fixture
def ordered(iam_calls: list[tuple[str, str, dict[str, Any]]], signin: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """IAM and Sign-In calls in one list, in the order they were made."""

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        iam_calls.append(("signin", model.name, dict(params)))

    signin.meta.events.register("provide-client-params.signin.*", record)
    return iam_calls


@pytest.fixture
def sbot(make_bot: Callable[..., Bot], signin: Any, ordered: list[Any]) -> Bot:
    return make_bot(signin=signin, AMPLIFY_DEV_CREDENTIALS="sign-in")


def shown_and_password(bot: Bot) -> tuple[str, str]:
    text = message_text(bot.ephemerals_to(DEV)[-1].params)
    match = re.search(r"Temporary password: `([^`]+)`", text)
    assert match, "no temporary password in the ephemeral"
    return text, match.group(1).replace("&amp;", "&")


def no_key_in_slack(bot: Bot) -> None:
    for call in bot.slack.calls:
        dumped = json.dumps(call.params)
        assert "aws_secret_access_key" not in dumped and not re.search(r"\bA[KS]IA[A-Z0-9]{12,}", dumped)


def approve_and_show(bot: Bot, text: str = "request building the checkout flow") -> tuple[str, str]:
    request_id = bot.approved_user(text=text)
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    return request_id, shown_and_password(bot)[1]


def audit_rows(bot: Bot, event: str) -> list[Any]:
    return [e for e in SqliteAuditLog(bot.db_path).events() if e.event == event]


def test_sign_in_request_approve_show_rotate_remove_end_to_end(
    sbot: Bot, fake_signin: FakeSignin, ordered: list[Any]
) -> None:
    sbot.command(DEV, "request building the checkout flow")  # no --console: sign-in always signs in
    request_id = sbot.request_id_for(DEV)
    sbot.click(LEAD, "amplify_dev_approve", request_id)
    assert sbot.store.get(request_id).console is True
    attached = {p["PolicyName"] for p in sbot.iam.list_attached_user_policies(UserName=USER)["AttachedPolicies"]}
    assert attached == {"AdministratorAccess-Amplify", "IAMUserChangePassword", SIGNIN_POLICY}
    dm = message_text(sbot.dms_to(DEV)[-1].params)
    assert "temporary console password" in dm and "There is no access key" in dm

    sbot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    ephemeral = sbot.ephemerals_to(DEV)[-1]
    assert ephemeral.params["channel"] == "DUDEV" and ephemeral.params["user"] == DEV
    text, password = shown_and_password(sbot)
    assert f"https://{DEFAULT_ACCOUNT_ID}.signin.aws.amazon.com/console" in text
    assert f"User name: `{USER}`" in text
    assert "aws login --profile amplify-dev" in text and "--remote" in text and "2.32.0" in text
    assert "credential_process = aws configure export-credentials --profile amplify-dev --format process" in text
    assert "npx ampx sandbox --profile amplify-dev" in text
    assert sbot.iam.get_login_profile(UserName=USER)["LoginProfile"]["UserName"] == USER
    profile_calls = [p for _, op, p in ordered if op == "CreateLoginProfile"]
    assert profile_calls and profile_calls[-1]["PasswordResetRequired"] is True  # moto ignores it: asserted here
    assert sbot.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"] == []
    # The password is in that one ephemeral only: no other Slack call, the store or the audit trail holds it.
    others = [c for c in sbot.slack.calls if c is not ephemeral]
    assert not [c for c in others if password in json.dumps(c.params)]
    assert password not in Path(sbot.db_path).read_bytes().decode("latin-1")
    assert audit_rows(sbot, "credentials_shown")[-1].detail == "temporary console password"

    sbot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")  # a second click shows nothing
    assert "already shown" in sbot.last_reply_text(DEV) and "new temporary password" in sbot.last_reply_text(DEV)
    assert len(sbot.ephemerals_to(DEV)) == 1

    for _ in range(2):
        fake_signin.create_session(PRINCIPAL)
    sbot.command(DEV, "rotate")
    assert "2 `aws login` sessions were ended" in sbot.last_reply_text(DEV)
    rotated_text, new_password = shown_and_password(sbot)
    assert new_password != password and "ended (2)" in rotated_text
    assert [s.status for s in fake_signin.sessions(PRINCIPAL)] == ["REVOKED", "REVOKED"]
    updates = [p for _, op, p in ordered if op == "UpdateLoginProfile"]
    assert updates and updates[-1]["PasswordResetRequired"] is True
    # The new password first, the sessions after: the old password cannot start a session after the revocation.
    ops = [op for _, op, _ in ordered]
    assert ops.index("UpdateLoginProfile") < ops.index("BatchRevokeSessions")
    assert "2 sign-in session(s) revoked" in audit_rows(sbot, "rotated")[-1].detail

    fake_signin.page_size = 2  # three open sessions on two pages: every page must be read
    for _ in range(3):
        fake_signin.create_session(PRINCIPAL)
    fake_signin.create_session(f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:user/someone-else")
    ordered.clear()
    sbot.command(DEV, "remove")
    assert USER not in sbot.iam_users()
    reply = sbot.last_reply_text(DEV)
    assert "3 `aws login` sessions were ended" in reply and "deleted" in reply
    listed = [p for kind, op, p in ordered if op == "ListSessions"]
    assert {p["principalArn"] for p in listed} == {PRINCIPAL} and len(fake_signin.calls_to("ListSessions")) >= 2
    assert [s.status for s in fake_signin.sessions(PRINCIPAL)] == ["REVOKED"] * 5
    assert [s.status for s in fake_signin.sessions() if s.principal_arn != PRINCIPAL] == ["ACTIVE"]
    revokes = [p for _, op, p in ordered if op == "BatchRevokeSessions"]
    assert all(len(p["sessionArns"]) <= 5 and p["principalArn"] == PRINCIPAL for p in revokes)
    ops = [op for _, op, _ in ordered]
    assert max(i for i, op in enumerate(ops) if op == "BatchRevokeSessions") < ops.index("DeleteUser")
    assert "3 sign-in session(s) revoked" in audit_rows(sbot, "removed")[-1].detail
    no_key_in_slack(sbot)


def test_expiry_ends_the_sessions_before_deleting_the_user(
    sbot: Bot, fake_signin: FakeSignin, clock: FakeClock, ordered: list[Any]
) -> None:
    request_id, _ = approve_and_show(sbot, "request --days 2 a short task")
    fake_signin.create_session(PRINCIPAL)
    fake_signin.create_session(PRINCIPAL)
    clock.advance(days=3)
    sbot.workflow.sweep()
    assert sbot.store.get(request_id).state == State.EXPIRED and USER not in sbot.iam_users()
    assert [s.status for s in fake_signin.sessions(PRINCIPAL)] == ["REVOKED", "REVOKED"]
    ops = [op for _, op, _ in ordered]
    assert ops.index("BatchRevokeSessions") < ops.index("DeleteUser")
    assert "2 sign-in session(s) revoked" in audit_rows(sbot, "expired")[-1].detail
    channel = [
        message_text(c.params) for c in sbot.slack.calls_to("chat.postMessage") if c.params["channel"] == CHANNEL
    ]
    assert "expired" in channel[-1] and "2 `aws login` sessions were ended" in channel[-1]


def test_offboarding_ends_the_sessions(sbot: Bot, fake_signin: FakeSignin) -> None:
    request_id, _ = approve_and_show(sbot)
    fake_signin.create_session(PRINCIPAL)
    event = {"type": "user_change", "user": {"id": DEV, "team_id": TEAM, "deleted": True}}
    response = sbot.event(event)
    assert response.status == 200
    assert sbot.store.get(request_id).state == State.REVOKED and USER not in sbot.iam_users()
    assert [s.status for s in fake_signin.sessions(PRINCIPAL)] == ["REVOKED"]
    assert "1 sign-in session(s) revoked" in audit_rows(sbot, "removed")[-1].detail


def test_a_failed_revocation_is_audited_and_does_not_stop_the_deletion(sbot: Bot, fake_signin: FakeSignin) -> None:
    request_id, _ = approve_and_show(sbot)
    arns = [fake_signin.create_session(PRINCIPAL) for _ in range(3)]
    fake_signin.fail_revoking(arns[1], "InternalServerException")
    sbot.command(LEAD, f"remove <@{DEV}>")
    assert sbot.store.get(request_id).state == State.REVOKED and USER not in sbot.iam_users()
    failed = audit_rows(sbot, "failed")[-1]
    assert failed.outcome == "InternalServerException" and "2 sign-in session(s) revoked, 1 not" in failed.detail
    assert "2 sign-in session(s) revoked, 1 not" in audit_rows(sbot, "removed")[-1].detail
    assert "1 could not be" in sbot.last_reply_text(LEAD)


def test_drift_deletion_ends_the_sessions_of_a_user_that_outlived_its_request(
    sbot: Bot, fake_signin: FakeSignin, ordered: list[Any]
) -> None:
    request_id, _ = approve_and_show(sbot)
    fake_signin.create_session(PRINCIPAL)
    # The removal was recorded but never reached IAM (a crash between the two).
    sbot.store.compare_and_set(request_id, Fields(state=State.ACTIVE), Fields(state=State.REVOKED))
    ordered.clear()
    findings = sbot.workflow.reconcile()
    assert any("outlived its closed request" in f for f in findings) and USER not in sbot.iam_users()
    assert [s.status for s in fake_signin.sessions(PRINCIPAL)] == ["REVOKED"]
    ops = [op for _, op, _ in ordered]
    assert ops.index("BatchRevokeSessions") < ops.index("DeleteUser")
    row = [e for e in audit_rows(sbot, "removed") if e.outcome == "drift"][-1]
    assert "1 sign-in session(s) revoked" in row.detail


def test_a_restart_while_showing_deletes_the_password_nobody_saw(sbot: Bot, signin: Any, iam_client: Any) -> None:
    request_id = sbot.approved_user()
    sbot.iam.create_login_profile(UserName=USER, Password="Lost-Password-123!", PasswordResetRequired=True)
    sbot.store.compare_and_set(
        request_id, Fields(credentials=Credentials.NONE), Fields(credentials=Credentials.MINTING)
    )
    sbot.workflow.recover()
    assert sbot.store.get(request_id).credentials == Credentials.NONE
    with pytest.raises(iam_client.exceptions.NoSuchEntityException):
        sbot.iam.get_login_profile(UserName=USER)
    sbot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")  # a fresh one, once
    assert shown_and_password(sbot)[1] != "Lost-Password-123!"


def test_extend_moves_the_expiry_and_makes_no_key(sbot: Bot) -> None:
    request_id, _ = approve_and_show(sbot, "request --days 5 a task")
    before = sbot.store.get(request_id).expires_at
    sbot.click(DEV, "amplify_dev_extend", request_id, channel="DUDEV")
    assert sbot.store.get(request_id).extension_days is not None
    sbot.click(LEAD, "amplify_dev_extend_approve", request_id)
    assert sbot.store.get(request_id).expires_at > before


def test_review_reads_the_sessions_and_says_key_age_does_not_apply(
    sbot: Bot, fake_signin: FakeSignin, clock: FakeClock, signin: Any
) -> None:
    approve_and_show(sbot)
    clock.advance(days=10)  # past "never used" (7 days after Show credentials): the sessions count as use
    used = int((clock() - timedelta(days=1)).timestamp())
    fake_signin.create_session(PRINCIPAL, issued_at=used - 3600, last_used_at=used)
    fake_signin.create_session(PRINCIPAL, issued_at=used - 7200)
    sbot.command(LEAD, "review")
    text = sbot.last_reply_text(LEAD)
    assert "key age: not applicable (sign-in, no access key)" in text and "`aws login` last used 1 day ago" in text
    assert "*never used*" not in text and ":warning:" not in text
    assert {c.body["principalArn"] for c in fake_signin.calls_to("ListSessions")} == {PRINCIPAL}
    assert len(fake_signin.calls_to("GetSession")) == 2

    out = io.StringIO()
    exported = run_review_export(
        sbot.settings, out, fmt="jsonl", store=sbot.store, iam_client=sbot.iam, signin_client=signin, now=clock()
    )
    assert exported == 0
    row = json.loads(out.getvalue().splitlines()[0])
    assert row["key_created_at"] == "not applicable (sign-in, no access key)" and row["keys"] is False
    assert row["signin_last_used"].startswith((clock() - timedelta(days=1)).date().isoformat())


SIGN_IN_WEB = PROJECTS.replace('approval_channel = "C0WEB"', 'approval_channel = "C0WEB"\ncredentials = "sign-in"')


def test_one_project_signs_in_the_other_keeps_its_access_key(
    slack: FakeSlack, iam_client: Any, tmp_path: Path, clock: FakeClock, signin: Any, fake_signin: FakeSignin
) -> None:
    assert "credentials" in SIGN_IN_WEB
    path = tmp_path / "projects.toml"
    path.write_text(SIGN_IN_WEB)
    db = str(tmp_path / "projects.db")
    settings = make_settings(slack, db, AMPLIFY_DEV_PROJECTS_FILE=str(path))
    projects = load_projects(settings)
    assert projects["web"].credentials == "sign-in" and projects["api"].credentials == "access-key"
    project_iam = build_project_clients(projects, "eu-west-1")
    created: dict[str, int] = {"web": 0, "api": 0}
    for name, client in project_iam.items():
        FakeServiceSpecificCredentials().install(client)
        client.meta.events.register(
            "before-call.iam.CreateAccessKey", lambda name=name, **_: created.__setitem__(name, created[name] + 1)
        )
    store = SqliteRequestStore(db, clock=clock)
    pbot = wire_bot(
        slack,
        settings,
        iam_client,
        store,
        SqliteAuditLog(db),
        clock,
        db,
        projects=projects,
        project_iam=project_iam,
        project_signin={"web": signin},
    )
    pbot.command(DEV, "request --project web the shop")
    pbot.command(DEV, "request --project api the API")
    web, api = store.open_request_for(DEV, "web"), store.open_request_for(DEV, "api")
    pbot.click(LEAD, "amplify_dev_approve", web.id, channel=WEB_CHANNEL)
    pbot.click(LEAD2, "amplify_dev_approve", api.id, channel=API_CHANNEL)
    pbot.click(DEV, "amplify_dev_show_credentials", web.id, channel="DUDEV")
    web_text = message_text(pbot.ephemerals_to(DEV)[-1].params)
    pbot.click(DEV, "amplify_dev_show_credentials", api.id, channel="DUDEV")
    api_text = message_text(pbot.ephemerals_to(DEV)[-1].params)
    assert "aws login --profile amplify-dev" in web_text and "aws_access_key_id" not in web_text
    assert "aws_access_key_id = " in api_text and "aws login" not in api_text
    assert created == {"web": 0, "api": 1}

    web_principal = f"arn:aws:iam::{WEB_ACCOUNT}:user/{USER}"
    fake_signin.create_session(web_principal)
    pbot.command(DEV, "remove --project web")
    pbot.command(DEV, "remove --project api")
    assert [s.status for s in fake_signin.sessions(web_principal)] == ["REVOKED"]
    # Only the sign-in project asked Sign-In anything.
    assert {c.body.get("principalArn") for c in fake_signin.calls} == {web_principal}


def test_a_restart_mid_rotation_removes_the_password_nobody_saw(sbot: Bot, iam_client: Any) -> None:
    request_id, _ = approve_and_show(sbot)
    sbot.store.compare_and_set(
        request_id, Fields(credentials=Credentials.SHOWN), Fields(credentials=Credentials.ROTATING)
    )
    sbot.workflow.recover()
    assert sbot.store.get(request_id).credentials == Credentials.SHOWN
    with pytest.raises(iam_client.exceptions.NoSuchEntityException):
        sbot.iam.get_login_profile(UserName=USER)
    dm = message_text(sbot.dms_to(DEV)[-1].params)
    assert "new AWS password" in dm and "rotate" in dm and "key" not in dm
    sbot.command(DEV, "rotate")  # no login profile left: rotate makes a new one
    assert shown_and_password(sbot)[1]
    assert sbot.iam.get_login_profile(UserName=USER)["LoginProfile"]["UserName"] == USER


def test_a_rotation_whose_revocation_partly_fails_says_so_and_audits_it(sbot: Bot, fake_signin: FakeSignin) -> None:
    request_id, _ = approve_and_show(sbot)
    arns = [fake_signin.create_session(PRINCIPAL) for _ in range(2)]
    fake_signin.fail_revoking(arns[0], "InternalServerException")
    sbot.command(DEV, "rotate")
    assert "1 could not be" in sbot.last_reply_text(DEV)
    assert "1 of your `aws login` sessions were ended, 1 could not be" in shown_and_password(sbot)[0]
    failed = audit_rows(sbot, "failed")[-1]
    assert failed.outcome == "InternalServerException" and failed.request_id == request_id


def test_a_deletion_stopped_by_iam_keeps_the_count_of_sessions_ended(sbot: Bot, fake_signin: FakeSignin) -> None:
    from botocore.exceptions import ClientError

    request_id, _ = approve_and_show(sbot)
    fake_signin.create_session(PRINCIPAL)

    def refuse(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "ServiceFailure", "Message": "x"}}, "DeleteUser")

    sbot.iam.meta.events.register("before-call.iam.DeleteUser", refuse, unique_id="refuse-delete")
    sbot.command(DEV, "remove")
    assert sbot.store.get(request_id).state == State.REVOKING
    failed = audit_rows(sbot, "failed")[-1]
    assert failed.detail == "removal at DeleteUser; 1 sign-in session(s) revoked"
    sbot.iam.meta.events.unregister("before-call.iam.DeleteUser", unique_id="refuse-delete")
    sbot.command(DEV, "remove")  # the retry finds no active session left and finishes
    assert sbot.store.get(request_id).state == State.REVOKED and USER not in sbot.iam_users()
    assert "0 sign-in session(s) revoked" in audit_rows(sbot, "removed")[-1].detail


def test_the_home_tab_offers_a_new_password_and_no_access_key(sbot: Bot) -> None:
    approve_and_show(sbot)
    sbot.event({"type": "app_home_opened", "user": DEV, "channel": "DUDEV", "tab": "home"})
    view = sbot.slack.calls_to("views.publish")[-1].params
    text = message_text(
        {"blocks": json.loads(view["view"])["blocks"] if isinstance(view["view"], str) else view["view"]["blocks"]}
    )
    assert "New temporary password" in text and "no access key" in text
    assert "Access key" not in text and "Rotate access key" not in text


def test_the_form_asks_nothing_about_the_console_in_sign_in_and_help_names_both_kinds(
    sbot: Bot, make_bot: Callable[..., Bot]
) -> None:
    sbot.command(DEV, "")
    view = json.dumps(sbot.slack.calls_to("views.open")[-1].params)
    assert "console_input" not in view  # sign-in is console sign-in: nothing to ask for
    keys = make_bot(AMPLIFY_DEV_ALLOW_CONSOLE="true")
    keys.command(DEV, "")
    assert "console_input" in json.dumps(keys.slack.calls_to("views.open")[-1].params)
    assert "new temporary password" in sbot.command(DEV, "help").body


def test_a_removal_reads_the_user_once_then_ends_its_sessions_and_deletes_it(
    sbot: Bot, fake_signin: FakeSignin, ordered: list[tuple[str, str, dict[str, Any]]]
) -> None:
    approve_and_show(sbot)
    fake_signin.create_session(PRINCIPAL)
    ordered.clear()
    sbot.command(DEV, "remove")
    assert USER not in sbot.iam_users()
    ops = [op for _, op, _ in ordered]
    assert ops.count("GetUser") == 1 and ops.index("GetUser") < ops.index("ListSessions") < ops.index("DeleteUser")
