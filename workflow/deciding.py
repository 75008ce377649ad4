"""Deciding a request: Approve (with quorum), Deny, and provisioning the IAM user after approval."""

from __future__ import annotations

import logging
from datetime import timedelta

import iam
import messages as msg
from authz import may_decide
from slack_gateway import SlackCallFailed
from store import Fields, Request, State

from .access import Access, no_longer_leads
from .deps import Deps
from .notifier import Notifier

logger = logging.getLogger(__name__)

CAS_RETRIES = 5  # another lead may approve between our read and our write


class Deciding:
    """Approve, Deny, provisioning and its failure."""

    def __init__(self, deps: Deps, access: Access, notify: Notifier) -> None:
        self.d = deps
        self.access = access
        self.notify = notify

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
                partial = self.d.store.compare_and_set(current.id, expect, Fields(approvals=approvals))
                if partial is None:
                    continue
                detail = f"{len(approvals)} of {required}" + (
                    f"; no longer leads: {', '.join(dropped)}" if dropped else ""
                )
                self.notify.audit("approved", actor, partial, detail=detail)
                self.notify.refresh_approval_request(partial)
                return msg.text_reply(
                    f"Your approval is recorded ({len(approvals)} of {required}); "
                    f"{no_longer_leads(dropped)}another lead has to approve too."
                )
            approved = self.d.store.compare_and_set(
                current.id,
                expect,
                Fields(state=State.APPROVED, decided_by=actor, decided_at=self.d.clock(), approvals=approvals),
            )
            if approved is not None:
                break
        else:
            return self.access.already_handled(request.id)
        self.notify.audit("approved", actor, approved)
        return self.provision(approved)

    def provision(self, request: Request) -> msg.Reply | None:
        """Create the IAM user of an APPROVED request and DM the requester (start-up recovery runs it again)."""
        settings = self.d.settings
        # Expiry counts from approval; recomputed identically if recovery runs this again after a crash.
        expires_at = request.decided_at + timedelta(days=request.days) if request.days and request.decided_at else None
        spec = iam.ProvisionSpec(
            user_name=request.iam_user_name,
            path=settings.iam_path,
            slack_user_id=request.slack_user_id,
            request_id=request.id,
            approved_by=request.decided_by or "",
            policy_arns=settings.policy_arns,
            console=request.console,
            group=settings.iam_group,
            permissions_boundary=settings.permissions_boundary,
            expires_at=expires_at,
        )
        try:
            user = iam.create_developer_user(self.d.iam, spec)
        except iam.IamError as e:
            return self._provisioning_failed(request, e)
        except ValueError:  # a name or path IAM would reject: checked before any AWS call
            return self._provisioning_failed(request, iam.IamError("CreateUser", "ValidationError"))
        active = self.d.store.compare_and_set(
            request.id,
            Fields(state=State.APPROVED),
            Fields(state=State.ACTIVE, iam_user_arn=user.arn, iam_user_id=user.user_id, expires_at=expires_at),
        )
        if active is None:  # cannot happen while only this code moves APPROVED; never leave a user behind
            logger.error("request %s left APPROVED while provisioning; rolling back", request.id)
            iam.revoke_developer_user(self.d.iam, user.user_name, settings.iam_path)
            return self.access.already_handled(request.id)
        self.notify.audit("provisioned", active.decided_by, active, detail=f"expires={active.expires_at or 'never'}")
        return self.tell_requester(active)

    def tell_requester(self, active: Request, *, update_leads: bool = True) -> msg.Reply | None:
        """DM the requester their Show credentials button and record the outcome in the approval message."""
        outcome = msg.provisioned_outcome(active)
        reply: msg.Reply | None = None
        try:
            dm = msg.approved_dm(active)
            channel, ts = self.d.slack.send_dm(active.slack_user_id, dm.text, dm.blocks)
            self.d.store.compare_and_set(active.id, Fields(state=State.ACTIVE), Fields(dm_channel=channel, dm_ts=ts))
        except SlackCallFailed as e:
            logger.error("request %s: DM to requester failed: %s", active.id, e.error)
            outcome += (
                f"\n:warning: I couldn't DM {msg.mention(active.slack_user_id)} (Slack said `{e.error}`). "
                f"No key exists yet; they can get it with `{msg.COMMAND} status`."
            )
            reply = msg.text_reply(
                f"{msg.mention(active.slack_user_id)}'s IAM user was created, but I couldn't DM them "
                f"(`{e.error}`). Ask them to run `{msg.COMMAND} status` to fetch their credentials."
            )
        if update_leads:
            self.notify.update_approval_message(active, outcome)
        return reply

    def _provisioning_failed(self, request: Request, error: iam.IamError) -> msg.Reply:
        path = self.d.settings.iam_path
        if not error.rolled_back and not isinstance(error, iam.UserNameTaken):
            # The user is under our path with our tags for this Slack user (its name carries their id):
            # finish the clean-up the failed call could not.
            try:
                iam.revoke_developer_user(self.d.iam, request.iam_user_name, path)
                error = iam.IamError(error.step, error.code, rolled_back=True)
            except iam.IamError as cleanup:
                logger.error(
                    "request %s: clean-up after failure also failed at %s: %s", request.id, cleanup.step, cleanup.code
                )
        what, todo = _failure_sentences(request, error, path)
        failed = self.d.store.compare_and_set(
            request.id, Fields(state=State.APPROVED), Fields(state=State.FAILED, error=what)
        )
        request = failed or request
        self.notify.audit(
            "failed", request.decided_by, request, outcome=error.code, detail=f"provisioning at {error.step}"
        )
        self.notify.update_approval_message(
            request, f"{msg.decided_line(request)}\n:x: Creating the IAM user failed: {what}. {todo}"
        )
        self.notify.dm(
            request.slack_user_id,
            f":x: {msg.mention(request.decided_by)} approved your AWS Amplify access, but creating your IAM user "
            f"failed: {what}. The leads have been told; you can ask again with `{msg.COMMAND}` once it is fixed.",
        )
        return msg.text_reply(f"Creating the IAM user failed: {what}. {todo}")

    def deny(self, actor: str, request_id: str) -> msg.Reply | None:
        """An approver's Deny click: close the request and tell the requester by DM."""
        request, refusal = self.load_for_decision(actor, request_id)
        if request is None:
            return refusal
        denied = self.d.store.compare_and_set(
            request.id,
            Fields(state=State.PENDING),
            Fields(state=State.DENIED, decided_by=actor, decided_at=self.d.clock()),
        )
        if denied is None:
            return self.access.already_handled(request.id)
        self.notify.audit("denied", actor, denied)
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


def _failure_sentences(request: Request, error: iam.IamError, path: str) -> tuple[str, str]:
    """(what happened, what to do) after a failed provisioning, in words for the leads and the requester."""
    if isinstance(error, iam.UserNameTaken):
        return (
            f"an IAM user named `{request.iam_user_name}` already exists that amplify-dev did not create, "
            "so it was left untouched",
            "An AWS admin must rename or remove that user (or the requester's Slack name must change).",
        )
    if error.rolled_back:
        return (
            f"AWS refused `{error.step}` ({error.code}); everything created so far was removed again",
            "Check the bot's IAM permissions and settings, then the requester can ask again.",
        )
    return (
        f"AWS refused `{error.step}` ({error.code}) and the clean-up failed too: IAM user "
        f"`{request.iam_user_name}` may be left under `{path}`",
        f"An AWS admin should delete it (or run `{msg.COMMAND} remove <@{request.slack_user_id}>`).",
    )
