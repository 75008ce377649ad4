"""The process killed between any two steps: on restart, recovery finishes or rolls back every request."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from store import Credentials, State
from tests.conftest import DEV, LEAD, Bot, message_text
from tests.faults.support import Crash, crash_after_iam

USER = "dana.dev-udev"


def restart(make_bot: Callable[..., Bot], bot: Bot, caplog: pytest.LogCaptureFixture) -> Bot:
    """A new process on the same database, IAM and Slack; it runs the start-up recovery."""
    caplog.set_level(logging.INFO)
    fresh = make_bot(db_path=bot.db_path)
    fresh.workflow.recover()
    assert "start-up recovery" in caplog.text
    return fresh


def keys(bot: Bot) -> list[str]:
    return [k["AccessKeyId"] for k in bot.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]]


@pytest.mark.parametrize("operation", ["CreateUser", "AttachUserPolicy"])
def test_crash_during_provisioning_is_finished_on_restart(make_bot, caplog, operation: str) -> None:
    bot = make_bot()
    lift = crash_after_iam(bot.iam, operation)
    request_id = bot.approved_user()
    assert bot.store.get(request_id).state == State.APPROVED  # the process died mid-way
    lift()
    fresh = restart(make_bot, bot, caplog)
    request = fresh.store.get(request_id)
    assert request.state == State.ACTIVE
    assert fresh.iam_users() == [USER]
    attached = fresh.iam.list_attached_user_policies(UserName=USER)["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AdministratorAccess-Amplify"]
    assert len(fresh.dms_to(DEV)) == 1 and request.dm_ts


def test_crash_before_the_dm_sends_it_on_restart(make_bot, caplog, monkeypatch) -> None:
    bot = make_bot()
    original = bot.workflow.d.slack.send_dm

    def die(*args, **kwargs):
        raise Crash("before DM")

    monkeypatch.setattr(bot.workflow.d.slack, "send_dm", die)
    request_id = bot.approved_user()
    assert bot.store.get(request_id).state == State.ACTIVE and not bot.dms_to(DEV)
    monkeypatch.setattr(bot.workflow.d.slack, "send_dm", original)
    fresh = restart(make_bot, bot, caplog)
    assert len(fresh.dms_to(DEV)) == 1
    assert fresh.store.get(request_id).dm_ts


def test_crash_before_the_approval_post_posts_it_on_restart(make_bot, caplog, monkeypatch) -> None:
    bot = make_bot()

    def die(*args, **kwargs):
        raise Crash("before approval post")

    monkeypatch.setattr(bot.workflow.d.slack, "post_message", die)
    bot.command(DEV, "request x")
    request = bot.store.open_request_for(DEV)
    assert request.state == State.PENDING and not request.approval_ts
    monkeypatch.undo()
    fresh = restart(make_bot, bot, caplog)
    assert fresh.store.get(request.id).approval_ts
    fresh.click(LEAD, "amplify_dev_approve", request.id)
    assert fresh.store.get(request.id).state == State.ACTIVE


@pytest.mark.parametrize("point", ["after CreateAccessKey", "after the ephemeral was posted"])
def test_crash_while_showing_credentials_deletes_what_was_minted(make_bot, caplog, monkeypatch, point: str) -> None:
    bot = make_bot()
    request_id = bot.approved_user(text="request --console x")
    if point == "after CreateAccessKey":
        crash_after_iam(bot.iam, "CreateAccessKey")
    else:
        original = bot.workflow.d.slack.post_ephemeral

        def post_then_die(*args, **kwargs):
            original(*args, **kwargs)
            raise Crash(point)

        monkeypatch.setattr(bot.workflow.d.slack, "post_ephemeral", post_then_die)
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    assert bot.store.get(request_id).credentials == Credentials.MINTING
    assert len(keys(bot)) == 1
    monkeypatch.undo()
    fresh = restart(make_bot, bot, caplog)
    assert keys(fresh) == []  # a key nobody is known to have seen does not stay alive
    assert fresh.store.get(request_id).credentials == Credentials.NONE
    assert "restarted while showing" in message_text(fresh.dms_to(DEV)[-1].params)
    fresh.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    assert len(keys(fresh)) == 1


def test_crash_during_rotate_keeps_the_previous_key(make_bot, caplog) -> None:
    bot = make_bot()
    request_id = bot.approved_user()
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    old = bot.store.get(request_id).access_key_id
    crash_after_iam(bot.iam, "CreateAccessKey")
    bot.command(DEV, "rotate")
    assert len(keys(bot)) == 2
    fresh = restart(make_bot, bot, caplog)
    assert keys(fresh) == [old]
    assert fresh.store.get(request_id).credentials == Credentials.SHOWN


@pytest.mark.parametrize("operation", ["DeleteAccessKey", "DetachUserPolicy"])
def test_crash_during_remove_is_finished_on_restart(make_bot, caplog, operation: str) -> None:
    bot = make_bot()
    request_id = bot.approved_user()
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    crash_after_iam(bot.iam, operation)
    bot.command(DEV, "remove")
    assert bot.store.get(request_id).state == State.REVOKING
    fresh = restart(make_bot, bot, caplog)
    assert fresh.store.get(request_id).state == State.REVOKED
    assert fresh.iam_users() == []


def test_recovery_with_nothing_to_do_touches_nothing(make_bot, caplog) -> None:
    bot = make_bot()
    request_id = bot.approved_user()
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    calls = len(bot.slack.calls)
    fresh = make_bot(db_path=bot.db_path)
    assert fresh.workflow.recover() == 0
    assert [c.method for c in bot.slack.calls[calls:]] == ["auth.test"]


def test_crash_before_the_extension_reaches_the_leads_is_cleared_on_restart(make_bot, caplog, monkeypatch) -> None:
    bot = make_bot()
    request_id = bot.approved_user(text="request --days 10 x")

    def die(*args, **kwargs):
        raise Crash("before the extension post")

    monkeypatch.setattr(bot.workflow.d.slack, "post_message", die)
    bot.click(DEV, "amplify_dev_extend", request_id, channel="DUDEV")
    assert bot.store.get(request_id).extension_days == 30 and not bot.store.get(request_id).extension_ts
    monkeypatch.undo()
    fresh = restart(make_bot, bot, caplog)
    assert fresh.store.get(request_id).extension_days is None
    fresh.click(DEV, "amplify_dev_extend", request_id, channel="DUDEV")
    assert fresh.store.get(request_id).extension_ts  # asking again works
