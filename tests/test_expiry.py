"""Time-bound access: AWS-enforced expiry, the sweep, reminders, extensions, drift and off-boarding."""

from __future__ import annotations

import json
from datetime import UTC, timedelta

from store import State
from tests.conftest import CHANNEL, DEV, LEAD, LEAD2, OTHER, TEAM, Bot, message_text

USER = "dana.dev-udev"


def expiry_policy(bot: Bot, user: str = USER) -> dict:
    document = bot.iam.get_user_policy(UserName=user, PolicyName="amplify-dev-expiry")["PolicyDocument"]
    return json.loads(document) if isinstance(document, str) else document


def tags(bot: Bot, user: str = USER) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in bot.iam.list_user_tags(UserName=user)["Tags"]}


def channel_texts(bot: Bot) -> str:
    return "\n".join(
        message_text(c.params) for c in bot.slack.calls_to("chat.postMessage") if c.params["channel"] == CHANNEL
    )


def test_inline_deny_policy_is_exactly_right_and_goes_with_the_user(bot: Bot) -> None:
    request_id = bot.approved_user(text="request --days 14 x")
    request = bot.store.get(request_id)
    assert request.expires_at == request.decided_at + timedelta(days=14)
    iso = request.expires_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert expiry_policy(bot) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AmplifyDevAccessExpired",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"DateGreaterThan": {"aws:CurrentTime": iso}},
            }
        ],
    }
    assert tags(bot)["amplify-dev:expires-at"] == iso
    assert "14 days" in message_text(bot.slack.calls_to("chat.postMessage")[0].params)  # approvers saw it
    bot.command(DEV, "remove")
    assert USER not in bot.iam_users()


def test_request_above_the_maximum_is_refused_with_the_limit_named(make_bot) -> None:
    bot = make_bot(AMPLIFY_DEV_MAX_DAYS="20", AMPLIFY_DEV_DEFAULT_DAYS="10")
    bot.command(DEV, "request --days 21 x")
    assert bot.store.latest_for(DEV) is None
    assert "at most 20 days" in bot.last_reply_text(DEV)
    bot.command(DEV, "request --days 0 x")
    assert bot.store.latest_for(DEV) is None and "without an end date is turned off" in bot.last_reply_text(DEV)


def test_no_expiry_only_when_the_operator_sets_max_days_zero(make_bot) -> None:
    bot = make_bot(AMPLIFY_DEV_MAX_DAYS="0")
    request_id = bot.approved_user(text="request --days 0 x")
    assert bot.store.get(request_id).expires_at is None
    assert "amplify-dev:expires-at" not in tags(bot)
    assert bot.iam.list_user_policies(UserName=USER)["PolicyNames"] == []


def test_sweep_revokes_exactly_the_expired_users(make_bot, slack) -> None:
    bot = make_bot(AMPLIFY_DEV_MAX_DAYS="0")
    slack.add_user("UEARLY", display_name="early")
    slack.add_user("ULATE", display_name="late")
    slack.add_user("UEVER", display_name="ever")
    early = bot.approved_user("UEARLY", text="request --days 1 x")
    late = bot.approved_user("ULATE", text="request --days 5 x")
    ever = bot.approved_user("UEVER", text="request --days 0 x")

    bot.clock.advance(days=1, minutes=1)
    bot.workflow.sweep()
    assert bot.store.get(early).state == State.EXPIRED
    assert bot.store.get(late).state == State.ACTIVE and bot.store.get(ever).state == State.ACTIVE
    assert sorted(bot.iam_users()) == ["ever-uever", "late-ulate"]
    assert "access expired" in channel_texts(bot)
    assert "reached its end date" in message_text(bot.dms_to("UEARLY")[-1].params)

    calls = len(bot.slack.calls)
    bot.workflow.sweep()  # nothing new: no repeated notices
    assert len(bot.slack.calls) == calls
    bot.click(LEAD, "amplify_dev_approve", early)
    assert bot.store.get(early).state == State.EXPIRED


