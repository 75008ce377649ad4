"""The product through lambda_handler.handler: Function URL events, Bolt's lazy self-invocation, the schedules."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from store import Credentials, Fields, State
from tests.conftest import CHANNEL, DEV, LEAD, message_text
from tests.serverless.conftest import LambdaBot
from workflow import STALLED_AFTER

USER = "dana.dev-udev"


def later(bot: LambdaBot, delta: timedelta) -> None:
    """Move the clock the workflow and its store share (what the sweep compares with) to now + delta."""
    bot.clock.offset = delta  # type: ignore[attr-defined]


def approved_then_cut_short(bot: LambdaBot) -> str:
    """A request whose Approve run recorded the decision and then stopped; returns its id."""
    bot.command(DEV, "request x")
    request_id = bot.request_id_for(DEV)
    bot.store.compare_and_set(
        request_id,
        Fields(state=State.PENDING),
        Fields(state=State.APPROVED, decided_by=LEAD, decided_at=datetime.now(UTC)),
    )
    return request_id


def test_request_approve_reveal_remove_through_the_lambda_handler(lambda_bot: LambdaBot) -> None:
    bot = lambda_bot
    assert bot.command(DEV, "request --console building the checkout flow").status == 200
    assert "with the leads" in bot.last_reply_text(DEV)
    request_id = bot.request_id_for(DEV)
    assert bot.store.get(request_id).approval_ts

    assert bot.click(LEAD, "amplify_dev_approve", request_id).status == 200
    assert bot.iam.get_user(UserName=USER)["User"]["Path"] == "/amplify-dev/"
    assert bot.store.get(request_id).state == State.ACTIVE
    assert "<@ULEAD>" in message_text(bot.dms_to(DEV)[-1].params)

    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    keys = bot.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]
    assert len(keys) == 1 and keys[0]["AccessKeyId"] in message_text(bot.ephemerals_to(DEV)[-1].params)
    assert bot.store.get(request_id).credentials == Credentials.SHOWN

    bot.command(DEV, "remove")
    assert USER not in bot.iam_users()
    assert "removed" in bot.last_reply_text(DEV)

    # Each slow step ran as Bolt's asynchronous self-invocation, the same event plus the lazy headers.
    lazy = bot.lambda_api.invocations
    assert len(lazy) == 4 and all(e["method"] == "NONE" for e in lazy)
    assert all(e["headers"]["x-slack-bolt-lazy-only"] == "1" for e in lazy)
    assert [e["headers"]["x-slack-bolt-lazy-function-name"] for e in lazy] == [
        "slow_command",
        "lazy_click",
        "lazy_click",
        "slow_command",
    ]
    # The HTTP answers (the acks) carried nothing of the slow work.
    assert all(a["statusCode"] == 200 and not a["body"] for a in bot.http_answers)


def test_a_scheduled_sweep_event_expires_a_grant(lambda_bot: LambdaBot) -> None:
    bot = lambda_bot
    request_id = bot.approved_user(text="request --days 1 x")
    later(bot, timedelta(days=1, minutes=1))
    assert bot.scheduled("sweep") == {"ok": True, "job": "sweep"}
    assert bot.store.get(request_id).state == State.EXPIRED
    assert USER not in bot.iam_users()
    assert bot.scheduled("reconcile")["job"] == "reconcile"


@pytest.mark.parametrize("lost", ["dropped", "past the signature window"])
def test_a_show_credentials_click_whose_lazy_run_is_lost_is_handed_back_by_the_sweep(
    lambda_bot: LambdaBot, lost: str
) -> None:
    bot = lambda_bot
    request_id = bot.approved_user()
    if lost == "dropped":
        bot.lambda_api.drop = True
    else:
        bot.lambda_api.delay_seconds = 301  # Bolt re-checks the signature: refused, nothing runs
    assert bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV").status == 200
    assert bot.store.get(request_id).credentials == Credentials.CLAIMED  # the ack's one store write
    assert bot.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"] == []

    later(bot, STALLED_AFTER - timedelta(minutes=1))
    bot.scheduled("sweep")
    assert bot.store.get(request_id).credentials == Credentials.CLAIMED  # a lazy run might still be going

    later(bot, STALLED_AFTER + timedelta(minutes=1))
    bot.scheduled("sweep")
    assert bot.store.get(request_id).credentials == Credentials.NONE
    assert "got lost" in message_text(bot.dms_to(DEV)[-1].params)

    bot.lambda_api.drop, bot.lambda_api.delay_seconds = False, 0
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    assert len(bot.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]) == 1
    assert bot.store.get(request_id).credentials == Credentials.SHOWN


def test_a_second_click_while_a_claim_is_stuck_still_mints_once(lambda_bot: LambdaBot) -> None:
    bot = lambda_bot
    request_id = bot.approved_user()
    bot.lambda_api.drop = True
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    bot.lambda_api.drop = False
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    assert len(bot.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]) == 1
    assert len(bot.ephemerals_to(DEV)) == 1


def test_an_approval_whose_lazy_run_died_mid_way_is_provisioned_by_the_sweep(lambda_bot: LambdaBot) -> None:
    bot = lambda_bot
    # The lazy run recorded the decision, then Lambda killed it (timeout) before IAM was touched.
    request_id = approved_then_cut_short(bot)
    later(bot, STALLED_AFTER + timedelta(minutes=1))
    bot.scheduled("sweep")
    assert bot.store.get(request_id).state == State.ACTIVE
    assert USER in bot.iam_users()
    assert bot.dms_to(DEV), "the requester was told"


def test_a_provisioned_request_whose_requester_was_never_told_is_told_by_the_sweep(lambda_bot: LambdaBot) -> None:
    bot = lambda_bot
    # The lazy run provisioned the request, then Lambda stopped it before the DM (and the leads' update).
    request_id = approved_then_cut_short(bot)
    bot.store.compare_and_set(request_id, Fields(state=State.APPROVED), Fields(state=State.ACTIVE))
    assert not bot.dms_to(DEV)

    later(bot, STALLED_AFTER + timedelta(minutes=1))
    bot.scheduled("sweep")

    assert bot.dms_to(DEV), "the requester was told"
    assert bot.store.get(request_id).dm_ts
    bot.scheduled("sweep")
    assert len(bot.dms_to(DEV)) == 1  # once: the DM is recorded and the request leaves the in-flight index


def test_a_request_never_posted_to_the_leads_is_posted_by_the_sweep(lambda_bot: LambdaBot) -> None:
    bot = lambda_bot
    bot.command(DEV, "request x")
    request_id = bot.request_id_for(DEV)
    bot.store.compare_and_set(request_id, Fields(state=State.PENDING), Fields(approval_ts=None))
    posts = len(bot.slack.calls_to("chat.postMessage"))
    later(bot, STALLED_AFTER + timedelta(minutes=1))
    bot.scheduled("sweep")
    assert len(bot.slack.calls_to("chat.postMessage")) == posts + 1
    assert bot.store.get(request_id).approval_ts


def test_function_url_requests_are_refused_before_bolt_when_oversized_unsigned_or_stale(
    lambda_bot: LambdaBot,
) -> None:
    bot = lambda_bot
    body = urlencode({"command": "/amplify-dev", "user_id": DEV, "text": "request x", "team_id": "T0TEAM"})
    assert bot.dispatch(body, secret="wrong").status == 401
    assert bot.dispatch(body, timestamp=1).status == 401
    assert bot.dispatch("x" * (1024 * 1024 + 1)).status == 413
    assert bot.store.open_request_for(DEV) is None
    assert bot.lambda_api.invocations == []


def test_a_client_cannot_ask_for_the_lazy_half_alone(lambda_bot: LambdaBot) -> None:
    bot = lambda_bot
    bot.command(DEV, "request x")
    request_id = bot.request_id_for(DEV)
    payload = {
        "type": "block_actions",
        "team": {"id": "T0TEAM"},
        "user": {"id": LEAD, "team_id": "T0TEAM"},
        "actions": [{"type": "button", "action_id": "amplify_dev_approve", "value": request_id}],
        "channel": {"id": CHANNEL},
        "container": {"type": "message", "message_ts": "1.0", "channel_id": CHANNEL},
    }
    headers = {"x-slack-bolt-lazy-only": "1", "x-slack-bolt-lazy-function-name": "lazy_click"}
    bot.lambda_api.drop = True
    assert bot.dispatch(urlencode({"payload": json.dumps(payload)}), extra_headers=headers).status == 200
    assert bot.store.get(request_id).state == State.PENDING  # only the ack ran; the lazy half was dropped


def test_the_lambda_adapter_logs_no_event_at_debug(lambda_bot: LambdaBot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger().setLevel(logging.DEBUG)
    from logging_setup import quiet_libraries

    quiet_libraries()
    lambda_bot.approved_user()
    assert "response_url" not in caplog.text and "hooks" not in caplog.text
    assert "Incoming event" not in caplog.text
