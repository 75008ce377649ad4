"""Issue 13 end to end: two projects in two AWS accounts (moto routes an assumed role's calls to the account in
its ARN), through signed requests and the fake Slack, refusals included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import ClientError

import bot as bot_module
import iam
from audit import SqliteAuditLog
from bot import build_project_clients
from playground.slack_api import FakeSlack
from settings.projects import load_projects
from store import SqliteRequestStore
from tests.clock import FakeClock
from tests.conftest import DEV, LEAD, LEAD2, SIGNING_SECRET, Bot, make_settings, message_text, wire_bot
from tests.fakes.moto_gaps import FakeServiceSpecificCredentials

WEB_ACCOUNT, API_ACCOUNT = "111111111111", "222222222222"
WEB_ROLE = f"arn:aws:iam::{WEB_ACCOUNT}:role/amplify-dev"
API_ROLE = f"arn:aws:iam::{API_ACCOUNT}:role/amplify-dev"
WEB_CHANNEL, API_CHANNEL = "C0WEB", "C0API"
PROJECTS = f"""
[defaults]
max_days = 60

[projects.web]
description = "Web shop"
account_role_arn = "{WEB_ROLE}"
approval_channel = "{WEB_CHANNEL}"
approvers = ["{LEAD}"]

[projects.api]
description = "Public API"
account_role_arn = "{API_ROLE}"
approval_channel = "{API_CHANNEL}"
approvers = ["{LEAD2}"]
amplify_app_id = "d1abc"
amplify_env = "dev"
"""
USER = "dana.dev-udev"


def build_projects_bot(
    slack: FakeSlack,
    iam_client: Any,
    tmp_path: Path,
    clock: FakeClock,
    *,
    env: dict[str, str] | None = None,
    projects: str = PROJECTS,
    **clients: Any,
) -> Bot:
    """The real app with AMPLIFY_DEV_PROJECTS_FILE (`projects`), each project's IAM client on its assumed role."""
    path = tmp_path / "projects.toml"
    path.write_text(projects)
    db = str(tmp_path / "projects.db")
    settings = make_settings(slack, db, AMPLIFY_DEV_PROJECTS_FILE=str(path), **(env or {}))
    projects = load_projects(settings)
    project_iam = {**build_project_clients(projects, "eu-west-1"), **clients}
    for client in project_iam.values():
        FakeServiceSpecificCredentials().install(client)  # moto lacks ListServiceSpecificCredentials
    store = SqliteRequestStore(db, clock=clock)
    return wire_bot(
        slack, settings, iam_client, store, SqliteAuditLog(db), clock, db, projects=projects, project_iam=project_iam
    )


@pytest.fixture
def pbot(slack: FakeSlack, iam_client: Any, tmp_path: Path, clock: FakeClock) -> Bot:
    return build_projects_bot(slack, iam_client, tmp_path, clock)


def posts_to(bot: Bot, channel: str) -> list[str]:
    return [message_text(c.params) for c in bot.slack.calls_to("chat.postMessage") if c.params["channel"] == channel]


def users_in(bot: Bot, project: str) -> list[str]:
    return [u["UserName"] for u in bot.workflow.d.project_iam[project].list_users()["Users"]]


