"""Amplify sandboxes left behind, end to end through signed requests: the DM's identifier, the stacks named in the
removal notice (remove, expiry, off-boarding) and in the access review, read-only CloudFormation in moto with
stacks named the Amplify way, nothing called with the report off, and a listing failure that blocks nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest

from amplify_sandboxes import is_valid_identifier
from audit import SqliteAuditLog
from bot import build_project_clients, build_sandbox_clients
from playground.slack_api import FakeSlack
from settings.projects import load_projects
from store import SqliteRequestStore, State
from tests.clock import FakeClock
from tests.conftest import CHANNEL, DEV, LEAD, LEAD2, OTHER, TEAM, Bot, make_settings, message_text, wire_bot
from tests.e2e.sandbox_support import live_stacks, make_sandbox, record_calls, refuse_listing
from tests.e2e.test_projects import API_CHANNEL, PROJECTS, WEB_CHANNEL
from tests.fakes.moto_gaps import FakeServiceSpecificCredentials

DEV_NAME = "dana.dev-udev"  # the IAM user name of the fake Slack's Dana
DEV_SANDBOX = "danadev-udev"  # what `ampx` takes of it: the `.` dropped
OTHER_SANDBOX = "oscar-uother"
REPORT = {"AMPLIFY_DEV_SANDBOX_REPORT": "true"}


@pytest.fixture
def cloudformation(iam_client: Any) -> Any:
    """moto's CloudFormation in the bot's own account (inside iam_client's mock)."""
    return boto3.client("cloudformation", region_name="eu-west-1")


def channel_posts(bot: Bot, channel: str = CHANNEL) -> list[str]:
    return [message_text(c.params) for c in bot.slack.calls_to("chat.postMessage") if c.params["channel"] == channel]


def delete_command(stack: str) -> str:
    return f"aws cloudformation delete-stack --stack-name {stack} --region eu-west-1"


# --- the DM -----------------------------------------------------------------------------------------------


def test_the_dm_tells_the_developer_to_name_their_sandbox_after_their_iam_user(
    make_bot: Callable[..., Bot], slack: FakeSlack
) -> None:
    bot = make_bot()
    request_id = bot.approved_user()

    command = f"npx ampx sandbox --profile amplify-dev --identifier {DEV_SANDBOX}"
    assert command in message_text(bot.dms_to(DEV)[-1].params)
    assert f"your IAM user name `{DEV_NAME}` made to fit `ampx`" in message_text(bot.dms_to(DEV)[-1].params)
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel=f"D{DEV}")
    assert f"Gen 2: `{command}`" in message_text(bot.ephemerals_to(DEV)[-1].params)
    shown_dm = [c for c in slack.calls_to("chat.update") if c.params.get("channel") == f"D{DEV}"][-1]
    assert command in message_text(shown_dm.params)  # the advice outlives the Show credentials button


def test_a_name_longer_than_ampx_takes_is_cut_at_the_front_and_the_dm_says_so(
    make_bot: Callable[..., Bot], slack: FakeSlack
) -> None:
    slack.add_user("U0JANE42", name="jane", real_name="Jane Doe-Smithson", display_name="Jane Doe-Smithson")
    bot = make_bot()
    bot.approved_user("U0JANE42")

    name = bot.store.open_request_for("U0JANE42").iam_user_name
    dm = message_text(bot.dms_to("U0JANE42")[-1].params)
    assert name == "jane.doe-smithson-u0jane42" and len(name) > 15
    assert "--identifier janedo-u0jane42`" in dm and is_valid_identifier("janedo-u0jane42")
    assert "cut at the front, keeping the Slack ID at its end" in dm


# --- the removal notice -----------------------------------------------------------------------------------


def _remove(bot: Bot) -> None:
    bot.command(LEAD, f"remove <@{DEV}>")


def _expire(bot: Bot) -> None:
    bot.clock.advance(days=31)
    bot.workflow.sweep()


def _offboard(bot: Bot) -> None:
    bot.event({"type": "user_change", "user": {"id": DEV, "team_id": TEAM, "deleted": True}})


@pytest.mark.parametrize("end", [_remove, _expire, _offboard], ids=["remove", "expiry", "off-boarding"])
def test_the_removal_notice_names_the_developers_sandboxes_with_the_command_that_deletes_each(
    make_bot: Callable[..., Bot], cloudformation: Any, end: Callable[[Bot], None]
) -> None:
    shop = make_sandbox(cloudformation, DEV_SANDBOX, "shop-web")
    admin = make_sandbox(cloudformation, "DanaDev-udev", "admin-app")  # typed in another case: still Dana's
    theirs = make_sandbox(cloudformation, OTHER_SANDBOX)
    bot = make_bot(cloudformation=cloudformation, **REPORT)
    request_id = bot.approved_user(text="request --days 30 building the shop")
    calls = record_calls(cloudformation)

    end(bot)

    assert bot.store.get(request_id).state in (State.REVOKED, State.EXPIRED)
    notice = next(p for p in reversed(channel_posts(bot)) if "Amplify sandbox" in p)
    assert f"<@{DEV}> still has 2 Amplify sandbox stacks" in notice and "amplify-dev deletes nothing" in notice
    assert delete_command(shop) in notice and delete_command(admin) in notice
    assert theirs not in notice
    assert {shop, admin, theirs} <= live_stacks(cloudformation)  # the bot deleted nothing
    assert "ListStacks" in calls and set(calls) <= {"ListStacks", "DescribeStacks"}


