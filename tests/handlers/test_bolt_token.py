"""Bolt reads SLACK_BOT_TOKEN from the environment and warns it goes unused beside the bot's client: silent when it
is the token the client carries (the settings read it from there), a warning of ours when it is another one."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from tests.conftest import Bot


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_the_environments_token_beside_the_client_draws_no_warning(
    make_bot: Callable[..., Bot], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")  # as a deployment exports it; the settings use it
    with caplog.at_level(logging.WARNING):
        bot = make_bot()

    assert not any("token" in w for w in warnings(caplog)), warnings(caplog)
    assert bot.app.client.token == "xoxb-test-token"


def test_another_token_in_the_environment_is_named_as_ignored(
    make_bot: Callable[..., Bot], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-some-other-token")
    with caplog.at_level(logging.WARNING):
        bot = make_bot()

    (warning,) = [w for w in warnings(caplog) if "token" in w]
    assert "SLACK_BOT_TOKEN in the environment is not the token the bot uses" in warning
    assert "xoxb-" not in warning  # never the token itself
    assert bot.app.client.token == "xoxb-test-token"
