"""Issue 22: the bot deletes no assignment it did not create, with several projects, under a race; the Identity
Store user is the one resolved when the request was filed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from audit import SqliteAuditLog
from playground.slack_api import FakeSlack
from settings.projects import load_projects
from store import Fields, SqliteRequestStore, State
from tests.clock import FakeClock
from tests.conftest import DEV, LEAD, LEAD2, OTHER, Bot, make_settings, message_text, wire_bot
from tests.identity_center.conftest import ACCOUNT, START_URL, IdentityCenterWorld
from tests.identity_center.test_flow import channel_texts

WEB_CHANNEL, API_CHANNEL = "C0WEB", "C0API"
DEV2 = "UDEVTWO"  # a second Slack account with Dana's email (e.g. a guest account, or one from a merger)


def deletions(world: IdentityCenterWorld) -> list[str]:
    return [d["PrincipalId"] for d in world.called("DeleteAccountAssignment")]


def test_drift_reports_and_keeps_an_assignment_given_by_hand_after_remove(
    ic_bot: Bot, world: IdentityCenterWorld
) -> None:
    ic_bot.approved_user()
    ic_bot.command(DEV, "remove")
    assert world.assigned_users() == set()
    world.assign(world.dana)  # an administrator gives Dana the same permission set by hand

    findings = ic_bot.workflow.reconcile()
    assert world.assigned_users() == {world.dana} and deletions(world) == [world.dana]  # only remove's own
    assert any("dana@example.com" in f and "reported, not deleted" in f for f in findings)
    assert not any("removed" in f for f in findings)


@pytest.fixture
def projects_bot(
    slack: FakeSlack, iam_client: Any, tmp_path: Path, clock: FakeClock, world: IdentityCenterWorld
) -> Bot:
    """Two projects that grant the same permission set in the same account."""
    table = (
        f'mode = "identity-center"\npermission_set_arn = "{world.permission_set_arn}"\n'
        f'sso_start_url = "{START_URL}"\naccount_id = "{ACCOUNT}"\n'
    )
    path = tmp_path / "projects.toml"
    path.write_text(
        f'[projects.web]\napproval_channel = "{WEB_CHANNEL}"\napprovers = ["{LEAD}"]\n{table}\n'
        f'[projects.api]\napproval_channel = "{API_CHANNEL}"\napprovers = ["{LEAD2}"]\n{table}'
    )
    db = str(tmp_path / "projects.db")
    settings = make_settings(slack, db, AMPLIFY_DEV_PROJECTS_FILE=str(path))
    store = SqliteRequestStore(db, clock=clock)
    return wire_bot(
        slack,
        settings,
        iam_client,
        store,
        SqliteAuditLog(db),
        clock,
        db,
        projects=load_projects(settings),
        grant_clients=world.clients,
    )


def approve_in(bot: Bot, project: str) -> str:
    bot.command(DEV, f"request --project {project} building it")
    request = bot.store.open_request_for(DEV, project)
    assert request is not None
    lead, channel = (LEAD, WEB_CHANNEL) if project == "web" else (LEAD2, API_CHANNEL)
    bot.click(lead, "amplify_dev_approve", request.id, channel=channel)
    assert bot.store.get(request.id).state == State.ACTIVE
    return request.id


def test_one_projects_drift_keeps_the_assignment_another_projects_active_request_relies_on(
    projects_bot: Bot, world: IdentityCenterWorld
) -> None:
    web = approve_in(projects_bot, "web")
    api = approve_in(projects_bot, "api")
    assert projects_bot.store.get(web).assignment_created is True
    assert projects_bot.store.get(api).assignment_created is False  # held already, through web's
    # web's removal "did not finish": its record is closed, the assignment it created is still there.
    projects_bot.store.compare_and_set(web, Fields(state=State.ACTIVE), Fields(state=State.REVOKED))

    projects_bot.workflow.reconcile()
    assert world.assigned_users() == {world.dana} and deletions(world) == []

    projects_bot.command(DEV, "remove --project api")  # the last request relying on it: now it goes
    assert projects_bot.store.get(api).state == State.REVOKED
    projects_bot.workflow.reconcile()
    assert world.assigned_users() == set() and deletions(world) == [world.dana]


def test_removal_in_one_project_leaves_the_assignment_another_project_relies_on(
    projects_bot: Bot, world: IdentityCenterWorld
) -> None:
    web = approve_in(projects_bot, "web")
    api = approve_in(projects_bot, "api")
    projects_bot.command(DEV, "remove --project web")
    assert projects_bot.store.get(web).state == State.REVOKED
    assert world.assigned_users() == {world.dana} and deletions(world) == []
    assert "another open request" in projects_bot.last_reply_text(DEV)
    assert projects_bot.store.get(api).assignment_created is True  # handed over: api's removal deletes it

    projects_bot.command(DEV, "remove --project api")
    assert world.assigned_users() == set() and deletions(world) == [world.dana]


def test_drift_keeps_an_assignment_approved_between_its_store_read_and_its_listing(
    ic_bot: Bot, world: IdentityCenterWorld
) -> None:
    first = ic_bot.approved_user()
    ic_bot.command(DEV, "remove")
    assert ic_bot.store.get(first).state == State.REVOKED
    ic_bot.command(DEV, "request build it again")
    second = ic_bot.request_id_for(DEV)
    approved: list[bool] = []

    def approve_meanwhile(**_: Any) -> None:  # after drift's first store read, before AWS answers its listing
        if not approved:
            approved.append(True)
            ic_bot.click(LEAD, "amplify_dev_approve", second)

    world.clients.sso_admin.meta.events.register(
        "before-call.sso-admin.ListAccountAssignments", approve_meanwhile, unique_id="approve-meanwhile"
    )
    ic_bot.workflow.reconcile()
    world.clients.sso_admin.meta.events.unregister(
        "before-call.sso-admin.ListAccountAssignments", unique_id="approve-meanwhile"
    )
    assert approved and ic_bot.store.get(second).state == State.ACTIVE
    assert world.assigned_users() == {world.dana} and deletions(world) == [world.dana]  # only the first remove


def test_the_identity_store_user_is_resolved_when_filed_and_a_changed_email_is_refused_at_approval(
    ic_bot: Bot, world: IdentityCenterWorld
) -> None:
    ic_bot.command(DEV, "request build the app")
    request = ic_bot.store.get(ic_bot.request_id_for(DEV))
    assert request.identity_store_user_id == world.dana
    assert f"Identity Center user `{world.dana}`" in message_text(ic_bot.approval_post().params)

    someone = world.add_user("dana.new@example.com", "Someone Else")
    ic_bot.slack.add_user(DEV, name="dev", real_name="Dana Developer", email="dana.new@example.com")
    ic_bot.click(LEAD, "amplify_dev_approve", request.id)

    assert ic_bot.store.get(request.id).state == State.FAILED
    assert world.called("CreateAccountAssignment") == [] and world.assigned_users() == set()
    told = channel_texts(ic_bot)
    assert f"now maps to `{someone}`" in told and f"`{world.dana}` the leads were shown" in told
    assert "nothing was granted" in message_text(ic_bot.dms_to(DEV)[-1].params)


def test_two_slack_accounts_of_one_identity_approved_at_once_record_one_creator(
    ic_bot: Bot, world: IdentityCenterWorld
) -> None:
    ic_bot.slack.add_user(DEV2, name="dev2", real_name="Dana Again", email="dana@example.com")
    ic_bot.command(DEV, "request build the app")
    ic_bot.command(DEV2, "request build the app too")
    first, second = ic_bot.request_id_for(DEV), ic_bot.request_id_for(DEV2)
    racing: list[bool] = []

    def approve_the_other_meanwhile(**_: Any) -> None:  # both approvals past their "already held?" look
        if not racing:
            racing.append(True)
            ic_bot.click(LEAD2, "amplify_dev_approve", second)

    sso = world.clients.sso_admin
    sso.meta.events.register(
        "before-call.sso-admin.CreateAccountAssignment", approve_the_other_meanwhile, unique_id="race"
    )
    ic_bot.click(LEAD, "amplify_dev_approve", first)
    sso.meta.events.unregister("before-call.sso-admin.CreateAccountAssignment", unique_id="race")
    created = [ic_bot.store.get(r).assignment_created for r in (first, second)]
    assert racing and sorted(created, key=str) == [False, True]

    ic_bot.command(DEV, "remove")  # whichever recorded creating it, the other still relies on it
    assert world.assigned_users() == {world.dana} and deletions(world) == []
    ic_bot.command(DEV2, "remove")
    assert world.assigned_users() == set()


def test_removal_deletes_even_while_someone_elses_request_has_no_identity_store_user_yet(
    make_ic_bot: Any, world: IdentityCenterWorld
) -> None:
    bot = make_ic_bot(AMPLIFY_DEV_SSO_CREATE_USERS="true")
    bot.approved_user()
    bot.command(OTHER, "request me too")  # Oscar has no Identity Store user: created only if approved
    assert bot.store.get(bot.request_id_for(OTHER)).identity_store_user_id is None
    bot.command(DEV, "remove")
    assert world.assigned_users() == set() and deletions(world) == [world.dana]