def test_reminders_go_once_each_with_an_extend_button(bot: Bot) -> None:
    bot.approved_user(text="request --days 10 x")
    bot.clock.advance(days=5)
    bot.workflow.sweep()
    assert len(bot.dms_to(DEV)) == 1  # only the approval DM
    bot.clock.advance(days=2, hours=1)  # day 7, one hour in
    bot.workflow.sweep()
    bot.workflow.sweep()
    reminders = [c for c in bot.dms_to(DEV) if "expires soon" in c.params["text"]]
    assert len(reminders) == 1
    buttons = [e for b in reminders[0].params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons[0]["text"]["text"] == "Extend"
    bot.clock.advance(days=2)  # day 9, one hour in
    bot.workflow.sweep()
    bot.workflow.sweep()
    assert len([c for c in bot.dms_to(DEV) if "expires soon" in c.params["text"]]) == 2


def test_extension_moves_store_tag_and_policy_together(bot: Bot) -> None:
    request_id = bot.approved_user(text="request --days 10 x")
    before = bot.store.get(request_id).expires_at
    bot.click(DEV, "amplify_dev_extend", request_id, channel="DUDEV")
    assert bot.store.get(request_id).extension_days == 30
    ask = [c for c in bot.slack.calls_to("chat.postMessage") if "extend" in c.params["text"]][-1]
    labels = [e["text"]["text"] for b in ask.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert labels == ["Approve", "Deny"]

    bot.click(DEV, "amplify_dev_extend_approve", request_id)  # never one's own
    bot.click(OTHER, "amplify_dev_extend_approve", request_id)  # never a non-approver
    assert bot.store.get(request_id).expires_at == before

    bot.click(LEAD, "amplify_dev_extend_approve", request_id)
    request = bot.store.get(request_id)
    assert request.expires_at == before + timedelta(days=30)
    iso = request.expires_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert tags(bot)["amplify-dev:expires-at"] == iso
    assert expiry_policy(bot)["Statement"][0]["Condition"]["DateGreaterThan"]["aws:CurrentTime"] == iso
    assert "extended your AWS Amplify access" in message_text(bot.dms_to(DEV)[-1].params)

    bot.click(LEAD2, "amplify_dev_extend_approve", request_id)  # a second click extends nothing
    assert bot.store.get(request_id).expires_at == request.expires_at


def test_extension_that_aws_refuses_leaves_the_old_expiry_everywhere(bot: Bot) -> None:
    from tests.faults.support import fail_iam

    request_id = bot.approved_user(text="request --days 10 x")
    before = bot.store.get(request_id).expires_at
    bot.click(DEV, "amplify_dev_extend", request_id, channel="DUDEV")
    fail_iam(bot.iam, "PutUserPolicy")
    bot.click(LEAD, "amplify_dev_extend_approve", request_id)
    assert bot.store.get(request_id).expires_at == before
    assert "refused the extension" in bot.last_reply_text(LEAD)


def test_status_and_list_show_the_expiry(bot: Bot) -> None:
    request_id = bot.approved_user(text="request --days 10 x")
    epoch = int(bot.store.get(request_id).expires_at.timestamp())
    assert f"<!date^{epoch}^" in bot.command(DEV, "status").body
    bot.command(LEAD, "list")
    assert f"<!date^{epoch}^" in bot.last_reply_text(LEAD)


def test_drift_is_removed_closed_or_reported(bot: Bot) -> None:
    ours = [{"Key": "amplify-dev:slack-user-id", "Value": "UGONE"}, {"Key": "amplify-dev:request-id", "Value": "rold"}]
    bot.iam.create_user(UserName="orphan-ugone", Path="/amplify-dev/", Tags=ours)
    bot.iam.create_user(UserName="stranger", Path="/amplify-dev/")
    bot.iam.create_user(UserName="outside", Path="/people/")
    request_id = bot.approved_user()
    bot.iam.delete_user_policy(UserName=USER, PolicyName="amplify-dev-expiry")
    for p in bot.iam.list_attached_user_policies(UserName=USER)["AttachedPolicies"]:
        bot.iam.detach_user_policy(UserName=USER, PolicyArn=p["PolicyArn"])
    bot.iam.delete_user(UserName=USER)  # deleted behind the bot's back

    findings = bot.workflow.reconcile()
    # Our tags, but a request this store never held: reported, never deleted (issue 10: it may be another
    # deployment's user, or this bot's database was lost). tests/test_instances.py covers the deletions.
    assert "orphan-ugone" in bot.iam_users()
    assert "stranger" in bot.iam_users() and "outside" in bot.iam_users()  # not ours: untouched
    assert bot.iam.list_user_tags(UserName="stranger")["Tags"] == []
    assert bot.store.get(request_id).state == State.REVOKED
    text = "\n".join(findings)
    assert "orphan-ugone" in text and "stranger" in text and USER in text and "outside" not in text
    assert "Drift" in channel_texts(bot)
    posts = len(bot.slack.calls_to("chat.postMessage"))
    bot.workflow.reconcile()  # the stranger is reported once per process
    assert len(bot.slack.calls_to("chat.postMessage")) == posts


def test_a_restart_neither_loses_nor_repeats_a_scheduled_expiry(make_bot) -> None:
    bot = make_bot()
    request_id = bot.approved_user(text="request --days 1 x")
    second = make_bot(db_path=bot.db_path)  # a restarted (or second) process on the same store
    bot.clock.advance(days=1, minutes=5)  # both processes read the same clock
    second.workflow.sweep()
    bot.workflow.sweep()
    assert second.store.get(request_id).state == State.EXPIRED
    assert bot.iam_users() == []
    assert len([c for c in bot.slack.calls_to("chat.postMessage") if "access expired" in message_text(c.params)]) == 1


def test_deactivated_slack_user_loses_access_at_once(bot: Bot) -> None:
    request_id = bot.approved_user()
    event = {"type": "user_change", "user": {"id": DEV, "team_id": TEAM, "deleted": True}}
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": TEAM,
            "api_app_id": "A0APP",
            "event": event,
            "event_id": "Ev1",
            "event_time": 1,
        }
    )
    response = bot.dispatch(body, content_type="application/json")
    assert response.status == 200
    assert bot.store.get(request_id).state == State.REVOKED
    assert bot.iam_users() == []
    assert "deactivated" in channel_texts(bot)


