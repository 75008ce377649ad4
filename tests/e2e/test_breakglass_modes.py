"""Break-glass in the Identity Center mode and with several projects (each its own account, channel, leads and
break-glass rules), through signed requests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from audit import SqliteAuditLog
from bot import build_project_clients
from messages import BREAKGLASS_ACK_ACTION
from playground.slack_api import FakeSlack
from settings.projects import load_projects
from store import SqliteRequestStore, State
from tests.clock import FakeClock
from tests.conftest import CHANNEL, DEV, LEAD, LEAD2, Bot, make_settings, message_text, wire_bot
from tests.e2e.test_breakglass import REASON, buttons, events, posts_to
from tests.e2e.test_projects import API_CHANNEL, API_ROLE, WEB_ACCOUNT, WEB_CHANNEL, WEB_ROLE
from tests.fakes.moto_gaps import FakeServiceSpecificCredentials
from tests.identity_center.conftest import START_URL, IdentityCenterWorld, make_ic_bot, world  # noqa: F401

USER = "dana.dev-udev"
PROJECTS = f"""
[projects.web]
description = "Web shop"
account_role_arn = "{WEB_ROLE}"
approval_channel = "{WEB_CHANNEL}"
approvers = ["{LEAD}"]
breakglass_hours = 2
breakglass_users = ["{DEV}"]

[projects.api]
description = "Public API"
account_role_arn = "{API_ROLE}"
approval_channel = "{API_CHANNEL}"
approvers = ["{LEAD2}"]
"""


def test_identity_center_break_glass_assigns_at_once_and_the_sweep_ends_it(
    make_ic_bot: Callable[..., Bot],  # noqa: F811
    world: IdentityCenterWorld,  # noqa: F811
) -> None:
    bot = make_ic_bot(AMPLIFY_DEV_BREAKGLASS_HOURS="3", AMPLIFY_DEV_BREAKGLASS_USERS=DEV)
    bot.command(DEV, f"breakglass {REASON}")

    request = bot.store.open_request_for(DEV)
    assert request.state == State.ACTIVE and request.breakglass and request.assignment_created is True
    assert world.assigned_users() == {world.dana} and len(world.called("CreateAccountAssignment")) == 1
    assert request.expires_at == bot.clock.now + timedelta(hours=3)
    assert START_URL in message_text(bot.dms_to(DEV)[-1].params)  # the normal sign-in DM
    [post] = posts_to(bot, CHANNEL)
    assert "Identity Center permission set" in message_text(post) and buttons(post)
    assert "permission set `AmplifyDeveloper`" in message_text(post)  # its name, as on the approval message
    assert bot.dms_to(LEAD) and len(events(bot, "breakglass")) == 1

    bot.click(LEAD, BREAKGLASS_ACK_ACTION, request.id)
    assert bot.store.get(request.id).breakglass_acked_by == LEAD
    bot.clock.advance(hours=3, minutes=1)
    bot.workflow.sweep()
    assert bot.store.get(request.id).state == State.EXPIRED and world.assigned_users() == set()


def build_bot(slack: FakeSlack, iam_client: Any, tmp_path: Path, clock: FakeClock) -> Bot:
    path = tmp_path / "projects.toml"
    path.write_text(PROJECTS)
    db = str(tmp_path / "projects.db")
    settings = make_settings(slack, db, AMPLIFY_DEV_PROJECTS_FILE=str(path))
    projects = load_projects(settings)
    project_iam = build_project_clients(projects, "eu-west-1")
    for client in project_iam.values():
        FakeServiceSpecificCredentials().install(client)
    store = SqliteRequestStore(db, clock=clock)
    return wire_bot(
        slack, settings, iam_client, store, SqliteAuditLog(db), clock, db, projects=projects, project_iam=project_iam
    )


def test_with_several_projects_break_glass_follows_each_projects_rules(
    slack: FakeSlack, iam_client: Any, tmp_path: Path, clock: FakeClock
) -> None:
    bot = build_bot(slack, iam_client, tmp_path, clock)
    bot.command(DEV, f"breakglass {REASON}")
    assert "--project NAME" in bot.last_reply_text(DEV) and bot.store.latest_for(DEV) is None
    bot.command(DEV, f"breakglass --project api {REASON}")
    assert "not turned on" in bot.last_reply_text(DEV) and bot.store.latest_for(DEV) is None

    bot.command(DEV, f"breakglass --project web {REASON}")
    request = bot.store.open_request_for(DEV, "web")
    assert request.state == State.ACTIVE and request.project == "web"
    assert request.expires_at == clock.now + timedelta(hours=2)
    web_user = bot.workflow.d.project_iam["web"].get_user(UserName=USER)["User"]
    assert f":{WEB_ACCOUNT}:" in web_user["Arn"] and USER not in bot.iam_users()
    [post] = posts_to(bot, WEB_CHANNEL)
    assert "`web`" in message_text(post) and not posts_to(bot, API_CHANNEL)
    assert bot.dms_to(LEAD) and not bot.dms_to(LEAD2)  # the web project's lead, not the API's

    bot.click(LEAD2, BREAKGLASS_ACK_ACTION, request.id, channel=WEB_CHANNEL)
    assert "Only the leads" in bot.last_reply_text(LEAD2)
    bot.click(LEAD, BREAKGLASS_ACK_ACTION, request.id, channel=WEB_CHANNEL)
    assert bot.store.get(request.id).breakglass_acked_by == LEAD
    assert "at most 2 hours" in bot.command(DEV, "help").body
