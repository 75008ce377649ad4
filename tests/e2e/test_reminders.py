"""Issue 21, reminders that reach a lead, through signed requests in both access modes and with several projects:
an undecided request (or extension) is re-announced in its thread, naming the approvers, after
AMPLIFY_DEV_RENOTIFY_MINUTES and then at doubling intervals, four times at most, never once decided, withdrawn or
expired; replicas and restarts send each reminder once; `status` says when the leads were last reminded."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from playground.slack_api import Call, FakeSlack
from store import State
from tests.clock import FakeClock
from tests.conftest import CHANNEL, DEV, LEAD, LEAD2, LEADS_GROUP, Bot, message_text
from tests.e2e.test_projects import API_CHANNEL, WEB_CHANNEL, build_projects_bot

# Due after filing: 60, then 60 + 120, + 240, + 480 minutes (the default AMPLIFY_DEV_RENOTIFY_MINUTES).
DUE_MINUTES = (60, 180, 420, 900)


def reminders(bot: Bot, channel: str = CHANNEL) -> list[Call]:
    """The replies the bot posted in threads of `channel`."""
    return [
        c
        for c in bot.slack.calls_to("chat.postMessage")
        if c.params.get("channel") == channel and c.params.get("thread_ts")
    ]


def reminded_events(bot: Bot) -> list[str]:
    return [e.detail for e in bot.workflow.d.audit.events() if e.event == "reminded"]


def file_request(bot: Bot, text: str = "request building the checkout") -> str:
    bot.command(DEV, text)
    return bot.request_id_for(DEV)


def status_text(bot: Bot) -> str:
    """What `/amplify-dev status` answers the requester (in the command's ack)."""
    response = bot.command(DEV, "status")
    assert response.status == 200
    return message_text(json.loads(response.body))


def at_minute(bot: Bot, filed: datetime, minute: float) -> None:
    """Move the shared clock to `minute` minutes after the request was filed and sweep."""
    target = filed + timedelta(minutes=minute)
    bot.clock.advance(seconds=(target - bot.clock.now).total_seconds())
    bot.workflow.sweep()


def test_undecided_request_is_reminded_at_60_120_240_480_minute_intervals_then_never(mode_bot: Bot) -> None:
    request_id = file_request(mode_bot)
    request = mode_bot.store.get(request_id)
    filed = request.created_at
    for number, due in enumerate(DUE_MINUTES, start=1):
        at_minute(mode_bot, filed, due - 1)
        assert len(reminders(mode_bot)) == number - 1, f"reminder {number} came early"
        at_minute(mode_bot, filed, due)
        assert len(reminders(mode_bot)) == number, f"reminder {number} did not come at minute {due}"
        mode_bot.workflow.sweep()  # a second sweep at the same moment sends nothing more
        assert len(reminders(mode_bot)) == number
    at_minute(mode_bot, filed, 71 * 60)  # long after the fourth, just before it expires (72 hours)
    assert len(reminders(mode_bot)) == 4

    last = reminders(mode_bot)[-1].params
    assert last["thread_ts"] == request.approval_ts  # a reply in the request's own thread
    text = message_text(last)
    assert f"<!subteam^{LEADS_GROUP}>" in text and f"<@{LEAD}>" in text and f"<@{LEAD2}>" in text  # the approvers
    assert f"<@{DEV}>" in text and "Reminder 4 of 4" in text
    assert reminded_events(mode_bot) == [f"reminder {n} of 4" for n in range(1, 5)]  # each one audited
    assert mode_bot.store.get(request_id).state == State.PENDING


@pytest.mark.parametrize("decide", ["approve", "deny", "withdraw", "expire"])
def test_no_reminder_once_the_request_is_decided_withdrawn_or_expired(
    make_mode_bot: Callable[..., Bot], decide: str
) -> None:
    bot = make_mode_bot(AMPLIFY_DEV_PENDING_HOURS="4") if decide == "expire" else make_mode_bot()
    request_id = file_request(bot)
    filed = bot.store.get(request_id).created_at
    at_minute(bot, filed, 60)
    assert len(reminders(bot)) == 1
    if decide == "approve":
        bot.click(LEAD, "amplify_dev_approve", request_id)
    elif decide == "deny":
        bot.click(LEAD, "amplify_dev_deny", request_id)
    elif decide == "withdraw":
        bot.command(DEV, "remove")
    else:
        at_minute(bot, filed, 180)
        assert len(reminders(bot)) == 2
        at_minute(bot, filed, 4 * 60)  # expired (4 hours) before reminder 3 (minute 420) is due
        assert bot.store.get(request_id).state == State.EXPIRED
    assert bot.store.get(request_id).state != State.PENDING
    sent = len(reminders(bot))
    for due in DUE_MINUTES:
        if filed + timedelta(minutes=due + 1) > bot.clock.now:
            at_minute(bot, filed, due + 1)
    assert len(reminders(bot)) == sent


def test_two_replicas_sweeping_at_once_send_one_reminder(make_mode_bot: Callable[..., Bot]) -> None:
    first = make_mode_bot()
    second = make_mode_bot(db_path=first.db_path)  # another replica on the same store
    request_id = file_request(first)
    first.clock.advance(minutes=60)
    # Both replicas read the due request before either claims it: only the compare-and-set keeps it to one.
    both_read = threading.Barrier(2, timeout=10)
    for replica in (first, second):
        read = replica.store.pending_created_before

        def read_then_wait(*args: Any, _read: Any = read, **kwargs: Any) -> Any:
            found = _read(*args, **kwargs)
            both_read.wait()
            return found

        replica.store.pending_created_before = read_then_wait  # type: ignore[method-assign]
    sweeps = [threading.Thread(target=replica.workflow.sweep) for replica in (first, second)]
    for sweep in sweeps:
        sweep.start()
    for sweep in sweeps:
        sweep.join(30)
    assert len(reminders(first)) == 1
    assert reminded_events(first) == ["reminder 1 of 4"]
    assert first.store.get(request_id).reminders_sent == 1


def test_a_restart_does_not_resend_a_reminder(make_mode_bot: Callable[..., Bot]) -> None:
    bot = make_mode_bot()
    request_id = file_request(bot)
    filed = bot.store.get(request_id).created_at
    at_minute(bot, filed, 61)
    assert len(reminders(bot)) == 1
    restarted = make_mode_bot(db_path=bot.db_path)
    restarted.workflow.recover()
    restarted.workflow.sweep()
    assert len(reminders(bot)) == 1
    at_minute(restarted, filed, 180)  # sent a minute late, the first pushes the second back by that minute
    assert len(reminders(bot)) == 1
    at_minute(restarted, filed, 181)
    assert len(reminders(bot)) == 2 and "Reminder 2 of 4" in message_text(reminders(bot)[-1].params)


def test_a_bot_down_past_several_reminders_sends_one_not_a_burst(bot: Bot) -> None:
    request_id = file_request(bot)
    filed = bot.store.get(request_id).created_at
    at_minute(bot, filed, 500)  # reminders 1 to 3 were due (60, 180, 420) while nobody swept
    assert len(reminders(bot)) == 1 and "Reminder 3 of 4" in message_text(reminders(bot)[-1].params)
    at_minute(bot, filed, 500 + 479)  # the last one waits its whole interval after the one sent
    assert len(reminders(bot)) == 1
    at_minute(bot, filed, 500 + 480)
    assert len(reminders(bot)) == 2


def test_status_tells_the_requester_when_the_leads_were_last_reminded(mode_bot: Bot) -> None:
    file_request(mode_bot)
    assert "The leads have not been reminded yet." in status_text(mode_bot)
    mode_bot.clock.advance(minutes=60)
    mode_bot.workflow.sweep()
    reminded_at = int(mode_bot.clock.now.timestamp())
    status = status_text(mode_bot)
    assert f"Leads last reminded <!date^{reminded_at}^" in status and "(1 of 4 reminders)" in status
    home = mode_bot.event({"type": "app_home_opened", "user": DEV, "channel": f"D{DEV}", "tab": "home"})
    assert home.status == 200
    view = mode_bot.slack.calls_to("views.publish")[-1].params["view"]
    assert "(1 of 4 reminders)" in message_text(json.loads(view) if isinstance(view, str) else view)


def test_an_undecided_extension_is_reminded_in_its_thread_until_decided(mode_bot: Bot) -> None:
    request_id = mode_bot.approved_user()
    mode_bot.clock.advance(days=1)
    mode_bot.click(DEV, "amplify_dev_extend", request_id, channel=f"D{DEV}")
    asked = mode_bot.store.get(request_id)
    assert asked.extension_days is not None and asked.extension_ts and asked.reminders_sent == 0
    before = len(reminders(mode_bot))
    mode_bot.clock.advance(minutes=59)
    mode_bot.workflow.sweep()
    assert len(reminders(mode_bot)) == before
    mode_bot.clock.advance(minutes=1)
    mode_bot.workflow.sweep()
    assert len(reminders(mode_bot)) == before + 1
    reply = reminders(mode_bot)[-1].params
    assert reply["thread_ts"] == asked.extension_ts
    assert "extension" in message_text(reply) and f"<@{LEAD}>" in message_text(reply)
    assert reminded_events(mode_bot)[-1] == "extension reminder 1 of 4"
    status = status_text(mode_bot)
    assert "extension by 30 days is waiting for a lead" in status and "(1 of 4 reminders)" in status

    mode_bot.click(LEAD, "amplify_dev_extend_approve", request_id)
    assert mode_bot.store.get(request_id).extension_asked_at is None
    mode_bot.clock.advance(hours=20)
    mode_bot.workflow.sweep()
    assert len(reminders(mode_bot)) == before + 1  # decided: no more


PROJECTS_WITH_CADENCE = f"""
[projects.web]
description = "Web shop"
account_role_arn = "arn:aws:iam::111111111111:role/amplify-dev"
approval_channel = "{WEB_CHANNEL}"
approvers = ["{LEAD}"]

[projects.api]
description = "Public API"
account_role_arn = "arn:aws:iam::222222222222:role/amplify-dev"
approval_channel = "{API_CHANNEL}"
approvers = ["{LEAD2}"]
renotify_minutes = 30
"""


def test_each_project_reminds_its_own_leads_at_its_own_cadence(
    slack: FakeSlack, iam_client: Any, tmp_path: Path, clock: FakeClock
) -> None:
    pbot = build_projects_bot(slack, iam_client, tmp_path, clock, projects=PROJECTS_WITH_CADENCE)
    pbot.command(DEV, "request --project web building the shop")
    pbot.command(DEV, "request --project api fixing the API")
    clock.advance(minutes=30)
    pbot.workflow.sweep()
    assert len(reminders(pbot, API_CHANNEL)) == 1 and reminders(pbot, WEB_CHANNEL) == []
    api_reminder = message_text(reminders(pbot, API_CHANNEL)[0].params)
    assert f"<@{LEAD2}>" in api_reminder and f"<@{LEAD}>" not in api_reminder
    clock.advance(minutes=30)
    pbot.workflow.sweep()
    assert len(reminders(pbot, WEB_CHANNEL)) == 1 and len(reminders(pbot, API_CHANNEL)) == 1
    web_reminder = message_text(reminders(pbot, WEB_CHANNEL)[0].params)
    assert f"<@{LEAD}>" in web_reminder and f"<@{LEAD2}>" not in web_reminder
    clock.advance(minutes=30)  # api: 30 + 60 = 90 minutes
    pbot.workflow.sweep()
    assert len(reminders(pbot, API_CHANNEL)) == 2 and len(reminders(pbot, WEB_CHANNEL)) == 1
