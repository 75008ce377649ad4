"""Ending access: `remove`, the revoke sequence (also for expiry and off-boarding), withdrawing a pending request.

`revoke` returns a `Revocation` (what happened, why, by whom); `remove` words it for the person who asked, the
sweep and off-boarding drop it. The channel and the developer are told inside revoke, whoever started it.
"""

from __future__ import annotations

import logging
import time

import messages as msg
from authz import may_act_for_others
from slack_gateway import SlackCallFailed
from store import Credentials, Fields, Request, RevokeReason, State, one_of

from .access import already_handled
from .grants import GrantError, GrantNotOurs, SessionsRevoked
from .outcomes import Actor, Ended, Revocation, person
from .project import Project

logger = logging.getLogger(__name__)

OFFBOARD_WAIT_SECONDS = 60.0


def remove(p: Project, actor: str, target: str, request: Request | None) -> msg.Reply:
    """Revoke `target`'s access (their open `request` in this project), or withdraw their pending request."""
    decision = may_act_for_others(actor, target, actor_is_approver=target != actor and p.approvers.includes(actor))
    if not decision.allowed:
        return msg.text_reply(decision.reason)
    whose = "You have" if target == actor else f"{msg.mention(target)} has"
    if request is None:
        return msg.text_reply(f"{whose} no amplify-dev access to remove.")
    if request.state == State.PENDING:
        return cancel(p, actor, request)
    if request.state == State.APPROVED:
        return msg.text_reply("That access is being set up right now; run remove again in a minute.")
    revoking = start_revoking(p, request, actor, RevokeReason.REMOVED)
    if revoking is None:
        return already_handled(p.store, request.id)
    return removal_reply(p, revoke(p, revoking, actor, target))


def start_revoking(
    p: Project, request: Request, by: str, why: RevokeReason, expect: Fields | None = None
) -> Request | None:
    """ACTIVE (or a stalled REVOKING) -> REVOKING, audited; None if someone else moved it first."""
    return p.ledger.move(
        request,
        expect or Fields(state=one_of(State.ACTIVE, State.REVOKING)),
        Fields(state=State.REVOKING, closed_by=person(by)),
        "revoking",
        by,
        detail=why.sentence,
    )


def revoke(
    p: Project, revoking: Request, by: str, target: str, *, why: RevokeReason = RevokeReason.REMOVED
) -> Revocation:
    """End the access of a REVOKING request at AWS and tell the channel and the developer; `by` may be Actor.BOT."""
    final = State.EXPIRED if why == RevokeReason.EXPIRED else State.REVOKED
    event = "expired" if why == RevokeReason.EXPIRED else "removed"
    granted = p.granted()
    label = msg.grant_label(granted, revoking)
    try:
        revoked = p.grants.revoke(revoking)
    except GrantNotOurs as e:
        logger.error("request %s: %s is not managed by the bot; left untouched", revoking.id, label)
        change = Fields(state=final, error=f"{granted.noun} was not one amplify-dev manages; left untouched")
        expect = Fields(state=State.REVOKING)
        p.ledger.move(revoking, expect, change, event, by, outcome="not_ours", detail=why.sentence)
        p.notify.channel_notice(
            f":warning: {msg.mention(target)}'s access was {why.sentence}, but {label} "
            f"is not one this amplify-dev manages ({e.why}), so it was left untouched. An AWS "
            "admin should look at it."
        )
        return Revocation(Ended.NOT_OURS, revoking, why, by, target, reason=e.why)
    except GrantError as e:
        logger.error("request %s: revoke failed at %s: %s", revoking.id, e.step, e.code)
        _audit_sessions(p, by, revoking, e.sessions)
        detail = f"removal at {e.step}" + msg.sessions_detail(e.sessions and e.sessions.audited)
        p.ledger.record("failed", by, revoking, outcome=e.code, detail=detail)
        p.notify.channel_notice(
            f":warning: Removing {msg.mention(target)}'s {label} stopped at "
            f"`{e.step}` ({e.code}). Some access may remain until `{msg.COMMAND} remove <@{target}>` succeeds."
        )
        return Revocation(Ended.STOPPED, revoking, why, by, target, step=e.step, code=e.code)
    _audit_sessions(p, by, revoking, revoked.sessions)
    sessions = revoked.sessions.counts if revoked.sessions else None
    detail = why.sentence + msg.sessions_detail(revoked.sessions and revoked.sessions.audited)
    closed = p.ledger.move(revoking, Fields(state=State.REVOKING), Fields(state=final), event, by, detail=detail)
    if closed is None:  # another process closed it after deleting the same access: say so once more
        closed = revoking
        p.ledger.record(event, by, closed, detail=detail)
    ended = msg.revoked_sentence(
        granted, closed, deleted=revoked.deleted, channel=True, kept_for=revoked.kept_for, sessions=sessions
    )
    p.notify.channel_notice("\n".join([_channel_notice(by, target, why, ended), *_sandbox_lines(p, closed, target)]))
    if target != by:
        dm = msg.access_removed_dm(granted, closed, why)
        try:
            p.slack.send_dm(target, dm.text, dm.blocks)
        except SlackCallFailed as e:
            logger.warning("request %s: removal DM failed: %s", closed.id, e.error)
    if closed.credentials == Credentials.NONE and closed.dm_channel and closed.dm_ts:
        p.notify.retire_dm_button(closed)
    return Revocation(
        Ended.REVOKED, closed, why, by, target, deleted=revoked.deleted, kept_for=revoked.kept_for, sessions=sessions
    )


