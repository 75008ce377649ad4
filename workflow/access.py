"""Who is who (approvers, from configuration and Slack user groups), and what the loser of a race is told."""

from __future__ import annotations

import logging

import messages as msg
from settings import Settings
from slack_gateway import SlackCallFailed, SlackGateway
from store import RequestStore

logger = logging.getLogger(__name__)

UNKNOWN_REQUEST = "I don't know that request; nothing was changed."


class Approvers:
    """A project's approvers: configured user IDs and user groups, checked on the server on every decision."""

    def __init__(self, settings: Settings, slack: SlackGateway) -> None:
        self.settings = settings
        self.slack = slack

    def includes(self, user_id: str) -> bool:
        """True if the user is a configured approver, directly or through a configured user group."""
        if user_id in self.settings.approver_user_ids:
            return True
        for group in sorted(self.settings.approver_group_ids):
            try:
                if user_id in self.slack.usergroup_members(group):
                    return True
            except SlackCallFailed as e:  # fail closed: an unresolvable group grants nothing
                logger.warning("cannot resolve approver group %s: %s", group, e.error)
        return False

    def everyone(self) -> list[str]:
        """Every approver by user ID: those listed, and the members of the listed user groups (a group Slack does
        not resolve is left out and logged)."""
        people = set(self.settings.approver_user_ids)
        for group in sorted(self.settings.approver_group_ids):
            try:
                people.update(self.slack.usergroup_members(group))
            except SlackCallFailed as e:
                logger.warning("cannot resolve approver group %s: %s", group, e.error)
        return sorted(people)

    def still_approvers(self, approvals: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(approvals that still count, approvals by people who are no longer leads), checked now."""
        kept = tuple(a for a in approvals if self.includes(a))
        return kept, tuple(a for a in approvals if a not in kept)


def already_handled(store: RequestStore, request_id: str) -> msg.Reply:
    """What the loser of a race is told: the request's current state and who moved it."""
    current = store.get(request_id)
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
