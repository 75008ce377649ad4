"""The playground shows break-glass: Dana (on call) takes access without approval, the leads' channel gets the
post with Acknowledge, a lead presses it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.playground.support import PlaygroundProcess, conversation, message_with_button, running_playground

ACK = "amplify_dev_breakglass_ack"


@pytest.fixture(scope="module")
def playground(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlaygroundProcess]:
    with running_playground(tmp_path_factory.mktemp("playground-breakglass")) as process:
        yield process


def test_break_glass_and_acknowledge_in_the_playground(playground: PlaygroundProcess, tmp_path: Path) -> None:
    playground.api("command", user="U0OTHER", text="breakglass the site is down, fixing it")
    refused = conversation(playground.state("U0OTHER"), "dm")["messages"][-1]
    assert "aren't among the people allowed" in refused["text"]

    playground.api("command", user="U0DEV", text="breakglass the site is down, fixing it")
    lead = playground.wait_state("U0LEAD1", lambda s: message_with_button(s, "channel", ACK))
    post = message_with_button(lead, "channel", ACK)
    assert "without approval" in json.dumps(post["blocks"]) and "2 hours" in json.dumps(post["blocks"])
    dev = playground.wait_state("U0DEV", lambda s: message_with_button(s, "dm", "amplify_dev_show_credentials"))
    assert message_with_button(dev, "dm", "amplify_dev_show_credentials") is not None
    assert "used break-glass" in json.dumps(conversation(lead, "dm")["messages"])

    playground.api("click", user="U0LEAD1", channel="C0LEADS", ts=post["ts"], action_id=ACK)
    redrawn = next(m for m in conversation(playground.state("U0LEAD2"), "channel")["messages"] if m["ts"] == post["ts"])
    assert "Acknowledged by <@U0LEAD1>" in json.dumps(redrawn["blocks"]) and ACK not in json.dumps(redrawn["blocks"])
