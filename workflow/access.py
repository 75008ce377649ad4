"""Who is who, and the one step every click starts with: load the request (or say we don't know it), authorize."""

from __future__ import annotations

import logging
from collections.abc import Callable

import messages as msg
from authz import Decision
from slack_gateway import SlackCallFailed
from store import Request

from .deps import Deps

logger = logging.getLogger(__name__)

UNKNOWN_REQUEST = "I don't know that request; nothing was changed."


class Access:
    """Approver look-ups and the load-then-authorize step shared by every flow."""

    def __init__(self, deps: Deps) -> None:
        self.d = deps

    def is_approver(self, user_id: str) -> bool:
        """True if the user is a configured approver, directly or through a configured user group."""
        if user_id in self.d.settings.approver_user_ids:
            return True
        for group in sorted(self.d.settings.approver_group_ids):
            try:
                if user_id in self.d.slack.usergroup_members(group):
                    return True
            except SlackCallFailed as e:  # fail closed: an unresolvable group grants nothing
                logger.warning("cannot resolve approver group %s: %s", group, e.error)
        return False

    def still_approvers(self, approvals: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(approvals that still count, approvals by people who are no longer leads), checked now."""
        kept = tuple(a for a in approvals if self.is_approver(a))
        return kept, tuple(a for a in approvals if a not in kept)

    def load(
        self, request_id: str, decide: Callable[[Request], Decision], *, refusal: str | None = None
    ) -> tuple[Request | None, msg.Reply | None]:
        """(the request, None) when `decide` allows it; else (None, the sentence to show)."""
        request = self.d.store.get(request_id)
        if request is None:
            return None, msg.text_reply(UNKNOWN_REQUEST)
        decision = decide(request)
        if not decision.allowed:
            logger.info("request %s: refused (%s)", request.id, decision.code)
            return None, msg.text_reply(refusal or decision.reason)
        return request, None

    def already_handled(self, request_id: str) -> msg.Reply:
        """What the loser of a race is told: the request's current state and who moved it."""
        current = self.d.store.get(request_id)
        if current is None:
            return msg.text_reply(UNKNOWN_REQUEST)
        who = current.decided_by or current.closed_by
        return msg.text_reply(
            f"This request was already handled: it is *{current.state}*"
            f"{f' (by {msg.mention(who)})' if who else ''}. Nothing was changed."
        )


def no_longer_leads(dropped: tuple[str, ...]) -> str:
    """The clause about earlier approvals that stopped counting because those people are no longer leads."""
    if not dropped:
        return ""
    who = ", ".join(msg.mention(a) for a in dropped)
    return f"the earlier approval of {who} no longer counts (no longer a lead), so "
