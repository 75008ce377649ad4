"""Periodic upkeep: expire undecided requests, revoke expired access, remind before expiry, retry stalled
removals, and the drift check between IAM and the store. Every change is a compare-and-set, so two sweeps
(or two processes) never act twice."""

from __future__ import annotations

import logging
from datetime import timedelta

import messages as msg
from slack_gateway import SlackCallFailed
from store import Fields, Request, RevokeReason, State

from .credentials import CredentialsFlow
from .removal import Removal
from .review import post_weekly_review_if_due
from .shared import Flow, Shared

logger = logging.getLogger(__name__)

REVOKING_RETRY_AFTER = timedelta(minutes=5)  # a removal stuck this long (IAM error) is retried by the sweep
# Expiry reminders: label and how long before the end each is sent.
REMINDERS = (("1d", timedelta(days=1)), ("3d", timedelta(days=3)))


class Upkeep(Flow):
    """The sweep and the drift check."""

    def __init__(self, shared: Shared, removal: Removal, credentials: CredentialsFlow) -> None:
        super().__init__(shared)
        self.removal = removal
        self.credentials = credentials
        self._reported: set[str] = set()  # drift already reported by this process

    def sweep(self, *, reconcile: bool = False) -> None:
        """Periodic work: expire undecided requests, revoke expired access, remind before expiry, report drift."""
        now = self.d.clock()
        store = self.d.store
        # Read what is due before acting, so a removal that fails in this sweep waits for the next retry window.
        stalled = store.revoking_updated_before(now - REVOKING_RETRY_AFTER, project=self.d.scope)
        for request in store.pending_created_before(
            now - timedelta(hours=self.d.settings.pending_hours), project=self.d.scope
        ):
            self._expire_pending(request)
        for request in store.active_expiring_before(now + max(before for _, before in REMINDERS), project=self.d.scope):
            if request.expires_at is None:
                continue
            if request.expires_at <= now:
                self.expire_active(request)
            else:
                self._remind(request, request.expires_at - now)
        for request in stalled:  # removals that failed in an earlier sweep or command, not in this one
            logger.warning("request %s: removal stalled since %s; retrying", request.id, request.updated_at)
            self.removal.finish_revoking(request)
        for request in store.with_undelivered_keys(
            project=self.d.scope
        ):  # keys nobody saw whose deletion failed earlier
            self.credentials.discard_undelivered(request)
        post_weekly_review_if_due(self.shared)  # AMPLIFY_DEV_REVIEW_SCHEDULE; once a week (workflow/review.py)
        if reconcile:
            self.reconcile()

    def _expire_pending(self, request: Request) -> None:
        hours = self.d.settings.pending_hours
        expired = self.ledger.move(
            request,
            Fields(state=State.PENDING),
            Fields(state=State.EXPIRED, closed_by=None),
            "expired",
            None,
            detail=f"pending over {hours} hours",
        )
        if expired is None:  # decided in the meantime
            return
        self.notify.update_approval_message(
            expired,
            f":hourglass: Expired: nobody decided within {hours} hours. "
            f"{msg.mention(expired.slack_user_id)} was told and may ask again.",
        )
        self.notify.dm(
            expired.slack_user_id,
            f":hourglass: Your AWS Amplify access request `{expired.id}` expired: no lead decided within "
            f"{hours} hours. Ask again with `{msg.COMMAND}` if you still need it.",
        )

    def expire_active(self, request: Request) -> None:
        """Revoke access whose end date passed (only the expiry this snapshot saw: not if extended since)."""
        revoking = self.ledger.move(
            request,
            Fields(state=State.ACTIVE, expires_at=request.expires_at),
            Fields(state=State.REVOKING, closed_by=None),
            "revoking",
            None,
            detail=RevokeReason.EXPIRED.sentence,
        )
        if revoking is None:  # removed or extended in the meantime
            return
        logger.info("request %s: access expired at %s; revoking", request.id, request.expires_at)
        self.removal.revoke(revoking, None, revoking.slack_user_id, why=RevokeReason.EXPIRED)

    def _remind(self, request: Request, left: timedelta) -> None:
        due = next((label for label, before in REMINDERS if left <= before), None)
        if due is None or request.reminded == due:
            return
        # Claim the reminder first, so two sweeps (or two processes) send it once.
        if self.ledger.note(request.id, Fields(reminded=request.reminded), Fields(reminded=due)) is None:
            return
        dm = msg.reminder_dm(request)
        try:
            self.d.slack.send_dm(request.slack_user_id, dm.text, dm.blocks)
        except SlackCallFailed as e:
            logger.warning("request %s: expiry reminder failed: %s", request.id, e.error)
            self.ledger.note(request.id, Fields(reminded=due), Fields(reminded=request.reminded))
            return
        logger.info("request %s: reminded %s of expiry (%s before)", request.id, request.slack_user_id, due)

    def reconcile(self) -> list[str]:
        """The drift check between AWS and the store (what it compares is the mode's: workflow/grants.py)."""
        findings = self.grants.reconcile()
        self._report(findings)
        return findings

    def _report(self, findings: list[str]) -> None:
        for finding in findings:
            logger.warning("reconcile: %s", finding)
        new = [f for f in findings if f not in self._reported]
        self._reported.update(new)
        if new:
            service = self.grants.words().service
            self.notify.channel_notice(
                f":mag: Drift between {service} and amplify-dev's records:\n• " + "\n• ".join(new)
            )