def _audit_sessions(p: Project, by: str, request: Request, sessions: SessionsRevoked | None) -> None:
    """A sign-in revocation that failed is audited on its own row (the deletion went on regardless)."""
    if sessions is not None and sessions.code:
        p.ledger.record("failed", by, request, outcome=sessions.code, detail=msg.sessions_detail(sessions.audited)[2:])


def removal_reply(p: Project, outcome: Revocation) -> msg.Reply:
    """The words for the person who asked for a removal."""
    granted = p.granted()
    if outcome.ended == Ended.NOT_OURS:
        return msg.text_reply(
            f"The record is closed, but {msg.grant_label(granted, outcome.request)} is not one amplify-dev manages, "
            "so I left it untouched. The leads were told."
        )
    if outcome.ended == Ended.STOPPED:
        return msg.text_reply(
            f"Removing the {granted.noun} stopped at `{outcome.step}` (AWS said {outcome.code}). Access may remain: "
            f"run `{msg.COMMAND} remove` again; the leads were told."
        )
    subject = "Your" if outcome.target == outcome.by else f"{msg.mention(outcome.target)}'s"
    ended = msg.revoked_sentence(
        granted,
        outcome.request,
        deleted=outcome.deleted,
        channel=False,
        kept_for=outcome.kept_for,
        sessions=outcome.sessions,
    )
    return msg.text_reply(f"{subject} access is removed: {ended}")


def finish_revoking(p: Project, request: Request) -> Revocation:
    """Retry a removal that stopped part-way; closed_by None means the bot started it (expiry, off-boarding)."""
    expired = request.expires_at is not None and request.expires_at <= p.clock()
    why = RevokeReason.EXPIRED if request.closed_by is None and expired else RevokeReason.REMOVED
    return revoke(p, request, request.closed_by or Actor.BOT, request.slack_user_id, why=why)


def cancel(p: Project, actor: str, request: Request) -> msg.Reply:
    """Withdraw a pending request (the requester's own, or a lead's withdrawal of someone else's)."""
    cancelled = p.ledger.move(
        request, Fields(state=State.PENDING), Fields(state=State.CANCELLED, closed_by=actor), "cancelled", actor
    )
    if cancelled is None:
        return already_handled(p.store, request.id)
    p.notify.update_approval_message(cancelled, msg.decided_line(cancelled))
    if actor != cancelled.slack_user_id:
        p.notify.dm(
            cancelled.slack_user_id,
            f":leftwards_arrow_with_hook: {msg.mention(actor)} withdrew your pending AWS Amplify access request "
            f"`{cancelled.id}`. Ask them if you are unsure why; `{msg.COMMAND}` asks again.",
        )
    return msg.text_reply("The pending request was withdrawn; nothing was created.")


def offboard(p: Project, user_id: str) -> None:
    """Slack says the user was deactivated: revoke their access at once, withdraw what is pending."""
    request = p.store.open_request_for(user_id, project=p.scope)
    # Slack sends this event once: if the user is being provisioned right now, wait for that to finish.
    deadline = time.monotonic() + OFFBOARD_WAIT_SECONDS
    while request is not None and request.state == State.APPROVED and time.monotonic() < deadline:
        time.sleep(0.5)
        request = p.store.open_request_for(user_id, project=p.scope)
    if request is None:
        return
    logger.info("request %s: %s was deactivated in Slack; revoking", request.id, user_id)
    if request.state == State.PENDING:
        cancelled = p.ledger.move(
            request,
            Fields(state=State.PENDING),
            Fields(state=State.CANCELLED),
            "cancelled",
            Actor.BOT,
            detail="Slack account deactivated",
        )
        if cancelled:
            p.notify.update_approval_message(cancelled, f":wave: Withdrawn: {msg.mention(user_id)} was deactivated.")
        return
    revoking = start_revoking(p, request, Actor.BOT, RevokeReason.OFFBOARDED)
    if revoking is not None:
        revoke(p, revoking, Actor.BOT, user_id, why=RevokeReason.OFFBOARDED)


def _sandbox_lines(p: Project, closed: Request, target: str) -> list[str]:
    """The developer's Amplify sandbox stacks for the leads' notice (after the removal: a listing never holds it
    up), or that the listing failed; nothing when the report is off."""
    finding = p.sandboxes.of_request(closed)
    if finding is None:
        return []
    if finding.failed:
        return [msg.sandbox_listing_failed_line(target, finding.failed_step, finding.failed_code)]
    return msg.sandbox_notice_lines(target, [s for stacks in finding.stacks.values() for s in stacks])


def _channel_notice(by: str, target: str, why: RevokeReason, ended: str) -> str:
    """The approvers' channel line when access ended; `ended` says what was deleted."""
    if why == RevokeReason.EXPIRED:
        return f":hourglass: {msg.mention(target)}'s access expired: {ended}"
    if by != Actor.BOT:
        whose = "their own" if target == by else f"{msg.mention(target)}'s"
        return f":wave: {msg.mention(by)} removed {whose} access: {ended}"
    return f":wave: {msg.mention(target)}'s access was {why.sentence}: {ended}"
