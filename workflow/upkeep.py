"""Periodic upkeep: expire undecided requests, revoke expired access, remind before expiry, retry stalled
removals, and the drift check between IAM and the store. Every change is a compare-and-set, so two sweeps
(or two processes) never act twice."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

import iam
import messages as msg
from slack_gateway import SlackCallFailed
from store import OPEN_STATES, Fields, Request, RevokeReason, State

from .credentials import CredentialsFlow
from .deps import Deps
from .notifier import Notifier
from .removal import Removal

logger = logging.getLogger(__name__)

REVOKING_RETRY_AFTER = timedelta(minutes=5)  # a removal stuck this long (IAM error) is retried by the sweep
# Expiry reminders: label and how long before the end each is sent.
REMINDERS = (("1d", timedelta(days=1)), ("3d", timedelta(days=3)))


class Upkeep:
    """The sweep and the drift check."""

    def __init__(self, deps: Deps, removal: Removal, credentials: CredentialsFlow, notify: Notifier) -> None:
        self.d = deps
        self.removal = removal
        self.credentials = credentials
        self.notify = notify
        self._reported: set[str] = set()  # drift already reported by this process

    def sweep(self, *, reconcile: bool = False) -> None:
        """Periodic work: expire undecided requests, revoke expired access, remind before expiry, report drift."""
        now = self.d.clock()
        store = self.d.store
        # Read what is due before acting, so a removal that fails in this sweep waits for the next retry window.
        stalled = store.revoking_updated_before(now - REVOKING_RETRY_AFTER)
        for request in store.pending_created_before(now - timedelta(hours=self.d.settings.pending_hours)):
            self._expire_pending(request)
        for request in store.active_expiring_before(now + max(before for _, before in REMINDERS)):
            if request.expires_at is None:
                continue
            if request.expires_at <= now:
                self.expire_active(request)
            else:
                self._remind(request, request.expires_at - now)
        for request in stalled:  # removals that failed in an earlier sweep or command, not in this one
            logger.warning("request %s: removal stalled since %s; retrying", request.id, request.updated_at)
            self.removal.finish_revoking(request)
        for request in store.with_undelivered_keys():  # keys nobody saw whose deletion failed earlier
            self.credentials.discard_undelivered(request)
        if reconcile:
            self.reconcile()

    def _expire_pending(self, request: Request) -> None:
        hours = self.d.settings.pending_hours
        expired = self.d.store.compare_and_set(
            request.id, Fields(state=State.PENDING), Fields(state=State.EXPIRED, closed_by=None)
        )
        if expired is None:  # decided in the meantime
            return
        self.notify.audit("expired", None, expired, detail=f"pending over {hours} hours")
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
        revoking = self.d.store.compare_and_set(
            request.id,
            Fields(state=State.ACTIVE, expires_at=request.expires_at),
            Fields(state=State.REVOKING, closed_by=None),
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
        if self.d.store.compare_and_set(request.id, Fields(reminded=request.reminded), Fields(reminded=due)) is None:
            return
        dm = msg.reminder_dm(request)
        try:
            self.d.slack.send_dm(request.slack_user_id, dm.text, dm.blocks)
        except SlackCallFailed as e:
            logger.warning("request %s: expiry reminder failed: %s", request.id, e.error)
            self.d.store.compare_and_set(request.id, Fields(reminded=due), Fields(reminded=request.reminded))
            return
        logger.info("request %s: reminded %s of expiry (%s before)", request.id, request.slack_user_id, due)

    def reconcile(self) -> list[str]:
        """Compare IAM under the bot's path with the store: remove orphans, close lost records, report strangers."""
        path = self.d.settings.iam_path
        findings: list[str] = []
        # The store first: a request approved while IAM is listed then shows up as live, never as lost.
        live = {r.iam_user_name.lower(): r for r in self.d.store.in_states(OPEN_STATES)}
        try:
            users = iam.list_users_under_path(self.d.iam, path, known=iam_tags_recorded(live.values()))
        except iam.IamError as e:
            logger.error("reconcile: cannot list IAM users: %s %s", e.step, e.code)
            return findings
        present = {u.user_name.lower() for u in users}
        for user in users:
            if iam.TAG_SLACK_USER not in user.tags:
                findings.append(
                    f"IAM user `{user.user_name}` is under `{path}` without amplify-dev's "
                    "tags: not created by the bot, left untouched."
                )
                continue
            request = live.get(user.user_name.lower())
            if request is not None and request.id == user.tags.get(iam.TAG_REQUEST):
                continue
            if request is not None and request.state == State.APPROVED:
                continue  # being provisioned right now
            try:
                iam.revoke_developer_user(self.d.iam, user.user_name, path)
                findings.append(
                    f"IAM user `{user.user_name}` (for {msg.mention(user.tags.get(iam.TAG_SLACK_USER))}) "
                    "had no active request: removed."
                )
            except iam.IamError as e:
                findings.append(
                    f"IAM user `{user.user_name}` has no active request; removing it failed at `{e.step}` ({e.code})."
                )
        for name, request in live.items():
            if request.state == State.ACTIVE and name not in present and self._user_is_gone(request):
                closed = self.d.store.compare_and_set(
                    request.id,
                    Fields(state=State.ACTIVE),
                    Fields(state=State.REVOKED, error="IAM user was deleted outside amplify-dev"),
                )
                if closed:
                    self.notify.audit(
                        "removed", None, closed, outcome="missing", detail="IAM user deleted outside amplify-dev"
                    )
                    findings.append(
                        f"{msg.mention(request.slack_user_id)}'s IAM user `{request.iam_user_name}` "
                        "was gone from IAM: record closed."
                    )
        self._report(findings)
        return findings

    def _report(self, findings: list[str]) -> None:
        for finding in findings:
            logger.warning("reconcile: %s", finding)
        new = [f for f in findings if f not in self._reported]
        self._reported.update(new)
        if new:
            self.notify.channel_notice(":mag: Drift between IAM and amplify-dev's records:\n• " + "\n• ".join(new))

    def _user_is_gone(self, request: Request) -> bool:
        """Ask IAM directly (ListUsers can lag behind a user created seconds ago)."""
        try:
            return iam.get_managed_user(self.d.iam, request.iam_user_name, self.d.settings.iam_path) is None
        except iam.IamError:
            return False  # not ours, or IAM did not answer: not proof that it is gone


def iam_tags_recorded(requests: Iterable[Request]) -> dict[str, dict[str, str]]:
    """The tags the bot gave each user whose IAM user id it recorded at provisioning (no ListUserTags for them)."""
    return {
        r.iam_user_id: {iam.TAG_SLACK_USER: r.slack_user_id, iam.TAG_REQUEST: r.id} for r in requests if r.iam_user_id
    }
