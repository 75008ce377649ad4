"""The App Home tab: publish each person's view when they open it, and its own buttons (request, rotate, remove).

Approve, Deny and Show credentials on the tab reuse the listeners in handlers/actions.py, which answer home
clicks by DM (a home click has no response_url).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import App

import messages as msg
from handlers import verbs
from handlers.actions import acknowledge_click, clicked
from handlers.lazy import finish

if TYPE_CHECKING:  # the workflow is imported on first use (bot.LazyRouter), not with the listeners
    from workflow import Router

logger = logging.getLogger(__name__)

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")


def publish_home(router: Router, user_id: str) -> None:
    """Build `user_id`'s Home tab and publish it; a Slack failure is logged, not raised."""
    router.publish_home(user_id)


def open_home(event: dict[str, Any], router: Router) -> None:
    """Someone opened the bot's App Home: publish their Home tab (the Messages tab needs nothing)."""
    user_id = event.get("user")
    if event.get("tab") != "home" or not isinstance(user_id, str) or not _USER_ID.match(user_id):
        return
    finish(lambda: publish_home(router, user_id), lambda _: None, "opening the Home tab")


def reply_and_refresh(router: Router, actor: str) -> Callable[[msg.Reply], None]:
    """A deliver() for home buttons: the answer goes to the clicker's DM, then their Home tab is republished."""

    def deliver(reply: msg.Reply) -> None:
        router.tell(actor, reply)
        publish_home(router, actor)

    return deliver


def home_request_click(body: dict[str, Any], router: Router) -> None:
    """Request access: open the request form; its confirmation goes by DM (no response_url in the metadata)."""
    parsed = clicked(body)
    trigger_id = body.get("trigger_id")
    if parsed is None or not isinstance(trigger_id, str) or not trigger_id:
        logger.warning("ignored a malformed Home request click")
        return
    actor, _ = parsed
    view = router.request_form({"source": "home"})
    finish(
        lambda: router.open_request_form(trigger_id, view, actor),
        lambda reply: router.tell(actor, reply),
        "opening the request form from Home",
    )


def _home_click(body: dict[str, Any], what: str) -> tuple[str, str] | None:
    """(clicker, the button's value) of a Home-tab click, or None (logged) for a malformed one."""
    parsed = clicked(body)
    if parsed is None:
        logger.warning("ignored a malformed %s", what)
    return parsed


def home_rotate_click(body: dict[str, Any], router: Router) -> None:
    """Rotate access key: always the clicker's own key, whatever the button carries."""
    parsed = _home_click(body, "Home rotate click")
    if parsed is not None:
        actor = parsed[0]
        finish(lambda: verbs.rotate(router, actor), reply_and_refresh(router, actor), "a Home rotate click")


def home_remove_click(body: dict[str, Any], router: Router) -> None:
    """Remove: the value names whose access; the removal decides whether the clicker may remove it."""
    parsed = _home_click(body, "Home remove click")
    if parsed is None:
        return
    actor, target = parsed
    if not _USER_ID.match(target):
        logger.warning("ignored a Home remove click from %s with a malformed target", actor)
        return
    finish(lambda: verbs.remove(router, actor, target), reply_and_refresh(router, actor), "a Home remove click")


def register(app: App, router: Router) -> None:
    """Register the App Home event and the Home tab's own buttons (ack at once, the work lazily)."""

    def lazy_home_opened(event: dict[str, Any]) -> None:
        open_home(event, router)

    def lazy_home_request(body: dict[str, Any]) -> None:
        home_request_click(body, router)

    def lazy_home_rotate(body: dict[str, Any]) -> None:
        home_rotate_click(body, router)

    def lazy_home_remove(body: dict[str, Any]) -> None:
        home_remove_click(body, router)

    app.event("app_home_opened")(ack=acknowledge_click, lazy=[lazy_home_opened])
    app.action(msg.HOME_REQUEST_ACTION)(ack=acknowledge_click, lazy=[lazy_home_request])
    app.action(msg.HOME_ROTATE_ACTION)(ack=acknowledge_click, lazy=[lazy_home_rotate])
    app.action(msg.HOME_REMOVE_ACTION)(ack=acknowledge_click, lazy=[lazy_home_remove])
