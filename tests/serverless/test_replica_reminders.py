"""Reminders to the leads on DynamoDB, two replicas sweeping at once: each reminder (of a request, of an
extension found through the by_state_extension index) is sent once and audited once."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from tests.conftest import CHANNEL, DEV, LEAD, Bot, message_text


def later(bot: Bot, delta: timedelta) -> None:
    """Move the clock every replica and the store share."""
    bot.workflow.d.clock.offset = delta  # type: ignore[attr-defined]


def thread_replies(bot: Bot) -> list[str]:
    return [
        message_text(c.params)
        for c in bot.slack.calls_to("chat.postMessage")
        if c.params.get("channel") == CHANNEL and c.params.get("thread_ts")
    ]


def sweep_together(*bots: Bot) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda bot: bot.workflow.sweep(), [*bots, *bots]))


def test_two_replicas_on_dynamodb_remind_once_of_a_request_and_of_an_extension(
    make_replica: Callable[..., Bot],
) -> None:
    one, two = make_replica(), make_replica()
    one.command(DEV, "request building the checkout")
    request_id = one.request_id_for(DEV)
    later(one, timedelta(minutes=61))
    sweep_together(one, two)
    assert len(thread_replies(one)) == 1 and "access request" in thread_replies(one)[0]
    assert one.store.get(request_id).reminders_sent == 1

    one.click(LEAD, "amplify_dev_approve", request_id)
    one.click(DEV, "amplify_dev_extend", request_id, channel=f"D{DEV}")
    asked = one.store.get(request_id)
    assert asked.extension_asked_at is not None and asked.reminders_sent == 0
    later(one, timedelta(minutes=61 + 61))
    sweep_together(one, two)
    replies = thread_replies(one)
    assert len(replies) == 2 and "extension" in replies[-1]
    events = [e.detail for e in one.workflow.d.audit.events() if e.event == "reminded"]
    assert events == ["reminder 1 of 4", "extension reminder 1 of 4"]
