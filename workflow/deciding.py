"""Deciding a request: Approve (with quorum), Deny, and provisioning the access after approval.

Each function gets the request its handler already loaded (router.for_request): it authorizes on that, and the
next read is only by the compare-and-set that moves it.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

import messages as msg
from authz import Decision, may_decide
from slack_gateway import SlackCallFailed
from store import Fields, Request, State

from .access import already_handled, no_longer_leads
from .grants import GrantFailed
from .project import Project

logger = logging.getLogger(__name__)

CAS_RETRIES = 5  # another lead may approve between our read and our write


def may_decide_on(p: Project, actor: str, request: Request) -> Decision:
    """Whether `actor` may decide `request`: one of its project's leads, and not the requester."""
    return may_decide(actor, request.slack_user_id, actor_is_approver=p.approvers.includes(actor))


def approve(p: Project, actor: str, request: Request) -> msg.Reply | None:
    """An approver's Approve click: create the access, then DM the requester (a Show credentials button)."""
    decision = may_decide_on(p, actor, request)
    if not decision.allowed:
        logger.info("request %s: refused (%s)", request.id, decision.code)
        return msg.text_reply(decision.reason)
    required = p.settings.required_approvals
    current: Request | None = request
    for _ in range(CAS_RETRIES):
        if current is None or current.state != State.PENDING:
            return already_handled(p.store, request.id)
        if actor in current.approvals:
            return msg.text_reply("You already approved this request; another lead has to approve it too.")
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
            return msg.text_reply(
                f"Your approval is recorded ({len(approvals)} of {required}); "
                f"{no_longer_leads(dropped)}another lead has to approve too."
            )
        change = Fields(state=State.APPROVED, decided_by=actor, decided_at=p.clock(), approvals=approvals)
        approved = p.ledger.move(current, expect, change, "approved", actor)
        if approved is not None:
            return provision(p, approved)
        current = p.store.get(request.id)
    return already_handled(p.store, request.id)


def provision(p: Project, request: Request) -> msg.Reply | None:
    """Grant the access of an APPROVED request and DM the requester (start-up recovery runs it again)."""
    # Expiry counts from approval; recomputed identically if recovery runs this again after a crash.
    expires_at = request.decided_at + timedelta(days=request.days) if request.days and request.decided_at else None
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
        return already_handled(p.store, request.id)
    return tell_requester(p, active)


def tell_requester(p: Project, active: Request, *, update_leads: bool = True) -> msg.Reply | None:
    """DM the requester how to use their access and record the outcome in the approval message."""
    granted = p.granted()
    outcome = msg.access_outcome(granted, active)
    reply: msg.Reply | None = None
    try:
        dm = msg.access_dm(granted, active)
        channel, ts = p.slack.send_dm(active.slack_user_id, dm.text, dm.blocks)
        p.ledger.note(active.id, Fields(state=State.ACTIVE), Fields(dm_channel=channel, dm_ts=ts))
    except SlackCallFailed as e:
        logger.error("request %s: DM to requester failed: %s", active.id, e.error)
        note, reply = msg.dm_failed(granted, active, e.error)
        outcome += note
    if update_leads:
        p.notify.update_approval_message(active, outcome)
    return reply


def _provisioning_failed(p: Project, request: Request, error: GrantFailed) -> msg.Reply:
    granted = p.granted()
    what, todo = msg.provisioning_failed(granted, request, error.reason, error.step, error.code)
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
    p.notify.update_approval_message(
        request, f"{msg.decided_line(request)}\n:x: Creating the {noun} failed: {what}. {todo}"
    )
    p.notify.dm(
        request.slack_user_id,
        f":x: {msg.mention(request.decided_by)} approved your AWS Amplify access, but creating your {noun} "
        f"failed: {what}. The leads have been told; you can ask again with `{msg.COMMAND}` once it is fixed.",
    )
    return msg.text_reply(f"Creating the {noun} failed: {what}. {todo}")


def deny(p: Project, actor: str, request: Request) -> msg.Reply | None:
    """An approver's Deny click: close the request and tell the requester by DM."""
    decision = may_decide_on(p, actor, request)
    if not decision.allowed:
        logger.info("request %s: refused (%s)", request.id, decision.code)
        return msg.text_reply(decision.reason)
    denied = p.ledger.move(
        request,
        Fields(state=State.PENDING),
        Fields(state=State.DENIED, decided_by=actor, decided_at=p.clock()),
        "denied",
        actor,
    )
    if denied is None:
        return already_handled(p.store, request.id)
    p.notify.update_approval_message(denied, msg.decided_line(denied))
    dm = msg.denied_dm(denied)
    try:
        p.slack.send_dm(denied.slack_user_id, dm.text, dm.blocks)
    except SlackCallFailed as e:
        logger.error("request %s: denial DM failed: %s", denied.id, e.error)
        return msg.text_reply(
            f"Denied. I couldn't DM {msg.mention(denied.slack_user_id)} (`{e.error}`); please tell them."
        )
    return None