def test_two_projects_in_two_accounts_end_to_end(pbot: Bot) -> None:
    pbot.command(DEV, "request --project web --console building the shop")
    web_request = pbot.store.open_request_for(DEV, "web")
    assert web_request is not None and web_request.project == "web"
    assert "`web` (Web shop)" in posts_to(pbot, WEB_CHANNEL)[-1] and not posts_to(pbot, API_CHANNEL)

    pbot.command(DEV, "request --project api fixing the API")  # one open request per person *per project*
    api_request = pbot.store.open_request_for(DEV, "api")
    assert api_request is not None and "`api` (Public API)" in posts_to(pbot, API_CHANNEL)[-1]

    # Only that project's approvers decide: the web lead is nobody on the API project.
    pbot.click(LEAD, "amplify_dev_approve", api_request.id, channel=API_CHANNEL)
    assert "Only the leads" in pbot.last_reply_text(LEAD)
    assert pbot.store.get(api_request.id).state == "pending"

    pbot.click(LEAD, "amplify_dev_approve", web_request.id, channel=WEB_CHANNEL)
    pbot.click(LEAD2, "amplify_dev_approve", api_request.id, channel=API_CHANNEL)
    web_iam, api_iam = pbot.workflow.d.project_iam["web"], pbot.workflow.d.project_iam["api"]
    web_user = web_iam.get_user(UserName=USER)["User"]
    api_user = api_iam.get_user(UserName=USER)["User"]
    assert iam.account_id_from_arn(web_user["Arn"]) == WEB_ACCOUNT
    assert iam.account_id_from_arn(api_user["Arn"]) == API_ACCOUNT
    assert USER not in pbot.iam_users()  # nothing in the bot's own account
    web_tags = {t["Key"]: t["Value"] for t in web_iam.list_user_tags(UserName=USER)["Tags"]}
    api_tags = {t["Key"]: t["Value"] for t in api_iam.list_user_tags(UserName=USER)["Tags"]}
    assert web_tags["amplify-dev:project"] == "web" and api_tags["amplify-dev:project"] == "api"

    pbot.click(DEV, "amplify_dev_show_credentials", api_request.id, channel="DUDEV")
    shown = message_text(pbot.ephemerals_to(DEV)[-1].params)
    assert "amplify pull --appId d1abc --envName dev" in shown
    pbot.click(DEV, "amplify_dev_show_credentials", web_request.id, channel="DUDEV")
    shown = message_text(pbot.ephemerals_to(DEV)[-1].params)
    assert "amplify pull --appId" not in shown and f"https://{WEB_ACCOUNT}.signin.aws.amazon.com" in shown

    status = message_text(pbot.workflow.status(DEV).to_kwargs())
    assert "`web` (Web shop)" in status and "`api` (Public API)" in status

    # A lead of one project cannot list or remove in the other.
    pbot.command(LEAD, "list --project api")
    assert "Only the leads" in pbot.last_reply_text(LEAD)
    pbot.command(LEAD, f"remove --project api <@{DEV}>")
    assert "Only the leads" in pbot.last_reply_text(LEAD)
    assert USER in users_in(pbot, "api")
    pbot.command(LEAD, "list")
    listed = pbot.last_reply_text(LEAD)
    assert "`web`" in listed and "`api`" not in listed

    pbot.command(LEAD, f"remove --project web <@{DEV}>")
    assert USER not in users_in(pbot, "web") and USER in users_in(pbot, "api")
    pbot.command(DEV, "rotate")  # one active access left: no need to name it
    assert "new access key" in pbot.last_reply_text(DEV)


def test_a_request_for_an_unknown_project_gets_the_list_of_projects(pbot: Bot) -> None:
    pbot.command(DEV, "request --project shop building")
    reply = pbot.last_reply_text(DEV)
    assert "I don't know the project `shop`" in reply and "`web` (Web shop)" in reply and "`api` (Public API)" in reply
    pbot.command(DEV, "request building")
    assert "--project NAME" in pbot.last_reply_text(DEV) and "`api`" in pbot.last_reply_text(DEV)
    assert pbot.store.open_requests_for(DEV) == []


def test_the_form_has_a_project_select_and_files_in_the_chosen_project(pbot: Bot) -> None:
    view = pbot.workflow.request_form({}).to_dict()
    select = view["blocks"][0]
    assert select["block_id"] == "project"
    assert [o["value"] for o in select["element"]["options"]] == ["web", "api"]
    payload_values = {"project": {"project_input": {"type": "static_select", "selected_option": {"value": "api"}}}}
    assert payload_values  # the submission below carries the select's value like Slack does
    import json
    from urllib.parse import urlencode

    body = {
        "type": "view_submission",
        "team": {"id": "T0TEAM"},
        "user": {"id": DEV, "team_id": "T0TEAM"},
        "api_app_id": "A0APP",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": "amplify_dev_request",
            "private_metadata": "{}",
            "state": {
                "values": {
                    **payload_values,
                    "reason": {"reason_input": {"type": "plain_text_input", "value": "from the form"}},
                    "days": {"days_input": {"type": "number_input", "value": "5"}},
                }
            },
        },
    }
    assert pbot.dispatch(urlencode({"payload": json.dumps(body)})).status == 200
    assert pbot.store.open_request_for(DEV, "api").reason == "from the form"


def test_one_project_left_without_a_projects_file_keeps_the_old_messages(bot: Bot) -> None:
    bot.command(DEV, "request building")
    assert "Project" not in message_text(bot.approval_post().params)
    assert bot.store.open_request_for(DEV).project == "default"


