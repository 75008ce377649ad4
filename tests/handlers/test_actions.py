"""Approve, Deny and Show credentials clicks: who may click, and that each click counts once."""

from __future__ import annotations

import pytest

from store import Credentials, State
from tests.conftest import CHANNEL, DEV, GROUP_LEAD, LEAD, LEAD2, OTHER, Bot, message_text

APPROVE, DENY, SHOW = "amplify_dev_approve", "amplify_dev_deny", "amplify_dev_show_credentials"


def pending(bot: Bot, user: str = DEV) -> str:
    bot.command(user, "request need access")
    return bot.request_id_for(user)


def test_requester_cannot_approve_own_request_even_as_approver(bot: Bot) -> None:
    request_id = pending(bot, LEAD)
    bot.click(LEAD, APPROVE, request_id)
    assert bot.store.get(request_id).state == State.PENDING
    assert bot.iam_users() == []
    assert "can't approve or deny your own request" in bot.last_reply_text(LEAD)
    assert bot.replies_to(LEAD)[-1]["response_type"] == "ephemeral"


@pytest.mark.parametrize("action", [APPROVE, DENY])
def test_non_approver_click_changes_nothing(bot: Bot, action: str) -> None:
    request_id = pending(bot)
    bot.click(OTHER, action, request_id)
    assert bot.store.get(request_id).state == State.PENDING
    assert bot.iam_users() == []
    assert not bot.slack.calls_to("chat.update")
    assert "Only the leads" in bot.last_reply_text(OTHER)


def test_user_group_member_may_approve(bot: Bot) -> None:
    request_id = pending(bot)
    bot.click(GROUP_LEAD, APPROVE, request_id)
    assert bot.store.get(request_id).state == State.ACTIVE
    assert bot.store.get(request_id).decided_by == GROUP_LEAD


def test_second_approval_click_creates_nothing(bot: Bot) -> None:
    request_id = pending(bot)
    bot.click(LEAD, APPROVE, request_id)
    bot.click(LEAD, APPROVE, request_id)
    bot.click(LEAD2, APPROVE, request_id)
    assert bot.iam_users() == ["dana.dev-udev"]
    assert len(bot.dms_to(DEV)) == 1
    assert "already handled" in bot.last_reply_text(LEAD2) and "<@ULEAD>" in bot.last_reply_text(LEAD2)


def test_deny_after_approve_changes_nothing(bot: Bot) -> None:
    request_id = pending(bot)
    bot.click(LEAD, APPROVE, request_id)
    bot.click(LEAD2, DENY, request_id)
    assert bot.store.get(request_id).state == State.ACTIVE
    assert bot.iam_users() == ["dana.dev-udev"]


def test_deny_updates_the_message_and_tells_the_requester(bot: Bot) -> None:
    request_id = pending(bot)
    bot.click(LEAD, DENY, request_id)
    assert bot.store.get(request_id).state == State.DENIED
    update = bot.slack.calls_to("chat.update")[-1]
    assert update.params["channel"] == CHANNEL
    assert "Denied by <@ULEAD>" in message_text(update.params)
    assert not [b for b in update.params["blocks"] if b["type"] == "actions"]
    assert "denied your request" in message_text(bot.dms_to(DEV)[-1].params)
    assert bot.iam_users() == []
    bot.command(DEV, "request again please")  # a denied requester may ask again
    assert bot.store.open_request_for(DEV).state == State.PENDING


@pytest.mark.parametrize("value", ["r0000000000000000", "", "garbage <script>", "'; DROP TABLE requests;--"])
def test_clicks_naming_unknown_requests_are_refused(bot: Bot, value: str) -> None:
    pending(bot)
    bot.click(LEAD, APPROVE, value)
    assert "don't know that request" in bot.last_reply_text(LEAD)
    assert bot.store.open_request_for(DEV).state == State.PENDING
    assert bot.iam_users() == []


