"""The request form's submission."""

from __future__ import annotations

import json

import pytest

from store import State
from tests.conftest import DEV, Bot, message_text


def test_submitting_the_form_files_a_request_and_confirms_ephemerally(bot: Bot) -> None:
    response_url = bot.slack.response_url("form")
    response = bot.submit_form(DEV, "working on search", console=True, response_url=response_url)
    assert response.status == 200
    request = bot.store.open_request_for(DEV)
    assert request.state == State.PENDING and request.console and request.reason == "working on search"
    confirmation = [c for c in bot.slack.calls_to("response_url") if c.params["_key"] == "form"]
    assert confirmation and confirmation[0].params["response_type"] == "ephemeral"
    assert request.id in message_text(confirmation[0].params)


def test_blank_reason_is_rejected_inside_the_form(bot: Bot) -> None:
    response = bot.submit_form(DEV, "   ")
    body = json.loads(response.body)
    assert body["response_action"] == "errors" and "reason" in body["errors"]
    assert bot.store.latest_for(DEV) is None


def test_form_without_a_response_url_confirms_by_dm(bot: Bot) -> None:
    bot.submit_form(DEV, "working on search")
    assert bot.store.open_request_for(DEV) is not None
    assert "with the leads" in message_text(bot.dms_to(DEV)[-1].params)


# Slack's number input sends ASCII digits; a forged (but signed) payload need not.
NOT_ASCII_DIGITS = ["\u00b2", "\u2460", "\u0661\u0664", "\u06f1\u06f4", "\uff11\uff14", "\u0967\u096a", "1" * 6]


@pytest.mark.parametrize("days", NOT_ASCII_DIGITS, ids=ascii)
def test_days_that_are_not_ascii_digits_are_refused_inside_the_form(bot: Bot, days: str) -> None:
    response = bot.submit_form(DEV, "working on search", days=days)

    body = json.loads(response.body)
    assert response.status == 200
    assert body["response_action"] == "errors" and "whole number of days" in body["errors"]["days"]
    assert bot.store.latest_for(DEV) is None


def test_days_in_ascii_digits_are_taken_from_the_form(bot: Bot) -> None:
    bot.submit_form(DEV, "working on search", days="14")

    request = bot.store.open_request_for(DEV)
    assert request is not None and request.days == 14
