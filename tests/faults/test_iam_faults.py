"""Each IAM step failing in turn: nothing half-created, the request FAILED or retryable, both sides told."""

from __future__ import annotations

import pytest

from store import Credentials, State
from tests.conftest import CHANNEL, DEV, LEAD, Bot, message_text
from tests.faults.support import fail_iam, throttle_iam

USER = "dana.dev-udev"


def channel_texts(bot: Bot) -> str:
    posts = [c for c in bot.slack.calls_to("chat.postMessage") if c.params["channel"] == CHANNEL][1:]
    updates = [c for c in bot.slack.calls_to("chat.update") if c.params["channel"] == CHANNEL]
    return "\n".join(message_text(c.params) for c in posts + updates)


@pytest.mark.parametrize("operation", ["CreateUser", "AddUserToGroup", "AttachUserPolicy"])
def test_provisioning_step_failure_rolls_back_and_tells_both_sides(make_bot, operation: str) -> None:
    bot = make_bot(AMPLIFY_DEV_IAM_GROUP="amplify-developers")
    bot.iam.create_group(GroupName="amplify-developers")
    fail_iam(bot.iam, operation)
    request_id = bot.approved_user()

    request = bot.store.get(request_id)
    assert request.state == State.FAILED and operation in (request.error or "")
    assert USER not in bot.iam_users()
    assert bot.iam.get_group(GroupName="amplify-developers")["Users"] == []
    assert operation in bot.last_reply_text(LEAD)  # the approver who clicked
    assert "Creating the IAM user failed" in channel_texts(bot)  # the approvers' channel
    assert "creating your IAM user failed" in message_text(bot.dms_to(DEV)[-1].params)  # the requester
    assert not bot.slack.calls_to("chat.postEphemeral")


@pytest.mark.parametrize("operation", ["CreateAccessKey", "CreateLoginProfile", "GetAccountPasswordPolicy"])
def test_credential_step_failure_leaves_no_key_and_stays_retryable(bot: Bot, operation: str) -> None:
    request_id = bot.approved_user(text="request --console x")
    lift = fail_iam(bot.iam, operation)
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")

    assert bot.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"] == []
    with pytest.raises(bot.iam.exceptions.NoSuchEntityException):
        bot.iam.get_login_profile(UserName=USER)
    assert bot.store.get(request_id).credentials == Credentials.NONE
    assert not bot.ephemerals_to(DEV)
    assert "nothing was kept" in bot.last_reply_text(DEV)
    assert "refused to create <@UDEV>'s credentials" in channel_texts(bot)

    lift()
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    assert len(bot.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]) == 1
    assert bot.store.get(request_id).credentials == Credentials.SHOWN


REMOVE_STEPS = [
    "ListAccessKeys",
    "DeleteAccessKey",
    "DeleteLoginProfile",
    "ListSigningCertificates",
    "ListSSHPublicKeys",
    "ListMFADevices",
    "ListUserPolicies",
    "DetachUserPolicy",
    "ListGroupsForUser",
    "DeleteUser",
]


@pytest.mark.parametrize("operation", REMOVE_STEPS)
def test_removal_step_failure_is_retryable_and_reported(bot: Bot, operation: str) -> None:
    request_id = bot.approved_user(text="request --console x")
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    lift = fail_iam(bot.iam, operation)
    bot.command(DEV, "remove")

    assert bot.store.get(request_id).state == State.REVOKING
    assert USER in bot.iam_users()
    assert operation in bot.last_reply_text(DEV) and "run `/amplify-dev remove` again" in bot.last_reply_text(DEV)
    assert f"stopped at `{operation}`" in channel_texts(bot)

    lift()
    bot.command(DEV, "remove")
    assert bot.store.get(request_id).state == State.REVOKED
    assert USER not in bot.iam_users()


def test_iam_throttling_is_retried_and_creates_one_user(bot: Bot) -> None:
    seen = throttle_iam(bot.iam, "CreateUser", times=2)
    request_id = bot.approved_user()
    assert seen[0] == 2
    assert bot.store.get(request_id).state == State.ACTIVE
    assert bot.iam_users() == [USER]
