"""Deciding a request: Approve (with quorum), Deny, and provisioning the access after approval.

Each function gets the request its handler already loaded (router.for_request): it authorizes on that, and the
next read is only by the compare-and-set that moves it.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

import messages as msg
from authz import Decision, may_decide
from slack_gateway import SlackCallFailed
from store import Fields, Request, State

from . import breakglass_notice
from .access import already_handled, no_longer_leads
from .grants import GrantFailed
from .outcomes import Actor, Decided, Verdict
from .project import Project
from .sandboxes import identifier_for

logger = logging.getLogger(__name__)

CAS_RETRIES = 5  # another lead may approve between our read and our write


def may_decide_on(p: Project, actor: str, request: Request) -> Decision:
    """Whether `actor` may decide `request`: one of its project's leads, and not the requester."""
    return may_decide(actor, request.slack_user_id, actor_is_approver=p.approvers.includes(actor))


def approve(p: Project, actor: str, request: Request) -> Decided:
    """An approver's Approve click: create the access, then DM the requester (a Show credentials button)."""
    decision = may_decide_on(p, actor, request)
    if not decision.allowed:
        logger.info("request %s: refused (%s)", request.id, decision.code)
        return Decided(Verdict.REFUSED, request, actor, reason=decision.reason)
    required = p.settings.required_approvals
    current: Request | None = request
    for _ in range(CAS_RETRIES):
        if current is None or current.state != State.PENDING:
            return Decided(Verdict.HANDLED, request, actor)
        if actor in current.approvals:
            return Decided(Verdict.ALREADY_APPROVED, current, actor)
        approvals = (*current.approvals, actor)
        expect = Fields(state=State.PENDING, approvals=current.approvals)
        dropped: tuple[str, ...] = ()
        if len(approvals) >= required:
            # The quorum completes now: earlier approvals count only from people who are still leads.
            kept, dropped = p.approvers.still_approvers(current.approvals)
            approvals = (*kept, actor)
        if len(approvals) < required:
            detail = f"{len(approvals)} of {required}" + (f"; no longer leads: {', '.join(dropped)}" if dropped else "")
            partial = p.ledger.move(current, expect, Fields(approvals=approvals), "approved", actor, detail=detail)
            if partial is None:
                current = p.store.get(request.id)  # another lead approved in between: count again
                continue
            p.notify.refresh_approval_request(partial)
            return Decided(Verdict.COUNTED, partial, actor, counted=len(approvals), required=required, dropped=dropped)
        change = Fields(state=State.APPROVED, decided_by=actor, decided_at=p.clock(), approvals=approvals)
        approved = p.ledger.move(current, expect, change, "approved", actor)
        if approved is not None:
            return provision(p, approved)
        current = p.store.get(request.id)
    return Decided(Verdict.HANDLED, request, actor)


def decided_reply(p: Project, outcome: Decided) -> msg.Reply | None:
    """The words for the lead who clicked (None: nothing to add, the channel message says it)."""
    match outcome.verdict:
        case Verdict.REFUSED:
            return msg.text_reply(outcome.reason)
        case Verdict.HANDLED:
            return already_handled(p.store, outcome.request.id)
        case Verdict.ALREADY_APPROVED:
            return msg.text_reply("You already approved this request; another lead has to approve it too.")
        case Verdict.COUNTED:
            return msg.text_reply(
                f"Your approval is recorded ({outcome.counted} of {outcome.required}); "
                f"{no_longer_leads(outcome.dropped)}another lead has to approve too."
            )
        case Verdict.FAILED:
            return msg.text_reply(f"Creating the {p.granted().noun} failed: {outcome.what}. {outcome.todo}")
        case Verdict.GRANTED if outcome.dm_error:
            return msg.dm_failed(p.granted(), outcome.request, outcome.dm_error)[1]
        case Verdict.DENIED if outcome.dm_error:
            who = msg.mention(outcome.request.slack_user_id)
            return msg.text_reply(f"Denied. I couldn't DM {who} (`{outcome.dm_error}`); please tell them.")
    return None


def provision(p: Project, request: Request) -> Decided:
    """Grant the access of an APPROVED request and DM the requester (start-up recovery runs it again)."""
    expires_at = access_ends(request)
    by = request.decided_by or Actor.BOT
    try:
        granted = p.grants.provision(request, expires_at)
    except GrantFailed as e:
        return _provisioning_failed(p, request, e)
    active = p.ledger.move(
        request,
        Fields(state=State.APPROVED),
        replace(granted, state=State.ACTIVE, expires_at=expires_at),
        "provisioned",
        request.decided_by,
        detail=f"expires={expires_at or 'never'}",
    )
    if active is None:  # cannot happen while only this code moves APPROVED; never leave access behind
        logger.error("request %s left APPROVED while provisioning; rolling back", request.id)
        p.grants.undo(request, granted)
        return Decided(Verdict.HANDLED, request, by)
    return tell_requester(p, active)


