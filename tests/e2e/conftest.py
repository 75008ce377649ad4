"""End-to-end fixtures: a bot in either access mode (IAM user, Identity Center), for tests that must hold in both."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import Bot
from tests.identity_center.conftest import ic_bot, make_ic_bot, world  # noqa: F401  (fixtures)

MODES = ("iam-user", "identity-center")


@pytest.fixture(params=MODES)
def make_mode_bot(request: pytest.FixtureRequest, make_bot: Callable[..., Bot]) -> Callable[..., Bot]:
    """A bot factory in each access mode in turn (settings overrides as in make_bot)."""
    if request.param == "identity-center":
        return request.getfixturevalue("make_ic_bot")
    return make_bot


@pytest.fixture
def mode_bot(make_mode_bot: Callable[..., Bot]) -> Bot:
    """The bot with default settings, in each access mode in turn."""
    return make_mode_bot()
