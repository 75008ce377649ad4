"""Amplify sandboxes in the Identity Center mode, through signed requests: the DM names the identifier after the
Slack-derived name, the removal notice and the review name the stacks (moto's CloudFormation, named the Amplify way)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from store import State
from tests.conftest import CHANNEL, DEV, LEAD, OTHER, Bot, message_text
from tests.e2e.sandbox_support import live_stacks, make_sandbox, record_calls
from tests.identity_center.conftest import IdentityCenterWorld

DEV_SANDBOX = "danadev-udev"  # ampx's form of the name the request records for Dana, `dana.dev-udev`


@pytest.fixture
def cloudformation(iam_client: Any) -> Any:
    return boto3.client("cloudformation", region_name="eu-west-1")


def channel_posts(bot: Bot) -> list[str]:
    return [message_text(c.params) for c in bot.slack.calls_to("chat.postMessage") if c.params["channel"] == CHANNEL]


def test_the_sign_in_dm_names_the_sandbox_after_the_slack_derived_name(ic_bot: Bot) -> None:
    ic_bot.approved_user()

    dm = message_text(ic_bot.dms_to(DEV)[-1].params)
    assert f"npx ampx sandbox --profile amplify-dev --identifier {DEV_SANDBOX}" in dm
    assert "the name amplify-dev knows you by `dana.dev-udev` made to fit `ampx`" in dm


def test_removal_and_review_name_the_sandboxes_of_someone_without_access(
    make_ic_bot: Callable[..., Bot], world: IdentityCenterWorld, cloudformation: Any
) -> None:
    stack = make_sandbox(cloudformation, DEV_SANDBOX)
    world.add_user("oscar@example.com", "Oscar")
    bot = make_ic_bot(cloudformation=cloudformation, AMPLIFY_DEV_SANDBOX_REPORT="true")
    request_id = bot.approved_user()
    bot.approved_user(OTHER)
    calls = record_calls(cloudformation)

    bot.command(LEAD, f"remove <@{DEV}>")

    assert bot.store.get(request_id).state == State.REVOKED and world.dana not in world.assigned_users()
    notice = channel_posts(bot)[-1]
    assert f"<@{DEV}> still has 1 Amplify sandbox stack" in notice
    assert f"aws cloudformation delete-stack --stack-name {stack} --region eu-west-1" in notice
    bot.command(LEAD, "review")
    review = bot.last_reply_text(LEAD)
    assert f"*sandbox of someone without access*: <@{DEV}>" in review and stack in review
    assert stack in live_stacks(cloudformation) and set(calls) <= {"ListStacks", "DescribeStacks"}
