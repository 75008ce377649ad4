"""Regressions from the code review: races and partial failures that must still end in a clean state."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from settings import SettingsError
from store import Credentials, State
from tests.conftest import DEV, GOOD_ENV_FOR_TESTS, LEAD, Bot, message_text
from tests.faults.support import fail_iam
from workflow.upkeep import expire_active

USER = "dana.dev-udev"


def test_drift_check_does_not_close_a_request_whose_user_listusers_has_not_caught_up(bot: Bot) -> None:
    request_id = bot.approved_user()

    def lagging_list(**_: Any) -> tuple[AWSResponse, dict]:
        return AWSResponse("https://iam.amazonaws.com/", 200, {}, None), {"Users": [], "IsTruncated": False}

    bot.iam.meta.events.register_first("before-call.iam.ListUsers", lagging_list)
    bot.workflow.reconcile()
    bot.iam.meta.events.unregister("before-call.iam.ListUsers", lagging_list)
    assert bot.store.get(request_id).state == State.ACTIVE
    assert USER in bot.iam_users()


def test_expiry_from_a_stale_snapshot_does_not_undo_an_extension(bot: Bot) -> None:
    request_id = bot.approved_user(text="request --days 10 x")
    stale = bot.store.get(request_id)
    bot.click(DEV, "amplify_dev_extend", request_id, channel="DUDEV")
    bot.click(LEAD, "amplify_dev_extend_approve", request_id)
    bot.clock.advance(days=11)
    expire_active(bot.workflow.first, stale)  # a sweep that read the request before the extension
    assert bot.store.get(request_id).state == State.ACTIVE
    assert USER in bot.iam_users()


def _expiry_tag_and_policy(bot: Bot) -> tuple[str, Any]:
    tags = {t["Key"]: t["Value"] for t in bot.iam.list_user_tags(UserName=USER)["Tags"]}
    policy = bot.iam.get_user_policy(UserName=USER, PolicyName="amplify-dev-expiry")["PolicyDocument"]
    return tags["amplify-dev:expires-at"], policy


@pytest.mark.parametrize("action", ["amplify_dev_extend_approve", "amplify_dev_extend_deny"])
def test_an_extension_decided_while_the_access_is_being_removed_changes_nothing(
    bot: Bot, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    request_id = bot.approved_user(text="request --days 10 x")
    bot.click(DEV, "amplify_dev_extend", request_id, channel="DUDEV")
    ends, expiry_at_aws = bot.store.get(request_id).expires_at, _expiry_tag_and_policy(bot)
    from handlers import verbs
    from workflow import extensions

    authorize = extensions.may_decide_on  # runs on the request the click read, before the write

    def remove_between_the_read_and_the_write(project: Any, actor: str, request: Any) -> Any:
        decision = authorize(project, actor, request)
        lift = fail_iam(bot.iam, "ListAccessKeys", times=1)  # the removal starts, its user still there
        verbs.remove(bot.workflow, DEV)
        lift()
        return decision

    monkeypatch.setattr(extensions, "may_decide_on", remove_between_the_read_and_the_write)
    dms = len(bot.dms_to(DEV))

    bot.click(LEAD, action, request_id)

    request = bot.store.get(request_id)
    assert request.state == State.REVOKING and request.expires_at == ends
    assert _expiry_tag_and_policy(bot) == expiry_at_aws
    assert not [c for c in bot.dms_to(DEV)[dms:] if "exten" in message_text(c.params)]
    told = bot.last_reply_text(LEAD)
    assert "being removed by <@UDEV>" in told and "extension was not applied" in told
    assert "Not applied: the access is being removed" in message_text(bot.slack.calls_to("chat.update")[-1].params)
    bot.command(DEV, "remove")  # the removal finishes
    events = [(e.event, e.actor) for e in bot.workflow.d.audit.events() if e.request_id == request_id]
    assert ("extension_requested", DEV) in events and events[-1] == ("removed", DEV)
    assert not {"extended", "extension_denied"} & {event for event, _ in events}
    assert bot.iam_users() == []


def test_failed_resumed_provisioning_removes_the_users_own_leftovers(bot: Bot) -> None:
    bot.command(DEV, "request x")
    request_id = bot.request_id_for(DEV)
    tags = [{"Key": "amplify-dev:slack-user-id", "Value": DEV}, {"Key": "amplify-dev:request-id", "Value": request_id}]
    bot.iam.create_user(UserName=USER, Path="/amplify-dev/", Tags=tags)  # an earlier attempt's user
    fail_iam(bot.iam, "AttachUserPolicy")
    bot.click(LEAD, "amplify_dev_approve", request_id)
    assert bot.store.get(request_id).state == State.FAILED
    assert USER not in bot.iam_users()
    assert "removed again" in bot.last_reply_text(LEAD)


def test_create_access_key_failing_after_aws_created_it_leaves_no_key(bot: Bot) -> None:
    request_id = bot.approved_user()
    fired = []

    def lost_answer(**_: Any) -> None:
        if not fired:
            fired.append(1)
            raise ClientError(
                {"Error": {"Code": "ServiceFailure"}, "ResponseMetadata": {"HTTPStatusCode": 500}}, "CreateAccessKey"
            )

    bot.iam.meta.events.register("after-call.iam.CreateAccessKey", lost_answer)
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    assert bot.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"] == []
    assert bot.store.get(request_id).credentials == Credentials.NONE
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    assert len(bot.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]) == 1


def test_recovery_finishes_an_expiry_as_an_expiry(make_bot) -> None:
    bot = make_bot()
    request_id = bot.approved_user(text="request --days 1 x")
    fail_iam(bot.iam, "DeleteUser", times=1)
    bot.clock.advance(days=2)
    bot.workflow.sweep()
    assert bot.store.get(request_id).state == State.REVOKING
    fresh = make_bot(db_path=bot.db_path)  # the restarted process reads the same (advanced) clock
    fresh.workflow.recover()
    assert fresh.store.get(request_id).state == State.EXPIRED
    last = [e for e in fresh.workflow.d.audit.events() if e.request_id == request_id][-1]
    assert (last.event, last.actor) == ("expired", None)


def test_sweep_retries_a_stalled_removal(bot: Bot) -> None:
    request_id = bot.approved_user()
    fail_iam(bot.iam, "DeleteUser", times=1)
    bot.command(DEV, "remove")
    assert bot.store.get(request_id).state == State.REVOKING
    bot.clock.advance(minutes=6)
    bot.workflow.sweep()
    assert bot.store.get(request_id).state == State.REVOKED
    assert bot.iam_users() == []


def test_lead_withdrawing_a_pending_request_tells_the_requester(bot: Bot) -> None:
    bot.command(DEV, "request x")
    bot.command(LEAD, "remove <@UDEV>")
    assert bot.store.latest_for(DEV).state == State.CANCELLED
    assert "withdrew your pending" in message_text(bot.dms_to(DEV)[-1].params)


@pytest.mark.parametrize("path", ["//", "/a//b/", "/", "amplify"])
def test_iam_paths_iam_rejects_are_refused_at_start(path: str) -> None:
    from settings import load_settings

    with pytest.raises(SettingsError, match="AMPLIFY_DEV_IAM_PATH"):
        load_settings({**GOOD_ENV_FOR_TESTS, "AMPLIFY_DEV_IAM_PATH": path})
