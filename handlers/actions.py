"""Button clicks: Approve, Deny, the review's Remove, break-glass's Acknowledge (approvers' channel) and Show
credentials (the requester's DM)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, Respond

import messages as msg
from handlers import verbs
from handlers.lazy import finish
from handlers.verbs import on_request
from messages.review import REVIEW_REMOVE_ACTION

if TYPE_CHECKING:  # the workflow is imported on first use (bot.LazyRouter), not with the listeners
    from workflow import Router

logger = logging.getLogger(__name__)

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")


def clicked(body: dict[str, Any]) -> tuple[str, str] | None:
    """(who clicked, the request id the button carries), or None for a malformed payload.

    The id is only a key into the store: who asked and what for always come from the store.
    """
    user = body.get("user")
    actions = body.get("actions")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str) or not isinstance(actions, list):
        return None
    if not actions or not isinstance(actions[0], dict):
        return None
    return user["id"], str(actions[0].get("value") or "")[:64]


def reply_to_clicker(body: dict[str, Any], respond: Respond, router: Router) -> Callable[[msg.Reply], None]:
    """A deliver() that answers only the person who clicked, leaving the clicked message as it is.

    Clicks on the App Home tab carry no response_url; those answers go to the clicker's DM with the bot.
    """
    if body.get("response_url"):
        return lambda reply: respond(response_type="ephemeral", replace_original=False, **reply.to_kwargs())
    return lambda reply: router.tell(body["user"]["id"], reply)


def acknowledge_click(ack: Ack) -> None:
    """The ack of every button: nothing else, so Slack never shows the clicker an error."""
    ack()


def click_listener(work: Callable[[str, str], msg.Reply | None], what: str, router: Router) -> Callable[..., None]:
    """The lazy half of a button: read who clicked and which request, run `work`, answer the clicker."""

    def lazy_click(body: dict[str, Any], respond: Respond) -> None:
        parsed = clicked(body)
        if parsed is None:
            logger.warning("ignored a malformed %s payload", what)
            return
        actor, request_id = parsed
        finish(lambda: work(actor, request_id), reply_to_clicker(body, respond, router), what)

    return lazy_click


def register(app: App, router: Router) -> None:
    """Register the button listeners (ack at once, the work as a lazy listener)."""

    def on_click(action_id: str, work: Callable[[str, str], msg.Reply | None], what: str) -> None:
        app.action(action_id)(ack=acknowledge_click, lazy=[click_listener(work, what, router)])

    def ack_show_credentials(ack: Ack, body: dict[str, Any]) -> None:
        # The one store write a Show credentials click makes before its lazy run: claim the credentials, so that a
        # lazy run that is lost (Lambda drops it, it arrives past Slack's signature window, a worker dies) leaves a
        # claim the sweep finds and hands back, telling the requester, instead of a click that silently did nothing.
        # On Lambda and with lazy threads the acking process makes it before its answer leaves; with worker processes
        # the click is acknowledged before Bolt runs (slack_app.AmplifyDevApp) and this ack runs in the worker, right
        # before the lazy run: no store write is left in the acking process (bench/RESULTS.md).
        ack()
        parsed = clicked(body)
        if parsed is not None:
            from workflow import credentials  # the store and this one flow: the claim is this click's one write

            credentials.claim(router.store, *parsed)

    on_click(msg.APPROVE_ACTION, on_request(router, verbs.approve), "an Approve click")
    on_click(msg.DENY_ACTION, on_request(router, verbs.deny), "a Deny click")
    app.action(msg.SHOW_CREDENTIALS_ACTION)(
        ack=ack_show_credentials,
        lazy=[click_listener(on_request(router, verbs.show_credentials), "a Show credentials click", router)],
    )
    on_click(msg.EXTEND_ACTION, on_request(router, verbs.request_extension), "an Extend click")
    on_click(msg.BREAKGLASS_ACK_ACTION, on_request(router, verbs.acknowledge_breakglass), "an Acknowledge click")
    on_click(
        msg.EXTEND_APPROVE_ACTION,
        on_request(router, verbs.approve_extension),
        "an extension approval",
    )
    on_click(
        msg.EXTEND_DENY_ACTION,
        on_request(router, verbs.deny_extension),
        "an extension denial",
    )

    def remove_from_review(actor: str, target: str) -> msg.Reply | None:
        # The value names only whose access; the removal checks (from configuration) that actor may remove it.
        if not _USER_ID.match(target):
            logger.warning("ignored a review Remove click from %s with a malformed target", actor)
            return None
        return verbs.remove(router, actor, target)

    on_click(REVIEW_REMOVE_ACTION, remove_from_review, "a review Remove click")