def test_assumed_role_credentials_are_refreshable_and_refreshed_near_expiry(
    iam_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = boto3.Session()  # the bot's own credentials, which call AssumeRole
    calls: list[str] = []
    source._session.register("before-call.sts.*", lambda model, **_: calls.append(model.name))
    session = iam.assumed_role_session(API_ROLE, "eu-west-1", source=source)
    credentials = session.get_credentials()
    assert isinstance(credentials, RefreshableCredentials)
    assert calls == []  # deferred: nothing is assumed until the first call
    first = credentials.get_frozen_credentials().access_key
    assert iam.caller_account(session, "eu-west-1") == API_ACCOUNT
    assert not credentials.refresh_needed()
    # 55 minutes later the hour-long credentials are inside botocore's refresh window: the next use renews them.
    later = datetime.now(UTC) + timedelta(minutes=55)
    monkeypatch.setattr("botocore.credentials._local_now", lambda: later)  # the fetcher's cache's clock
    monkeypatch.setattr(credentials, "_time_fetcher", lambda: later)  # the credentials' own clock
    assert credentials.refresh_needed()
    assert credentials.get_frozen_credentials().access_key != first
    assert calls.count("AssumeRole") == 2  # renewed by botocore, on use, through STS


def _unassumable_client(role_arn: str) -> Any:
    source = boto3.Session()

    def refuse(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not trusted"}}, "AssumeRole")

    source._session.register("before-call.sts.AssumeRole", refuse)
    return iam.iam_client_from(iam.assumed_role_session(role_arn, "eu-west-1", source=source), "eu-west-1")


def test_a_project_whose_role_cannot_be_assumed_is_reported_and_the_others_go_on(
    slack: FakeSlack, iam_client: Any, tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    pbot = build_projects_bot(slack, iam_client, tmp_path, clock, api=_unassumable_client(API_ROLE))
    pbot.command(DEV, "request --project web --days 3 building")
    pbot.click(LEAD, "amplify_dev_approve", pbot.store.open_request_for(DEV, "web").id, channel=WEB_CHANNEL)
    assert USER in users_in(pbot, "web")

    clock.advance(days=4)
    pbot.workflow.sweep(reconcile=True)
    assert USER not in users_in(pbot, "web")  # the web project's expiry ran
    assert any("cannot list the IAM users" in p and "AccessDenied" in p for p in posts_to(pbot, API_CHANNEL))

    from workflow import upkeep

    sweep = upkeep.sweep

    def broken(project: Any, **kwargs: Any) -> None:
        if project.name == "api":
            raise RuntimeError("boom")
        sweep(project, **kwargs)

    monkeypatch.setattr(upkeep, "sweep", broken)
    pbot.command(DEV, "request --project web --days 1 again")
    pbot.click(LEAD, "amplify_dev_approve", pbot.store.open_request_for(DEV, "web").id, channel=WEB_CHANNEL)
    clock.advance(days=2)
    pbot.workflow.sweep()
    assert USER not in users_in(pbot, "web")
    assert any("cannot work on the project `api`" in p for p in posts_to(pbot, API_CHANNEL))


def test_a_bad_projects_file_stops_the_bot_naming_file_project_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "projects.toml"
    path.write_text('[projects.web]\napprovers = ["bob"]\n')
    monkeypatch.chdir(tmp_path)  # no .env here
    for name, value in {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "AMPLIFY_DEV_APPROVAL_CHANNEL": "C0APPROVE",
        "AMPLIFY_DEV_APPROVERS": LEAD,
        "AMPLIFY_DEV_PROJECTS_FILE": str(path),
    }.items():
        monkeypatch.setenv(name, value)
    assert bot_module.main(["run"]) == 2
    error = capsys.readouterr().err
    assert f"projects file {path}: project 'web', key 'approvers'" in error and "bob" in error


def test_each_project_gets_its_own_weekly_review_once(
    slack: FakeSlack, iam_client: Any, tmp_path: Path, clock: FakeClock
) -> None:
    from settings import WEEKDAYS

    bot = build_projects_bot(
        slack, iam_client, tmp_path, clock, env={"AMPLIFY_DEV_REVIEW_SCHEDULE": WEEKDAYS[clock().weekday()]}
    )

    bot.workflow.sweep()
    bot.workflow.sweep()

    for channel in (WEB_CHANNEL, API_CHANNEL):
        reviews = [t for t in posts_to(bot, channel) if "Access review" in t]
        assert len(reviews) == 1, (channel, reviews)


def test_the_bot_sends_the_projects_external_id_when_it_assumes_its_role(
    iam_client: Any, tmp_path: Path, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = boto3.Session()
    sent: list[dict[str, Any]] = []
    source._session.register("provide-client-params.sts.AssumeRole", lambda params, **_: sent.append(dict(params)))
    session = iam.assumed_role_session(API_ROLE, "eu-west-1", source=source, external_id="ext-id-of-the-api-project")
    assert iam.caller_account(session, "eu-west-1") == API_ACCOUNT
    assert [p.get("ExternalId") for p in sent] == ["ext-id-of-the-api-project"]

    # And the bot's wiring hands each project's external_id from the projects file to that session.
    path = tmp_path / "projects.toml"
    path.write_text(
        PROJECTS.replace('amplify_env = "dev"', 'amplify_env = "dev"\nexternal_id = "ext-id-of-the-api-project"')
    )
    projects = load_projects(make_settings(slack, str(tmp_path / "x.db"), AMPLIFY_DEV_PROJECTS_FILE=str(path)))
    asked: dict[str | None, str | None] = {}
    real = iam.project_session

    def spy(role_arn: str | None, region: str, **kwargs: Any) -> Any:
        asked[role_arn] = kwargs.get("external_id")
        return real(role_arn, region, **kwargs)

    monkeypatch.setattr(iam, "project_session", spy)
    build_project_clients(projects, "eu-west-1")
    assert asked == {WEB_ROLE: None, API_ROLE: "ext-id-of-the-api-project"}
