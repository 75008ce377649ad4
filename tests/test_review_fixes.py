"""Approvals re-checked when they count (issue 10.4) and keys nobody saw never outliving a failure (issue 10.5)."""

from __future__ import annotations

from store import State
from tests.conftest import DEV, GROUP_LEAD, LEAD, LEAD2, LEADS_GROUP, Bot
from tests.faults.support import fail_iam

USER = "dana.dev-udev"


def keys(bot: Bot) -> list[str]:
    return [k["AccessKeyId"] for k in bot.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]]


# --- 4. approvals re-checked at quorum -----------------------------------------------------------------


def test_an_approval_by_someone_no_longer_a_lead_does_not_complete_the_quorum(make_bot, tmp_path) -> None:
    db = str(tmp_path / "shared.db")
    before = make_bot(db_path=db, AMPLIFY_DEV_REQUIRED_APPROVALS="2")
    before.command(DEV, "request build")
    request_id = before.request_id_for(DEV)
    before.click(LEAD, "amplify_dev_approve", request_id)
    # LEAD is taken off the approvers (the operator restarts the bot with the new list).
    after = make_bot(db_path=db, AMPLIFY_DEV_REQUIRED_APPROVALS="2", AMPLIFY_DEV_APPROVERS=f"{LEAD2},{LEADS_GROUP}")

    after.click(LEAD2, "amplify_dev_approve", request_id)

    request = after.store.get(request_id)
    assert request.state == State.PENDING and request.approvals == (LEAD2,)
    assert after.iam_users() == []
    assert f"<@{LEAD}>" in after.last_reply_text(LEAD2) and "no longer counts" in after.last_reply_text(LEAD2)
    after.click(GROUP_LEAD, "amplify_dev_approve", request_id)
    assert after.store.get(request_id).state == State.ACTIVE


def test_an_extension_approval_by_someone_no_longer_a_lead_does_not_count(make_bot, tmp_path) -> None:
    db = str(tmp_path / "shared.db")
    before = make_bot(db_path=db, AMPLIFY_DEV_REQUIRED_APPROVALS="2")
    before.command(DEV, "request --days 5 x")
    request_id = before.request_id_for(DEV)
    before.click(LEAD, "amplify_dev_approve", request_id)
    before.click(LEAD2, "amplify_dev_approve", request_id)
    before.click(DEV, "amplify_dev_extend", request_id, channel=f"D{DEV}")
    before.click(LEAD, "amplify_dev_extend_approve", request_id)
    ends = before.store.get(request_id).expires_at
    after = make_bot(db_path=db, AMPLIFY_DEV_REQUIRED_APPROVALS="2", AMPLIFY_DEV_APPROVERS=f"{LEAD2},{LEADS_GROUP}")

    after.click(LEAD2, "amplify_dev_extend_approve", request_id)

    request = after.store.get(request_id)
    assert request.expires_at == ends and request.extension_approvals == (LEAD2,)
    assert "no longer counts" in after.last_reply_text(LEAD2)


def test_a_user_group_change_is_seen_at_the_next_click(bot: Bot) -> None:
    bot.command(DEV, "request x")
    request_id = bot.request_id_for(DEV)
    assert bot.workflow.first.approvers.includes(GROUP_LEAD)  # read once, now cached
    bot.slack.set_usergroup(LEADS_GROUP, [])

    bot.event({"type": "subteam_members_changed", "subteam_id": LEADS_GROUP, "team_id": "T0TEAM"})
    bot.click(GROUP_LEAD, "amplify_dev_approve", request_id)

    assert bot.store.get(request_id).state == State.PENDING
    assert "Only the leads" in bot.last_reply_text(GROUP_LEAD)


def test_subteam_updated_also_clears_the_cache(bot: Bot) -> None:
    assert bot.workflow.first.approvers.includes(GROUP_LEAD)
    bot.slack.set_usergroup(LEADS_GROUP, [])
    bot.event({"type": "subteam_updated", "subteam": {"id": LEADS_GROUP}})
    assert not bot.workflow.first.approvers.includes(GROUP_LEAD)


# --- 5. a key nobody saw never outlives its failure ------------------------------------------------


def test_a_key_whose_delivery_and_deletion_failed_is_remembered_and_deleted_by_the_sweep(bot: Bot) -> None:
    request_id = bot.approved_user()
    bot.slack.fail("chat.postEphemeral", error="channel_not_found")
    lift = fail_iam(bot.iam, "DeleteAccessKey", "ServiceFailure")

    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel=f"D{DEV}")

    lost = keys(bot)
    assert len(lost) == 1
    assert bot.store.get(request_id).undelivered_key_ids == tuple(lost)
    lift()
    bot.workflow.sweep()
    assert keys(bot) == []
    assert bot.store.get(request_id).undelivered_key_ids == ()


def test_start_up_recovery_deletes_a_remembered_key(bot: Bot, make_bot) -> None:
    request_id = bot.approved_user()
    bot.slack.fail("chat.postEphemeral", error="channel_not_found")
    lift = fail_iam(bot.iam, "DeleteAccessKey", "ServiceFailure")
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel=f"D{DEV}")
    lift()

    restarted = make_bot(db_path=bot.db_path)
    restarted.workflow.recover()

    assert keys(restarted) == []
    assert restarted.store.get(request_id).undelivered_key_ids == ()


def test_show_credentials_is_not_wedged_by_two_keys_nobody_saw(bot: Bot) -> None:
    request_id = bot.approved_user()
    bot.iam.create_access_key(UserName=USER)  # two keys nobody was ever shown (e.g. lost to failed deletes)
    bot.iam.create_access_key(UserName=USER)

    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel=f"D{DEV}")

    assert len(bot.ephemerals_to(DEV)) == 1
    assert keys(bot) == [bot.store.get(request_id).access_key_id]


def test_rotate_is_not_wedged_by_a_key_nobody_saw(bot: Bot) -> None:
    request_id = bot.approved_user()
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel=f"D{DEV}")
    delivered = bot.store.get(request_id).access_key_id
    stray = bot.iam.create_access_key(UserName=USER)["AccessKey"]["AccessKeyId"]  # at IAM's two-key limit now

    bot.command(DEV, "rotate")

    new = bot.store.get(request_id).access_key_id
    assert new not in (delivered, stray)
    assert keys(bot) == [new]
    assert len(bot.ephemerals_to(DEV)) == 2


def test_the_sweep_tells_a_requester_a_lost_run_never_told(bot: Bot) -> None:
    """SQLite too: a request provisioned but never DMed (the run stopped in between) is finished by the sweep."""
    from store import Fields
    from workflow import STALLED_AFTER

    bot.command(DEV, "request x")
    request_id = bot.request_id_for(DEV)
    bot.store.compare_and_set(request_id, Fields(state=State.PENDING), Fields(state=State.APPROVED, decided_by=LEAD))
    bot.store.compare_and_set(request_id, Fields(state=State.APPROVED), Fields(state=State.ACTIVE))
    bot.workflow.sweep()
    assert not bot.dms_to(DEV)  # not before it is clearly stalled

    bot.clock.advance(seconds=STALLED_AFTER.total_seconds() + 60)
    bot.workflow.sweep()
    bot.workflow.sweep()

    assert len(bot.dms_to(DEV)) == 1
    assert bot.store.get(request_id).dm_ts