def test_active_user_change_does_nothing(bot: Bot) -> None:
    request_id = bot.approved_user()
    event = {"type": "user_change", "user": {"id": DEV, "team_id": TEAM, "deleted": False}}
    body = json.dumps({"type": "event_callback", "team_id": TEAM, "api_app_id": "A0APP", "event": event})
    bot.dispatch(body, content_type="application/json")
    assert bot.store.get(request_id).state == State.ACTIVE


def test_two_approvals_apply_to_extensions_too(make_bot) -> None:
    bot = make_bot(AMPLIFY_DEV_REQUIRED_APPROVALS="2")
    bot.command(DEV, "request --days 10 x")
    request_id = bot.request_id_for(DEV)
    bot.click(LEAD, "amplify_dev_approve", request_id)
    bot.click(LEAD2, "amplify_dev_approve", request_id)
    before = bot.store.get(request_id).expires_at
    bot.click(DEV, "amplify_dev_extend", request_id, channel="DUDEV")
    bot.click(LEAD, "amplify_dev_extend_approve", request_id)
    bot.click(LEAD, "amplify_dev_extend_approve", request_id)  # the same lead twice counts once
    assert bot.store.get(request_id).expires_at == before
    bot.click(LEAD2, "amplify_dev_extend_approve", request_id)
    assert bot.store.get(request_id).expires_at == before + timedelta(days=30)


def test_an_expiry_is_a_revocation_by_the_bot_stored_as_no_one(bot: Bot) -> None:
    from store import RevokeReason
    from workflow.outcomes import Actor, Ended
    from workflow.upkeep import expire_active

    request_id = bot.approved_user(text="request --days 1 x")
    bot.clock.advance(days=1, minutes=1)

    outcome = expire_active(bot.workflow.first, bot.store.get(request_id))

    assert outcome is not None and (outcome.ended, outcome.why, outcome.by) == (
        Ended.REVOKED,
        RevokeReason.EXPIRED,
        Actor.BOT,
    )
    assert outcome.request.state == "expired" and outcome.request.closed_by is None
    audited = [(e.event, e.actor) for e in bot.workflow.d.audit.events() if e.request_id == request_id]
    assert audited[-2:] == [("revoking", None), ("expired", None)]
