"""What every flow tells people: the approval message, channel notices, DMs, the audit trail, the Home tab.

Every method here swallows Slack failures (logging them): telling people must never undo a transition.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import messages as msg
from audit import AuditEvent
from slack_gateway import SlackCallFailed
from store import Fields, Request

from .deps import Deps

logger = logging.getLogger(__name__)


class Notifier:
    """Messages, DMs and audit events on behalf of every flow."""

    def __init__(self, deps: Deps) -> None:
        self.d = deps
        # What access is in this mode, in words; ProjectFlows sets it to the mode's Grants.words.
        self.words: Callable[[], msg.Granted] = lambda: msg.IAM_USER

    def refresh_approval_request(self, request: Request) -> None:
        """Redraw a still-pending approval message (buttons kept) to show who approved so far."""
        if not (request.approval_channel and request.approval_ts):
            return
        message = msg.approval_request_message(
            request, required=self.d.settings.required_approvals, project=self.d.project, granted=self.words()
        )
        try:
            self.d.slack.update_message(request.approval_channel, request.approval_ts, message.text, message.blocks)
        except SlackCallFailed as e:
            logger.warning("request %s: could not update the approval message: %s", request.id, e.error)

    def update_approval_message(self, request: Request, outcome: str) -> None:
        """Replace the leads' approval message with its outcome (or post the outcome if it cannot be edited)."""
        if not (request.approval_channel and request.approval_ts):
            request = self.d.store.get(request.id) or request
        if not (request.approval_channel and request.approval_ts):
            self.channel_notice(f"Request `{request.id}` from {msg.mention(request.slack_user_id)}: {outcome}")
            return
        message = msg.approval_outcome_message(request, outcome, project=self.d.project, granted=self.words())
        try:
            self.d.slack.update_message(request.approval_channel, request.approval_ts, message.text, message.blocks)
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
            self.d.slack.update_message(
                self.d.settings.approval_channel, request.extension_ts, notice.text, notice.blocks
            )
        except SlackCallFailed as e:
            logger.warning("request %s: could not update the extension message: %s", request.id, e.error)
            self.channel_notice(notice.text)

    def channel_notice(self, text: str) -> None:
        """A notice in the approvers' channel."""
        notice = msg.channel_notice(text)
        try:
            self.d.slack.post_message(self.d.settings.approval_channel, notice.text, notice.blocks)
        except SlackCallFailed as e:
            logger.error("could not post to the approvers' channel: %s", e.error)

    def dm(self, user_id: str, text: str) -> None:
        """A plain notice in the user's DM with the bot."""
        self.tell(user_id, msg.notice_dm(text))

    def tell(self, user_id: str, reply: msg.Reply | msg.Message) -> None:
        """Send a reply or message to a user by DM (when there is no response_url to answer through)."""
        try:
            self.d.slack.send_dm(user_id, reply.text, reply.blocks)
        except SlackCallFailed as e:
            logger.error("could not DM %s: %s", user_id, e.error)

    def retire_dm_button(self, request: Request) -> None:
        """Replace a Show credentials DM whose access ended before any key was made."""
        note = msg.notice_dm(f"This access was removed by {msg.mention(request.closed_by)}; no key was ever created.")
        try:
            self.d.slack.update_message(request.dm_channel or "", request.dm_ts or "", note.text, note.blocks)
        except SlackCallFailed as e:
            logger.warning("request %s: could not retire the DM button: %s", request.id, e.error)

    def publish_home(self, user_id: str, state: msg.HomeState) -> None:
        """Publish someone's Home tab; a Slack failure is logged, never raised."""
        try:
            self.d.slack.publish_home(user_id, msg.home_view(state))
        except SlackCallFailed as e:
            logger.warning("views.publish failed for %s: %s", user_id, e.error)

    def event(
        self, event: str, actor: str | None, request: Request, outcome: str = "ok", detail: str = ""
    ) -> AuditEvent:
        """The audit event for something that happened to `request` (never a secret)."""
        return AuditEvent(
            at=self.d.clock(),
            event=event,
            actor=actor,
            subject=request.slack_user_id,
            request_id=request.id,
            iam_user=request.iam_user_name,
            outcome=outcome,
            detail=detail,
        )

    def audit(self, event: str, actor: str | None, request: Request, outcome: str = "ok", detail: str = "") -> None:
        """Append one audit event that is not a transition (a failure, a drift finding), log it, post it if set."""
        self._record(self.event(event, actor, request, outcome, detail))

    def file(self, request: Request, actor: str, detail: str = "") -> Request:
        """Store a new request with its "requested" audit event in the same write (OpenRequestExists if one is open)."""
        record = self.event("requested", actor, request, detail=detail)
        filed = self.d.store.create(request, audit=record)
        self._announce(record)
        return filed

    def transition(
        self,
        request: Request,
        expect: Fields,
        change: Fields,
        event: str,
        actor: str | None,
        *,
        outcome: str = "ok",
        detail: str = "",
    ) -> Request | None:
        """Compare-and-set `request` and write its audit event in the same write; None (and no event) if it lost."""
        record = self.event(event, actor, request, outcome, detail)
        updated = self.d.store.compare_and_set(request.id, expect, change, audit=record)
        if updated is not None:
            self._announce(record)
        return updated

    def audit_refusal(self, actor: str, code: str, detail: str = "") -> None:
        """Audit a refusal that never became a request (the requester policy): no request id, no IAM user."""
        self._record(
            AuditEvent(
                at=self.d.clock(),
                event="refused",
                actor=actor,
                subject=actor,
                request_id=None,
                iam_user=None,
                outcome=code,
                detail=detail,
            )
        )

    def _record(self, record: AuditEvent) -> None:
        self._announce(record)
        if self.d.audit is not None:
            try:
                self.d.audit.append(record)
            except Exception:  # the audit trail must not stop access from being granted or removed
                logger.exception("could not write the audit event for request %s", record.request_id)

    def _announce(self, record: AuditEvent) -> None:
        """Log the event as one line and post it to the audit channel, if one is set."""
        event, actor, subject = record.event, record.actor, record.subject
        logger.info(
            "audit %s: request %s by %s for %s (%s) %s%s",
            event,
            record.request_id or "-",
            actor or "amplify-dev",
            subject,
            record.iam_user or "-",
            record.outcome,
            f" {record.detail}" if record.detail else "",
            extra={"event": event, "request_id": record.request_id, "actor": actor, "subject": subject},
        )
        if self.d.settings.audit_channel:
            try:
                self.d.slack.post_message(self.d.settings.audit_channel, msg.audit_line(record), None)
            except SlackCallFailed as e:
                logger.warning("could not post to the audit channel: %s", e.error)
