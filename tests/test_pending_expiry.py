"""AMPLIFY_DEV_PENDING_HOURS: a request nobody decided on expires; its buttons go and the requester is told."""

from __future__ import annotations

from scheduler import Sweeper
from store import State
from tests.conftest import CHANNEL, DEV, LEAD, Bot, message_text


def test_undecided_request_expires_after_the_configured_hours(make_bot) -> None:
    bot = make_bot(AMPLIFY_DEV_PENDING_HOURS="2")
    bot.command(DEV, "request x")
    request_id = bot.request_id_for(DEV)

    bot.clock.advance(hours=1.5)
    bot.workflow.sweep()
    assert bot.store.get(request_id).state == State.PENDING

    bot.clock.advance(hours=0.6)  # 2.1 hours after the request
    bot.workflow.sweep()
    assert bot.store.get(request_id).state == State.EXPIRED
    update = bot.slack.calls_to("chat.update")[-1]
    assert update.params["channel"] == CHANNEL and "Expired" in message_text(update.params)
    assert not [b for b in update.params["blocks"] if b["type"] == "actions"]
    assert "expired" in message_text(bot.dms_to(DEV)[-1].params)

    bot.sweep_calls = len(bot.slack.calls)
    bot.workflow.sweep()  # a second sweep tells nobody twice
    assert len(bot.slack.calls) == bot.sweep_calls

    bot.click(LEAD, "amplify_dev_approve", request_id)
    assert bot.store.get(request_id).state == State.EXPIRED
    assert bot.iam_users() == []
    assert "expired" in bot.last_reply_text(LEAD)

    bot.command(DEV, "request again")
    assert bot.store.open_request_for(DEV).state == State.PENDING


def test_default_is_72_hours(bot: Bot) -> None:
    bot.command(DEV, "request x")
    bot.clock.advance(hours=71)
    bot.workflow.sweep()
    assert bot.store.open_request_for(DEV).state == State.PENDING
    bot.clock.advance(hours=2)  # 73 hours after the request
    bot.workflow.sweep()
    assert bot.store.latest_for(DEV).state == State.EXPIRED


def test_sweeper_thread_runs_sweeps_and_survives_a_failing_one() -> None:
    import threading

    ran = threading.Event()
    calls = []

    def sweep(reconcile: bool = False) -> None:
        calls.append(reconcile)
        if len(calls) == 1:
            raise RuntimeError("boom")
        ran.set()

    sweeper = Sweeper(sweep, interval=0.01).start()
    assert ran.wait(5)
    sweeper.stop()
    assert len(calls) >= 2
