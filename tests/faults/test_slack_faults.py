"""Each Slack call failing (error, HTTP 500, timeout, 429): retried where safe, never a key nobody saw."""

from __future__ import annotations

from typing import Any

import pytest

from store import Credentials, State
from tests.conftest import CHANNEL, DEV, LEAD, Bot, message_text

USER = "dana.dev-udev"

# How a Slack call can fail; the client under test times out after 2 s.
FAILURES: dict[str, dict[str, Any]] = {
    "error": {"error": "internal_error"},
    "http500": {"status": 500, "times": 3},  # more than the 2 retries idempotent calls get
    "timeout": {"delay": 3.0},
}


def keys(bot: Bot) -> list[str]:
    return [k["AccessKeyId"] for k in bot.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]]


@pytest.mark.parametrize("how", FAILURES)
def test_approval_post_failure_fails_the_request_and_tells_the_requester(bot: Bot, how: str) -> None:
    bot.slack.fail("chat.postMessage", **{**FAILURES[how], "times": 1})  # a post is never retried on 5xx
    bot.command(DEV, "request x")
    request = bot.store.latest_for(DEV)
    assert request.state == State.FAILED and "approvers' channel" in (request.error or "")
    assert "nothing was requested" in bot.last_reply_text(DEV)
    bot.command(DEV, "request again")  # not stuck: a new request can be filed
    assert bot.store.open_request_for(DEV).state == State.PENDING


def test_approval_post_rate_limited_is_retried_once_posted(bot: Bot) -> None:
    bot.slack.fail("chat.postMessage", status=429, retry_after=0)
    bot.command(DEV, "request x")
    request = bot.store.open_request_for(DEV)
    assert request.state == State.PENDING and request.approval_ts
    posted = [c for c in bot.slack.calls_to("chat.postMessage") if c.params["channel"] == CHANNEL]
    assert len(posted) == 2  # the refused one and the retry


@pytest.mark.parametrize("how", [*FAILURES, "ratelimited"])
def test_approval_message_update_failure_still_tells_the_channel(bot: Bot, how: str) -> None:
    bot.command(DEV, "request x")
    failure = {"status": 429, "retry_after": 0} if how == "ratelimited" else FAILURES[how]
    bot.slack.fail("chat.update", **failure)
    bot.click(LEAD, "amplify_dev_approve", bot.request_id_for(DEV))
    assert bot.store.open_request_for(DEV).state == State.ACTIVE
    texts = [message_text(c.params) for c in bot.slack.calls_to("chat.postMessage") if c.params["channel"] == CHANNEL]
    updates = [message_text(c.params) for c in bot.slack.calls_to("chat.update")]
    assert any("Approved by <@ULEAD>" in t for t in texts[1:] + updates)


@pytest.mark.parametrize("method", ["conversations.open", "chat.postMessage"])
@pytest.mark.parametrize("how", FAILURES)
def test_dm_failure_after_approval_leaves_a_way_to_get_credentials(bot: Bot, method: str, how: str) -> None:
    bot.command(DEV, "request x")
    request_id = bot.request_id_for(DEV)
    bot.slack.fail(method, **FAILURES[how])
    bot.click(LEAD, "amplify_dev_approve", request_id)
    assert bot.store.get(request_id).state == State.ACTIVE
    assert keys(bot) == []  # no key exists until the requester is there to see it
    assert "couldn't DM" in bot.last_reply_text(LEAD)
    status = bot.command(DEV, "status").body
    assert "Show credentials" in status
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="C0GENERAL")
    assert len(keys(bot)) == 1
    assert bot.ephemerals_to(DEV)[-1].params["channel"] == "DUDEV"


@pytest.mark.parametrize("how", FAILURES)
def test_credentials_ephemeral_failure_deletes_the_key(bot: Bot, how: str) -> None:
    request_id = bot.approved_user(text="request --console x")
    bot.slack.fail("chat.postEphemeral", **FAILURES[how])
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    assert keys(bot) == []
    with pytest.raises(bot.iam.exceptions.NoSuchEntityException):
        bot.iam.get_login_profile(UserName=USER)
    assert bot.store.get(request_id).credentials == Credentials.NONE
    assert "click *Show credentials* again" in bot.last_reply_text(DEV)


def test_credentials_ephemeral_rate_limited_is_retried_and_delivers_one_key(bot: Bot) -> None:
    request_id = bot.approved_user()
    bot.slack.fail("chat.postEphemeral", status=429, retry_after=0)
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    assert len(keys(bot)) == 1
    assert keys(bot)[0] in message_text(bot.ephemerals_to(DEV)[-1].params)
    assert bot.store.get(request_id).credentials == Credentials.SHOWN


def test_usergroup_lookup_failure_fails_closed(bot: Bot) -> None:
    bot.command(DEV, "request x")
    bot.slack.fail("usergroups.users.list", error="internal_error")
    bot.click("UGROUPLEAD", "amplify_dev_approve", bot.request_id_for(DEV))
    assert bot.store.open_request_for(DEV).state == State.PENDING
    assert "Only the leads" in bot.last_reply_text("UGROUPLEAD")