def test_approval_failure_rolls_back_and_tells_both_sides(bot: Bot) -> None:
    from botocore.exceptions import ClientError

    def refuse(**_: object) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "nope"}}, "AttachUserPolicy")

    bot.iam.meta.events.register("before-call.iam.AttachUserPolicy", refuse)
    request_id = pending(bot)
    bot.click(LEAD, APPROVE, request_id)
    request = bot.store.get(request_id)
    assert request.state == State.FAILED
    assert bot.iam_users() == []
    assert "AccessDenied" in bot.last_reply_text(LEAD)
    assert "removed again" in message_text(bot.slack.calls_to("chat.update")[-1].params)
    assert "creating your IAM user failed" in message_text(bot.dms_to(DEV)[-1].params)
    bot.iam.meta.events.unregister("before-call.iam.AttachUserPolicy", refuse)
    bot.command(DEV, "request try again")
    assert bot.store.open_request_for(DEV).state == State.PENDING


def test_existing_foreign_user_with_the_same_name_is_never_adopted(bot: Bot) -> None:
    bot.iam.create_user(UserName="dana.dev-udev", Path="/humans/")
    request_id = pending(bot)
    bot.click(LEAD, APPROVE, request_id)
    assert bot.store.get(request_id).state == State.FAILED
    user = bot.iam.get_user(UserName="dana.dev-udev")["User"]
    assert user["Path"] == "/humans/"
    assert bot.iam.list_user_tags(UserName="dana.dev-udev")["Tags"] == []
    assert bot.iam.list_attached_user_policies(UserName="dana.dev-udev")["AttachedPolicies"] == []
    assert "did not create" in bot.last_reply_text(LEAD)
    bot.command(LEAD, "remove <@UDEV>")
    assert bot.iam.get_user(UserName="dana.dev-udev")["User"]["Path"] == "/humans/"


def test_only_the_requester_can_show_credentials(bot: Bot) -> None:
    request_id = pending(bot)
    bot.click(LEAD, APPROVE, request_id)
    for someone in (LEAD, OTHER):
        bot.click(someone, SHOW, request_id, channel="DUDEV")
        assert "Only the person who asked" in bot.last_reply_text(someone)
    assert bot.iam.list_access_keys(UserName="dana.dev-udev")["AccessKeyMetadata"] == []
    assert not bot.slack.calls_to("chat.postEphemeral")
    assert bot.store.get(request_id).credentials == Credentials.NONE


def test_show_credentials_before_approval_is_refused(bot: Bot) -> None:
    request_id = pending(bot)
    bot.click(DEV, SHOW, request_id, channel="DUDEV")
    assert "no credentials to show" in bot.last_reply_text(DEV)
    assert not bot.slack.calls_to("chat.postEphemeral")


def test_failed_delivery_deletes_the_key_and_keeps_the_button(bot: Bot) -> None:
    request_id = bot.approved_user(text="request --console need console")
    bot.slack.fail("chat.postEphemeral", error="user_not_in_channel")
    bot.click(DEV, SHOW, request_id, channel="DUDEV")
    assert bot.iam.list_access_keys(UserName="dana.dev-udev")["AccessKeyMetadata"] == []
    with pytest.raises(bot.iam.exceptions.NoSuchEntityException):
        bot.iam.get_login_profile(UserName="dana.dev-udev")
    assert bot.store.get(request_id).credentials == Credentials.NONE
    assert "click *Show credentials* again" in bot.last_reply_text(DEV)
    dm_updates = [c for c in bot.slack.calls_to("chat.update") if c.params["channel"] == "DUDEV"]
    assert dm_updates == []  # the button is still there
    bot.click(DEV, SHOW, request_id, channel="DUDEV")
    assert len(bot.iam.list_access_keys(UserName="dana.dev-udev")["AccessKeyMetadata"]) == 1
    assert bot.iam.get_login_profile(UserName="dana.dev-udev")["LoginProfile"]["UserName"] == "dana.dev-udev"
    assert bot.store.get(request_id).credentials == Credentials.SHOWN