def access_ends(request: Request) -> datetime | None:
    """When the access of an APPROVED request ends; the same if recovery provisions it again after a crash."""
    if request.breakglass:  # fixed when it was taken: at most AMPLIFY_DEV_BREAKGLASS_HOURS from then
        return request.expires_at
    # Expiry counts from approval.
    return request.decided_at + timedelta(days=request.days) if request.days and request.decided_at else None


def tell_requester(p: Project, active: Request, *, update_leads: bool = True) -> Decided:
    """DM the requester how to use their access and record the outcome in the approval message."""
    if active.breakglass:
        # Break-glass has no approval message: its own posts and DMs tell the leads, before the requester is
        # told (a run cut short after this is found by recovery: ACTIVE without a DM).
        active = breakglass_notice.announce(p, active)
        update_leads = False
    granted = p.granted()
    outcome = msg.access_outcome(granted, active)
    dm_error = ""
    try:
        dm = msg.access_dm(granted, active, identifier_for(active.iam_user_name))
        channel, ts = p.slack.send_dm(active.slack_user_id, dm.text, dm.blocks)
        p.ledger.note(active.id, Fields(state=State.ACTIVE), Fields(dm_channel=channel, dm_ts=ts))
    except SlackCallFailed as e:
        logger.error("request %s: DM to requester failed: %s", active.id, e.error)
        dm_error = e.error
        outcome += msg.dm_failed(granted, active, e.error)[0]
    if update_leads:
        p.notify.update_approval_message(active, outcome)
    return Decided(Verdict.GRANTED, active, active.decided_by or Actor.BOT, dm_error=dm_error)


def _provisioning_failed(p: Project, request: Request, error: GrantFailed) -> Decided:
    granted = p.granted()
    what, todo = msg.provisioning_failed(granted, request, error.reason, error.step, error.code, now=error.now)
    detail = f"provisioning at {error.step}"
    failed = p.ledger.move(
        request,
        Fields(state=State.APPROVED),
        Fields(state=State.FAILED, error=what),
        "failed",
        request.decided_by,
        outcome=error.code,
        detail=detail,
    )
    if failed is None:  # no longer APPROVED: the failure is still on record
        p.ledger.record("failed", request.decided_by, request, outcome=error.code, detail=detail)
    request = failed or request
    noun = granted.noun
    if request.breakglass:  # no approval message and no approver: say so in the channel and to the requester
        breakglass_notice.provisioning_failed(p, request, f"creating the {noun} failed: {what}. {todo}")
        return Decided(Verdict.FAILED, request, request.decided_by or Actor.BOT, what=what, todo=todo)
    p.notify.update_approval_message(
        request, f"{msg.decided_line(request)}\n:x: Creating the {noun} failed: {what}. {todo}"
    )
    p.notify.dm(
        request.slack_user_id,
        f":x: {msg.mention(request.decided_by)} approved your AWS Amplify access, but creating your {noun} "
        f"failed: {what}. The leads have been told; you can ask again with `{msg.COMMAND}` once it is fixed.",
    )
    return Decided(Verdict.FAILED, request, request.decided_by or Actor.BOT, what=what, todo=todo)


def deny(p: Project, actor: str, request: Request) -> Decided:
    """An approver's Deny click: close the request and tell the requester by DM."""
    decision = may_decide_on(p, actor, request)
    if not decision.allowed:
        logger.info("request %s: refused (%s)", request.id, decision.code)
        return Decided(Verdict.REFUSED, request, actor, reason=decision.reason)
    denied = p.ledger.move(
        request,
        Fields(state=State.PENDING),
        Fields(state=State.DENIED, decided_by=actor, decided_at=p.clock()),
        "denied",
        actor,
    )
    if denied is None:
        return Decided(Verdict.HANDLED, request, actor)
    p.notify.update_approval_message(denied, msg.decided_line(denied))
    dm = msg.denied_dm(denied)
    try:
        p.slack.send_dm(denied.slack_user_id, dm.text, dm.blocks)
    except SlackCallFailed as e:
        logger.error("request %s: denial DM failed: %s", denied.id, e.error)
        return Decided(Verdict.DENIED, denied, actor, dm_error=e.error)
    return Decided(Verdict.DENIED, denied, actor)
