"""Deciding a request: Approve (with quorum), Deny, and provisioning the access after approval."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

import messages as msg
from authz import may_decide
from slack_gateway import SlackCallFailed
from store import Fields, Request, State

from .access import no_longer_leads
from .grants import GrantFailed
from .shared import Flow

logger = logging.getLogger(__name__)

CAS_RETRIES = 5  # another lead may approve between our read and our write


class Deciding(Flow):
    """Approve, Deny, provisioning and its failure."""

    def load_for_decision(self, actor: str, request_id: str) -> tuple[Request | None, msg.Reply | None]:
        """The request if `actor` may decide it (a lead, not the requester), else the refusal to show."""
        return self.access.load(
            request_id,
            lambda r: may_decide(actor, r.slack_user_id, actor_is_approver=self.access.is_approver(actor)),
        )

    def approve(self, actor: str, request_id: str) -> msg.Reply | None:
        """An approver's Approve click: create the IAM user, then DM the requester a Show credentials button."""
        request, refusal = self.load_for_decision(actor, request_id)
        if request is None:
            return refusal
        required = self.d.settings.required_approvals
        for _ in range(CAS_RETRIES):
            current = self.d.store.get(request.id) or request
            if current.state != State.PENDING:
                return self.access.already_handled(request.id)
            if actor in current.approvals:
                return msg.text_reply("You already approved this request; another lead has to approve it too.")
            approvals = (*current.approvals, actor)
            expect = Fields(state=State.PENDING, approvals=current.approvals)
            if len(approvals) >= required:
                # The quorum completes now: earlier approvals count only from people who are still leads.
                kept, dropped = self.access.still_approvers(current.approvals)
                approvals = (*kept, actor)
            else:
                dropped = ()
            if len(approvals) < required:
                detail = f"{len(approvals)} of {required}" + (
                    f"; no longer leads: {', '.join(dropped)}" if dropped else ""
                )
                partial = self.ledger.move(
                    current, expect, Fields(approvals=approvals), "approved", actor, detail=detail
                )
                if partial is None:
                    continue
                self.notify.refresh_approval_request(partial)
                return msg.text_reply(
                    f"Your approval is recorded ({len(approvals)} of {required}); "
                    f"{no_longer_leads(dropped)}another lead has to approve too."
                )
            approved = self.ledger.move(
                current,
                expect,
                Fields(state=State.APPROVED, decided_by=actor, decided_at=self.d.clock(), approvals=approvals),
                "approved",
                actor,
            )
            if approved is not None:
                break
        else:
            return self.access.already_handled(request.id)
        return self.provision(approved)

    def provision(self, request: Request) -> msg.Reply | None:
        """Grant the access of an APPROVED request and DM the requester (start-up recovery runs it again)."""
        # Expiry counts from approval; recomputed identically if recovery runs this again after a crash.
        expires_at = request.decided_at + timedelta(days=request.days) if request.days and request.decided_at else None
        try:
            granted = self.grants.provision(request, expires_at)
        except GrantFailed as e:
            return self._provisioning_failed(request, e)
        active = self.ledger.move(
            request,
            Fields(state=State.APPROVED),
            replace(granted, state=State.ACTIVE, expires_at=expires_at),
            "provisioned",
            request.decided_by,
            detail=f"expires={expires_at or 'never'}",
        )
        if active is None:  # cannot happen while only this code moves APPROVED; never leave access behind
            logger.error("request %s left APPROVED while provisioning; rolling back", request.id)
            self.grants.undo(request, granted)
            return self.access.already_handled(request.id)
        return self.tell_requester(active)

    def tell_requester(self, active: Request, *, update_leads: bool = True) -> msg.Reply | None:
        """DM the requester how to use their access and record the outcome in the approval message."""
        outcome = self.grants.provisioned_outcome(active)
        reply: msg.Reply | None = None
        try:
            dm = self.grants.approved_dm(active)
            channel, ts = self.d.slack.send_dm(active.slack_user_id, dm.text, dm.blocks)
            self.ledger.note(active.id, Fields(state=State.ACTIVE), Fields(dm_channel=channel, dm_ts=ts))
        except SlackCallFailed as e:
            logger.error("request %s: DM to requester failed: %s", active.id, e.error)
            note, reply = self.grants.dm_failed(active, e.error)
            outcome += note
        if update_leads:
            self.notify.update_approval_message(active, outcome)
        return reply

    def _provisioning_failed(self, request: Request, error: GrantFailed) -> msg.Reply:
        what, todo, noun = error.what, error.todo, self.grants.noun
        detail = f"provisioning at {error.step}"
        failed = self.ledger.move(
            request,
            Fields(state=State.APPROVED),
            Fields(state=State.FAILED, error=what),
            "failed",
            request.decided_by,
            outcome=error.code,
            detail=detail,
        )
        if failed is None:  # no longer APPROVED: the failure is still on record
            self.ledger.record("failed", request.decided_by, request, outcome=error.code, detail=detail)
        request = failed or request
        self.notify.update_approval_message(
            request, f"{msg.decided_line(request)}\n:x: Creating the {noun} failed: {what}. {todo}"
        )
        self.notify.dm(
            request.slack_user_id,
            f":x: {msg.mention(request.decided_by)} approved your AWS Amplify access, but creating your {noun} "
            f"failed: {what}. The leads have been told; you can ask again with `{msg.COMMAND}` once it is fixed.",
        )
        return msg.text_reply(f"Creating the {noun} failed: {what}. {todo}")

    def deny(self, actor: str, request_id: str) -> msg.Reply | None:
        """An approver's Deny click: close the request and tell the requester by DM."""
        request, refusal = self.load_for_decision(actor, request_id)
        if request is None:
            return refusal
        denied = self.ledger.move(
            request,
            Fields(state=State.PENDING),
            Fields(state=State.DENIED, decided_by=actor, decided_at=self.d.clock()),
            "denied",
            actor,
        )
        if denied is None:
            return self.access.already_handled(request.id)
        self.notify.update_approval_message(denied, msg.decided_line(denied))
        dm = msg.denied_dm(denied)
        try:
            self.d.slack.send_dm(denied.slack_user_id, dm.text, dm.blocks)
        except SlackCallFailed as e:
            logger.error("request %s: denial DM failed: %s", denied.id, e.error)
            return msg.text_reply(
                f"Denied. I couldn't DM {msg.mention(denied.slack_user_id)} (`{e.error}`); please tell them."
            )
        return None
