"""What every flow tells people: the approval message, channel notices, DMs, the audit channel, the Home tab.

Every method here swallows Slack failures (logging them): telling people must never undo a transition.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import messages as msg
from audit import AuditEvent
from settings import Settings
from slack_gateway import SlackCallFailed, SlackGateway
from store import Request

logger = logging.getLogger(__name__)


class Notifier:
    """Messages and DMs on behalf of every flow; it only talks to Slack."""

    def __init__(
        self,
        settings: Settings,
        slack: SlackGateway,
        *,
        label: str,
        granted: Callable[[], msg.Granted],
    ) -> None:
        self.settings = settings
        self.slack = slack
        self.label = label  # the project, as the leads' messages name it
        self.granted = granted  # what a grant is, for the words of the leads' messages

    def refresh_approval_request(self, request: Request) -> None:
        """Redraw a still-pending approval message (buttons kept) to show who approved so far."""
        if not (request.approval_channel and request.approval_ts):
            return
        message = msg.approval_request_message(
            request, required=self.settings.required_approvals, project=self.label, granted=self.granted()
        )
        try:
            self.slack.update_message(request.approval_channel, request.approval_ts, message.text, message.blocks)
        except SlackCallFailed as e:
            logger.warning("request %s: could not update the approval message: %s", request.id, e.error)

    def update_approval_message(self, request: Request, outcome: str) -> None:
        """Replace the leads' approval message with its outcome (or post the outcome if it cannot be edited)."""
        if not (request.approval_channel and request.approval_ts):
            self.channel_notice(f"Request `{request.id}` from {msg.mention(request.slack_user_id)}: {outcome}")
            return
        message = msg.approval_outcome_message(request, outcome, project=self.label, granted=self.granted())
        try:
            self.slack.update_message(request.approval_channel, request.approval_ts, message.text, message.blocks)
        except SlackCallFailed as e:
            logger.error("request %s: could not update the approval message: %s", request.id, e.error)
            self.channel_notice(f"Request `{request.id}` from {msg.mention(request.slack_user_id)}: {outcome}")

    def update_extension_message(self, request: Request, outcome: str) -> None:
        """Replace the leads' extension message with its outcome."""
        if not request.extension_ts:
            self.channel_notice(outcome)
            return
        notice = msg.channel_notice(f"{msg.mention(request.slack_user_id)}'s extension: {outcome}")
        try:
            self.slack.update_message(self.settings.approval_channel, request.extension_ts, notice.text, notice.blocks)
        except SlackCallFailed as e:
            logger.warning("request %s: could not update the extension message: %s", request.id, e.error)
            self.channel_notice(notice.text)

    def channel_notice(self, text: str) -> None:
        """A notice in the approvers' channel."""
        notice = msg.channel_notice(text)
        try:
            self.slack.post_message(self.settings.approval_channel, notice.text, notice.blocks)
        except SlackCallFailed as e:
            logger.error("could not post to the approvers' channel: %s", e.error)

    def dm(self, user_id: str, text: str) -> None:
        """A plain notice in the user's DM with the bot."""
        self.tell(user_id, msg.notice_dm(text))

    def tell(self, user_id: str, reply: msg.Reply | msg.Message) -> None:
        """Send a reply or message to a user by DM (when there is no response_url to answer through)."""
        try:
            self.slack.send_dm(user_id, reply.text, reply.blocks)
        except SlackCallFailed as e:
            logger.error("could not DM %s: %s", user_id, e.error)

    def retire_dm_button(self, request: Request) -> None:
        """Replace a Show credentials DM whose access ended before any key was made (a grant with keys only)."""
        note = msg.unused_button_note(self.granted(), request)
        if note is None:
            return
        try:
            self.slack.update_message(request.dm_channel or "", request.dm_ts or "", note.text, note.blocks)
        except SlackCallFailed as e:
            logger.warning("request %s: could not retire the DM button: %s", request.id, e.error)

    def publish_home(self, user_id: str, state: msg.HomeState) -> None:
        """Publish someone's Home tab; a Slack failure is logged, never raised."""
        try:
            self.slack.publish_home(user_id, msg.home_view(state))
        except SlackCallFailed as e:
            logger.warning("views.publish failed for %s: %s", user_id, e.error)


def audit_channel_poster(slack: SlackGateway, channel: str | None) -> Callable[[AuditEvent], None]:
    """What the ledger hands every audit event to: one line in the audit channel, if one is set."""

    def post(record: AuditEvent) -> None:
        if not channel:
            return
        try:
            slack.post_message(channel, msg.audit_line(record), None)
        except SlackCallFailed as e:
            logger.warning("could not post to the audit channel: %s", e.error)

    return post
