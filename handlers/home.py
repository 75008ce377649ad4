"""The App Home tab: publish each person's view when they open it, and its own buttons (request, rotate, remove).

Approve, Deny and Show credentials on the tab reuse the listeners in handlers/actions.py, which answer home
clicks by DM (a home click has no response_url).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import Ack, App

import messages as msg
from handlers.actions import clicked
from handlers.background import after_ack
from workflow import Workflow

logger = logging.getLogger(__name__)

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")


def publish_home(workflow: Workflow, user_id: str) -> None:
    """Build `user_id`'s Home tab and publish it; a Slack failure is logged, not raised."""
    workflow.publish_home(user_id)


def handle_app_home_opened(ack: Ack, event: dict[str, Any], workflow: Workflow, runner: Executor) -> None:
    """Someone opened the bot's App Home: publish their Home tab (the Messages tab needs nothing)."""
    ack()
    user_id = event.get("user")
    if event.get("tab") != "home" or not isinstance(user_id, str) or not _USER_ID.match(user_id):
        return
    after_ack(runner, lambda: publish_home(workflow, user_id), lambda _: None, "opening the Home tab")


def reply_and_refresh(workflow: Workflow, actor: str) -> Callable[[msg.Reply], None]:
    """A deliver() for home buttons: the answer goes to the clicker's DM, then their Home tab is republished."""

    def deliver(reply: msg.Reply) -> None:
        workflow.tell(actor, reply)
        publish_home(workflow, actor)

    return deliver


def handle_home_request_click(ack: Ack, body: dict[str, Any], workflow: Workflow, runner: Executor) -> None:
    """Request access: open the request form; its confirmation goes by DM (no response_url in the metadata)."""
    ack()
    parsed = clicked(body)
    trigger_id = body.get("trigger_id")
    if parsed is None or not isinstance(trigger_id, str) or not trigger_id:
        logger.warning("ignored a malformed Home request click")
        return
    actor, _ = parsed
    view = workflow.request_form({"source": "home"})
    after_ack(
        runner,
        lambda: workflow.open_request_form(trigger_id, view, actor),
        lambda reply: workflow.tell(actor, reply),
        "opening the request form from Home",
    )


def handle_home_rotate_click(ack: Ack, body: dict[str, Any], workflow: Workflow, runner: Executor) -> None:
    """Rotate access key: always the clicker's own key, whatever the button carries."""
    ack()
    parsed = clicked(body)
    if parsed is None:
        logger.warning("ignored a malformed Home rotate click")
        return
    actor, _ = parsed
    after_ack(runner, lambda: workflow.rotate(actor), reply_and_refresh(workflow, actor), "a Home rotate click")


def handle_home_remove_click(ack: Ack, body: dict[str, Any], workflow: Workflow, runner: Executor) -> None:
    """Remove: the value names whose access; workflow.remove decides whether the clicker may remove it."""
    ack()
    parsed = clicked(body)
    if parsed is None:
        logger.warning("ignored a malformed Home remove click")
        return
    actor, target = parsed
    if not _USER_ID.match(target):
        logger.warning("ignored a Home remove click from %s with a malformed target", actor)
        return
    after_ack(runner, lambda: workflow.remove(actor, target), reply_and_refresh(workflow, actor), "a Home remove click")


def register(app: App, workflow: Workflow, runner: Executor) -> None:
    """Register the App Home event and the Home tab's own buttons."""

    @app.event("app_home_opened")
    def _home_opened(ack: Ack, event: dict[str, Any]) -> None:
        handle_app_home_opened(ack, event, workflow, runner)

    @app.action(msg.HOME_REQUEST_ACTION)
    def _home_request(ack: Ack, body: dict[str, Any]) -> None:
        handle_home_request_click(ack, body, workflow, runner)

    @app.action(msg.HOME_ROTATE_ACTION)
    def _home_rotate(ack: Ack, body: dict[str, Any]) -> None:
        handle_home_rotate_click(ack, body, workflow, runner)

    @app.action(msg.HOME_REMOVE_ACTION)
    def _home_remove(ack: Ack, body: dict[str, Any]) -> None:
        handle_home_remove_click(ack, body, workflow, runner)
