"""Ending access: `remove`, the revoke sequence (also for expiry and off-boarding), withdrawing a pending request."""

from __future__ import annotations

import logging
import time

import messages as msg
from authz import may_act_for_others
from slack_gateway import SlackCallFailed
from store import Credentials, Fields, Request, RevokeReason, State, one_of

from .grants import GrantError, GrantNotOurs
from .shared import Flow

logger = logging.getLogger(__name__)

OFFBOARD_WAIT_SECONDS = 60.0


class Removal(Flow):
    """remove, revoke, cancel and off-boarding."""

    def remove(self, actor: str, target: str | None = None) -> msg.Reply:
        """Revoke `target`'s access (default: the caller's own), or withdraw their pending request."""
        target = target or actor
        decision = may_act_for_others(
            actor, target, actor_is_approver=target != actor and self.access.is_approver(actor)
        )
        if not decision.allowed:
            return msg.text_reply(decision.reason)
        whose = "You have" if target == actor else f"{msg.mention(target)} has"
        request = self.d.store.open_request_for(target, project=self.d.scope)
        if request is None:
            return msg.text_reply(f"{whose} no amplify-dev access to remove.")
        if request.state == State.PENDING:
            return self.cancel(actor, request)
        if request.state == State.APPROVED:
            return msg.text_reply("That access is being set up right now; run remove again in a minute.")
        revoking = self.ledger.move(
            request,
            Fields(state=one_of(State.ACTIVE, State.REVOKING)),
            Fields(state=State.REVOKING, closed_by=actor),
            "revoking",
            actor,
            detail=RevokeReason.REMOVED.sentence,
        )
        if revoking is None:
            return self.access.already_handled(request.id)
        return self.revoke(revoking, actor, target)

    def revoke(
        self, revoking: Request, actor: str | None, target: str, *, why: RevokeReason = RevokeReason.REMOVED
    ) -> msg.Reply:
        """End the access of a REVOKING request at AWS and tell everyone; actor None means the bot itself."""
        final = State.EXPIRED if why == RevokeReason.EXPIRED else State.REVOKED
        grants = self.grants
        try:
            outcome = grants.revoke(revoking)
        except GrantNotOurs as e:
            return self._not_ours(revoking, actor, final, target, why, e.why)
        except GrantError as e:
            logger.error("request %s: revoke failed at %s: %s", revoking.id, e.step, e.code)
            self.ledger.record("failed", actor, revoking, outcome=e.code, detail=f"removal at {e.step}")
            self.notify.channel_notice(
                f":warning: Removing {msg.mention(target)}'s {grants.label(revoking)} stopped at "
                f"`{e.step}` ({e.code}). Some access may remain until `{msg.COMMAND} remove <@{target}>` succeeds."
            )
            return msg.text_reply(
                f"Removing the {grants.noun} stopped at `{e.step}` (AWS said {e.code}). Access may remain: run "
                f"`{msg.COMMAND} remove` again; the leads were told."
            )
        event = "expired" if why == RevokeReason.EXPIRED else "removed"
        revoked = self.ledger.move(
            revoking, Fields(state=State.REVOKING), Fields(state=final), event, actor, detail=why.sentence
        )
        if revoked is None:  # another process closed it after deleting the same access: say so once more
            revoked = revoking
            self.ledger.record(event, actor, revoked, detail=why.sentence)
        self.notify.channel_notice(
            _channel_notice(revoked, actor, target, why, grants.revoked_sentence(revoked, outcome, channel=True))
        )
        if target != actor:
            dm = grants.removed_dm(revoked, why)
            try:
                self.d.slack.send_dm(target, dm.text, dm.blocks)
            except SlackCallFailed as e:
                logger.warning("request %s: removal DM failed: %s", revoked.id, e.error)
        if grants.has_keys and revoked.credentials == Credentials.NONE and revoked.dm_channel and revoked.dm_ts:
            self.notify.retire_dm_button(revoked)
        subject = "Your" if target == actor else f"{msg.mention(target)}'s"
        return msg.text_reply(
            f"{subject} access is removed: {grants.revoked_sentence(revoked, outcome, channel=False)}"
        )

    def _not_ours(
        self, revoking: Request, actor: str | None, final: State, target: str, why: RevokeReason, reason: str
    ) -> msg.Reply:
        label, noun = self.grants.label(revoking), self.grants.noun
        logger.error("request %s: %s is not managed by the bot; left untouched", revoking.id, label)
        self.ledger.move(
            revoking,
            Fields(state=State.REVOKING),
            Fields(state=final, error=f"{noun} was not one amplify-dev manages; left untouched"),
            "expired" if final == State.EXPIRED else "removed",
            actor,
            outcome="not_ours",
            detail=why.sentence,
        )
        self.notify.channel_notice(
            f":warning: {msg.mention(target)}'s access was {why.sentence}, but {label} "
            f"is not one this amplify-dev manages ({reason}), so it was left untouched. An AWS "
            "admin should look at it."
        )
        return msg.text_reply(
            f"The record is closed, but {label} is not one amplify-dev manages, so "
            "I left it untouched. The leads were told."
        )

    def finish_revoking(self, request: Request) -> None:
        """Retry a removal that stopped part-way; closed_by None means the bot started it (expiry, off-boarding)."""
        expired = request.expires_at is not None and request.expires_at <= self.d.clock()
        why = RevokeReason.EXPIRED if request.closed_by is None and expired else RevokeReason.REMOVED
        self.revoke(request, request.closed_by, request.slack_user_id, why=why)

    def cancel(self, actor: str, request: Request) -> msg.Reply:
        """Withdraw a pending request (the requester's own, or a lead's withdrawal of someone else's)."""
        cancelled = self.ledger.move(
            request, Fields(state=State.PENDING), Fields(state=State.CANCELLED, closed_by=actor), "cancelled", actor
        )
        if cancelled is None:
            return self.access.already_handled(request.id)
        self.notify.update_approval_message(cancelled, msg.decided_line(cancelled))
        if actor != cancelled.slack_user_id:
            self.notify.dm(
                cancelled.slack_user_id,
                f":leftwards_arrow_with_hook: {msg.mention(actor)} withdrew your pending AWS Amplify access request "
                f"`{cancelled.id}`. Ask them if you are unsure why; `{msg.COMMAND}` asks again.",
            )
        return msg.text_reply("The pending request was withdrawn; nothing was created.")

    def offboard(self, user_id: str) -> None:
        """Slack says the user was deactivated: revoke their access at once, withdraw what is pending."""
        request = self.d.store.open_request_for(user_id, project=self.d.scope)
        # Slack sends this event once: if the user is being provisioned right now, wait for that to finish.
        deadline = time.monotonic() + OFFBOARD_WAIT_SECONDS
        while request is not None and request.state == State.APPROVED and time.monotonic() < deadline:
            time.sleep(0.5)
            request = self.d.store.open_request_for(user_id, project=self.d.scope)
        if request is None:
            return
        logger.info("request %s: %s was deactivated in Slack; revoking", request.id, user_id)
        if request.state == State.PENDING:
            cancelled = self.ledger.move(
                request,
                Fields(state=State.PENDING),
                Fields(state=State.CANCELLED),
                "cancelled",
                None,
                detail="Slack account deactivated",
            )
            if cancelled:
                self.notify.update_approval_message(
                    cancelled, f":wave: Withdrawn: {msg.mention(user_id)} was deactivated."
                )
            return
        revoking = self.ledger.move(
            request,
            Fields(state=one_of(State.ACTIVE, State.REVOKING)),
            Fields(state=State.REVOKING, closed_by=None),
            "revoking",
            None,
            detail=RevokeReason.OFFBOARDED.sentence,
        )
        if revoking is not None:
            self.revoke(revoking, None, user_id, why=RevokeReason.OFFBOARDED)


def _channel_notice(revoked: Request, actor: str | None, target: str, why: RevokeReason, user: str) -> str:
    """The approvers' channel line when access ended; `user` says what was deleted."""
    if why == RevokeReason.EXPIRED:
        return f":hourglass: {msg.mention(target)}'s access expired: {user}"
    if actor:
        whose = "their own" if target == actor else f"{msg.mention(target)}'s"
        return f":wave: {msg.mention(actor)} removed {whose} access: {user}"
    return f":wave: {msg.mention(target)}'s access was {why.sentence}: {user}"
