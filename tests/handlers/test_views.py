"""The request form's submission."""

from __future__ import annotations

import json

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