def test_console_credentials_include_password_and_reset_is_required(bot: Bot) -> None:
    calls: list[dict] = []
    bot.iam.meta.events.register(
        "provide-client-params.iam.CreateLoginProfile", lambda params, **_: calls.append(dict(params))
    )
    request_id = bot.approved_user(text="request --console need console")
    bot.click(DEV, SHOW, request_id, channel="DUDEV")
    assert len(calls) == 1 and calls[0]["PasswordResetRequired"] is True
    text = message_text(bot.ephemerals_to(DEV)[-1].params)
    assert calls[0]["Password"] in text
    assert "signin.aws.amazon.com/console" in text and "dana.dev-udev" in text
    dm_update = [c for c in bot.slack.calls_to("chat.update") if c.params["channel"] == "DUDEV"][-1]
    assert "were shown" in message_text(dm_update.params) and "rotate" in message_text(dm_update.params)
    assert not [b for b in dm_update.params["blocks"] if b["type"] == "actions"]


def test_rotate_delivers_a_new_key_then_deletes_the_old(bot: Bot) -> None:
    request_id = bot.approved_user()
    bot.click(DEV, SHOW, request_id, channel="DUDEV")
    old = bot.store.get(request_id).access_key_id
    bot.command(DEV, "rotate")
    keys = bot.iam.list_access_keys(UserName="dana.dev-udev")["AccessKeyMetadata"]
    assert len(keys) == 1 and keys[0]["AccessKeyId"] != old
    assert keys[0]["AccessKeyId"] in message_text(bot.ephemerals_to(DEV)[-1].params)
    assert bot.ephemerals_to(DEV)[-1].params["channel"] == "DUDEV"
    assert bot.store.get(request_id).access_key_id == keys[0]["AccessKeyId"]
    assert "old key was deleted" in bot.last_reply_text(DEV)


def test_rotate_delivery_failure_keeps_the_old_key(bot: Bot) -> None:
    request_id = bot.approved_user()
    bot.click(DEV, SHOW, request_id, channel="DUDEV")
    old = bot.store.get(request_id).access_key_id
    bot.slack.fail("chat.postEphemeral", status=500)
    bot.command(DEV, "rotate")
    keys = bot.iam.list_access_keys(UserName="dana.dev-udev")["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [old]
    assert "old key still works" in bot.last_reply_text(DEV)
    assert bot.store.get(request_id).credentials == Credentials.SHOWN


def test_rotate_before_first_credentials_points_to_the_button(bot: Bot) -> None:
    bot.approved_user()
    bot.command(DEV, "rotate")
    assert "Show credentials" in bot.last_reply_text(DEV)
    assert bot.iam.list_access_keys(UserName="dana.dev-udev")["AccessKeyMetadata"] == []


def test_rotate_without_access(bot: Bot) -> None:
    bot.command(DEV, "rotate")
    assert "no active access" in bot.last_reply_text(DEV)


def test_an_approve_click_reads_its_request_once_before_its_transition(bot: Bot, monkeypatch) -> None:
    """The handler's router loads the request; the flow authorizes on it and its next store call is the write."""
    bot.command(DEV, "request x")
    request_id = bot.request_id_for(DEV)
    calls: list[str] = []
    for name in ("get", "open_request_for", "latest_for", "in_states", "compare_and_set"):
        method = getattr(bot.store, name)

        def watched(*args, __name=name, __method=method, **kwargs):
            calls.append(__name)
            return __method(*args, **kwargs)

        monkeypatch.setattr(bot.store, name, watched)

    bot.click(LEAD, "amplify_dev_approve", request_id)

    assert bot.store.get(request_id).state == "active"
    assert calls[: calls.index("compare_and_set")] == ["get"]


def test_approve_returns_an_outcome_and_the_caller_words_it(bot: Bot) -> None:
    from workflow import deciding
    from workflow.outcomes import Verdict

    bot.command(DEV, "request x")
    project, request = bot.workflow.for_request(bot.request_id_for(DEV))

    first = deciding.approve(project, LEAD, request)
    second = deciding.approve(project, LEAD2, request)  # the same stale read: the write tells it lost

    assert (first.verdict, first.by, first.request.state) == (Verdict.GRANTED, LEAD, State.ACTIVE)
    assert deciding.decided_reply(project, first) is None  # the channel message and the DM say it
    assert second.verdict == Verdict.HANDLED
    assert "already handled" in deciding.decided_reply(project, second).text
    assert deciding.approve(project, DEV, request).verdict == Verdict.REFUSED  # never the requester
