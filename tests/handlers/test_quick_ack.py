"""With worker processes, a payload whose ack is known to be empty is acknowledged before Bolt runs and handed whole
to a worker (slack_app.AmplifyDevApp, handlers.ack_is_empty); everything else goes through Bolt here as before.

The runner installed here only records what it is handed (lazy_workers.LazyWorkers hands it to a worker process;
tests/test_lazy_workers.py runs real ones). A whole job is then run as a worker runs it: the same app, its lazy
listener inline after its ack (lazy_workers.InlineLazyRunner).
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from slack_bolt import BoltRequest
from slack_bolt.lazy_listener import LazyListenerRunner

from handlers import commands
from lazy_workers import WHOLE, InlineLazyRunner, LazyJob
from messages import APPROVE_ACTION, SHOW_CREDENTIALS_ACTION
from playground import personas
from store import Credentials, State
from tests.conftest import DEV, LEAD, Bot, message_text


class Recorder(LazyListenerRunner):
    """Keeps what it is handed: lazy functions (Bolt ran the ack here) and whole requests (it did not)."""

    def __init__(self) -> None:
        self.logger = logging.getLogger("test")
        self.lazy: list[str] = []
        self.whole: list[BoltRequest] = []

    def start(self, function: Any, request: BoltRequest) -> None:
        self.lazy.append(request.lazy_function_name or "")

    def take_whole(self, request: BoltRequest) -> None:
        self.whole.append(request)


def record(bot: Bot) -> Recorder:
    recorder = Recorder()
    bot.app.listener_runner.lazy_listener_runner = recorder
    return recorder


def active_request(bot: Bot) -> str:
    """Requested and approved through Bolt here (which also shows the guards the bot's workspace)."""
    bot.command(DEV, "request testing the quick ack")
    request_id = bot.request_id_for(DEV)
    bot.click(LEAD, APPROVE_ACTION, request_id)
    assert bot.store.get(request_id).state == State.ACTIVE
    return request_id


def run_as_a_worker(bot: Bot, request: BoltRequest) -> None:
    """What a worker process does with a whole job: its own Bolt runs middleware, ack and lazy listener inline."""
    mode, body, headers = LazyJob.of(request, WHOLE).wire()
    bot.app.listener_runner.lazy_listener_runner = InlineLazyRunner()
    bot.app.dispatch(BoltRequest(body=body, headers=headers, mode=mode))


def test_a_show_credentials_click_is_acknowledged_empty_and_its_ack_runs_in_the_worker(bot: Bot) -> None:
    request_id = active_request(bot)
    recorder = record(bot)
    response = bot.click(DEV, SHOW_CREDENTIALS_ACTION, request_id, channel=f"D{DEV}")
    assert (response.status, response.body) == (200, "")
    assert len(recorder.whole) == 1 and recorder.lazy == []
    # Nothing of the click ran here: not even its ack's claim.
    assert bot.store.get(request_id).credentials == Credentials.NONE
    assert not bot.ephemerals_to(DEV)

    run_as_a_worker(bot, recorder.whole[0])
    assert bot.store.get(request_id).credentials == Credentials.SHOWN
    assert len(bot.ephemerals_to(DEV)) == 1 and "AKIA" in message_text(bot.ephemerals_to(DEV)[0].params)


def test_until_the_bots_workspace_is_known_a_click_goes_through_bolt_here(bot: Bot) -> None:
    recorder = record(bot)
    bot.click(LEAD, APPROVE_ACTION, "r-unknown")  # the bot's first request: its guards learn the workspace
    assert recorder.whole == [] and len(recorder.lazy) == 1
    bot.click(LEAD, APPROVE_ACTION, "r-unknown")
    assert len(recorder.whole) == 1 and len(recorder.lazy) == 1


def test_a_request_is_handed_whole_and_status_and_help_are_answered_in_their_ack(bot: Bot) -> None:
    active_request(bot)
    recorder = record(bot)
    assert bot.command(LEAD, "request another reason").body == ""
    assert len(recorder.whole) == 1
    status = bot.command(DEV, "status")
    helped = bot.command(DEV, "help")
    unknown = bot.command(DEV, "fly me to the moon")
    assert "You have access" in status.body and "request" in helped.body and "understand" in unknown.body
    assert len(recorder.whole) == 1 and len(recorder.lazy) == 3  # Bolt ran these acks here


def test_a_foreign_workspace_click_gets_the_guards_refusal_in_its_ack(bot: Bot) -> None:
    request_id = active_request(bot)
    recorder = record(bot)
    response = bot.click(DEV, SHOW_CREDENTIALS_ACTION, request_id, team="T0FOREIGN")
    assert "only serves its own workspace" in response.body
    assert recorder.whole == [] and recorder.lazy == []
    assert bot.store.get(request_id).credentials == Credentials.NONE


def test_a_payload_with_a_bad_signature_is_never_handed_to_a_worker(bot: Bot) -> None:
    request_id = active_request(bot)
    recorder = record(bot)
    button = personas.plain_button(SHOW_CREDENTIALS_ACTION, request_id)
    body = personas.block_actions_body(DEV, button, trigger_id="t1", team=bot.slack.team_id)
    assert bot.dispatch(body, secret="not-the-signing-secret").status == 401
    assert recorder.whole == [] and recorder.lazy == []


def test_an_event_and_a_socket_mode_click_are_handed_whole(bot: Bot) -> None:
    request_id = active_request(bot)
    recorder = record(bot)
    assert bot.event({"type": "app_home_opened", "user": DEV, "tab": "home"}).status == 200
    socket = BoltRequest(
        body={
            "type": "block_actions",
            "team": {"id": bot.slack.team_id},
            "user": {"id": DEV, "team_id": bot.slack.team_id},
            "actions": [{"action_id": SHOW_CREDENTIALS_ACTION, "value": request_id}],
        },
        mode="socket_mode",
    )
    assert bot.app.dispatch(socket).status == 200
    assert [r.mode for r in recorder.whole] == ["http", "socket_mode"] and recorder.lazy == []


@pytest.mark.parametrize(
    "text", ["", "request why", "remove", "rotate", "list", "review", "breakglass on fire", "status", "help", "nope"]
)
def test_the_verbs_handed_over_before_bolt_are_exactly_those_bolt_acknowledges_empty(bot: Bot, text: str) -> None:
    active_request(bot)
    body = bot.command(LEAD, text).body  # through Bolt here (lazy threads): the ack as Bolt answers it
    assert (body == "") == (not commands.answered_in_ack(text))
