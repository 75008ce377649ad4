"""The playground shows a reminder: its bot reminds the leads within a minute, and its page shows the reply in the
request's thread (what the leads' channel holds, from the Web API calls the real bot makes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from playground.run import PLAYGROUND_RENOTIFY_MINUTES, playground_settings
from playground.world import PlaygroundSlack
from tests.clock import FakeClock
from tests.conftest import CHANNEL, DEV, LEAD, TEAM, build_bot


@pytest.fixture
def world_slack() -> Iterator[PlaygroundSlack]:
    fake = PlaygroundSlack(team_id=TEAM)
    fake.add_user(DEV, name="dev", real_name="Dana Developer", display_name="Dana Dev")
    fake.add_user(LEAD, name="lead", real_name="Lee Lead", display_name="lee")
    fake.world.add_conversation(CHANNEL, "#leads")
    with fake:
        yield fake


def test_the_playground_reminds_the_leads_within_minutes() -> None:
    settings = playground_settings("http://127.0.0.1:9/api/", ":memory:", 0)
    assert settings.renotify_minutes == PLAYGROUND_RENOTIFY_MINUTES == 1


def test_the_leads_channel_shows_the_reminder_as_a_reply_in_the_requests_thread(
    world_slack: PlaygroundSlack, iam_client: Any, tmp_path: Path
) -> None:
    clock = FakeClock()
    bot = build_bot(
        world_slack,
        iam_client,
        str(tmp_path / "p.db"),
        clock,
        AMPLIFY_DEV_APPROVERS=LEAD,
        AMPLIFY_DEV_RENOTIFY_MINUTES=str(PLAYGROUND_RENOTIFY_MINUTES),
    )
    bot.command(DEV, "request trying the playground")
    clock.advance(minutes=PLAYGROUND_RENOTIFY_MINUTES)
    bot.workflow.sweep()
    (leads,) = [c for c in world_slack.world.visible_to(LEAD)["conversations"] if c["id"] == CHANNEL]
    request, reminder = leads["messages"]
    assert request["thread_ts"] is None and reminder["thread_ts"] == request["ts"]
    assert f"<@{LEAD}>" in reminder["text"] and "still waiting for a decision" in reminder["text"]
    bot.store.close()