def test_a_listing_failure_does_not_hold_up_the_removal_and_the_notice_says_so(
    make_bot: Callable[..., Bot], cloudformation: Any
) -> None:
    make_sandbox(cloudformation, DEV_SANDBOX)
    bot = make_bot(cloudformation=cloudformation, **REPORT)
    request_id = bot.approved_user()
    refuse_listing(cloudformation)

    bot.command(LEAD, f"remove <@{DEV}>")

    assert bot.store.get(request_id).state == State.REVOKED
    assert DEV_NAME not in bot.iam_users()
    notice = channel_posts(bot)[-1]
    assert "removed" in notice and "access" in notice
    assert f"Could not look for <@{DEV}>'s Amplify sandbox stacks (cloudformation:ListStacks: AccessDenied)" in notice


def test_with_the_report_off_no_cloudformation_call_is_made(make_bot: Callable[..., Bot], cloudformation: Any) -> None:
    make_sandbox(cloudformation, DEV_SANDBOX)
    calls = record_calls(cloudformation)
    bot = make_bot(cloudformation=cloudformation)
    request_id = bot.approved_user()
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel=f"D{DEV}")
    bot.command(LEAD, f"remove <@{DEV}>")
    bot.command(LEAD, "review")

    assert calls == []
    assert not any("sandbox" in p.lower() for p in channel_posts(bot))
    assert "sandbox of someone without access" not in bot.last_reply_text(LEAD)


# --- the access review ------------------------------------------------------------------------------------


def test_the_review_flags_the_sandbox_of_someone_without_access(
    make_bot: Callable[..., Bot], cloudformation: Any
) -> None:
    gone = make_sandbox(cloudformation, DEV_SANDBOX)
    still_here = make_sandbox(cloudformation, OTHER_SANDBOX)
    bot = make_bot(cloudformation=cloudformation, **REPORT)
    bot.approved_user()
    bot.approved_user(OTHER)
    bot.command(LEAD, f"remove <@{DEV}>")

    bot.command(LEAD, "review")

    review = bot.last_reply_text(LEAD)
    assert f":warning: *sandbox of someone without access*: <@{DEV}>" in review
    assert delete_command(gone) in review
    assert still_here not in review  # Oscar still holds access: his sandbox is no leftover
    assert "1 person without access with Amplify sandboxes" in review


def test_the_review_says_when_the_sandboxes_could_not_be_listed(
    make_bot: Callable[..., Bot], cloudformation: Any
) -> None:
    bot = make_bot(cloudformation=cloudformation, **REPORT)
    bot.approved_user()
    bot.command(LEAD, f"remove <@{DEV}>")
    refuse_listing(cloudformation, "Throttling")

    bot.command(LEAD, "review")

    assert "Could not look for Amplify sandboxes of people without access (cloudformation:ListStacks: Throttling)" in (
        bot.last_reply_text(LEAD)
    )


# --- several projects: each lists in its own account ------------------------------------------------------


def test_each_project_names_only_the_sandboxes_in_its_own_account(
    slack: FakeSlack, iam_client: Any, cloudformation: Any, tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "projects.toml"
    path.write_text(PROJECTS)
    db = str(tmp_path / "projects.db")
    settings = make_settings(slack, db, AMPLIFY_DEV_PROJECTS_FILE=str(path), **REPORT)
    projects = load_projects(settings)
    sessions: dict[str, Any] = {}
    project_iam = build_project_clients(projects, "eu-west-1", sessions)
    for client in project_iam.values():
        FakeServiceSpecificCredentials().install(client)
    own, project_cloudformation = build_sandbox_clients(projects, "eu-west-1", sessions, lambda: cloudformation)
    assert own is None and set(project_cloudformation) == {"web", "api"}  # both projects have their own role
    web_stack = make_sandbox(project_cloudformation["web"], DEV_SANDBOX, "shop-web")
    api_stack = make_sandbox(project_cloudformation["api"], DEV_SANDBOX, "public-api")
    bots_own = make_sandbox(cloudformation, DEV_SANDBOX, "internal-tools")
    assert web_stack not in live_stacks(project_cloudformation["api"])  # two accounts indeed
    bot = wire_bot(
        slack,
        settings,
        iam_client,
        SqliteRequestStore(db, clock=clock),
        SqliteAuditLog(db),
        clock,
        db,
        projects=projects,
        project_iam=project_iam,
        cloudformation=None,
        project_cloudformation=project_cloudformation,
    )
    for project, lead, channel in (("web", LEAD, WEB_CHANNEL), ("api", LEAD2, API_CHANNEL)):
        bot.command(DEV, f"request --project {project} building it")
        request = bot.store.open_request_for(DEV, project)
        bot.click(lead, "amplify_dev_approve", request.id, channel=channel)

    bot.command(LEAD, f"remove --project web <@{DEV}>")
    web_notice = channel_posts(bot, WEB_CHANNEL)[-1]
    assert web_stack in web_notice and api_stack not in web_notice and bots_own not in web_notice

    bot.command(LEAD2, f"remove --project api <@{DEV}>")
    api_notice = channel_posts(bot, API_CHANNEL)[-1]
    assert api_stack in api_notice and web_stack not in api_notice and bots_own not in api_notice
