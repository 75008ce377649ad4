"""Periodic upkeep: expire undecided requests, revoke expired access, remind before expiry, retry stalled
removals, remind the leads of what waits on them (reminding.py), and the drift check between IAM and the store. Every change is a compare-and-set, so two sweeps
(or two processes) never act twice."""

from __future__ import annotations

import logging
from datetime import timedelta

import messages as msg
from slack_gateway import SlackCallFailed
from store import Fields, Request, RevokeReason, State

from . import credentials, recovery, reminding, removal, review
from .outcomes import Actor, Revocation
from .project import Project

logger = logging.getLogger(__name__)

# A request left mid-way and untouched this long has no lazy run still working on it: a lost Lambda invocation
# or one refused past Slack's 5-minute signature window, plus the function's 2-minute timeout, are over by then.
STALLED_AFTER = timedelta(minutes=10)
REVOKING_RETRY_AFTER = timedelta(minutes=5)  # a removal stuck this long (IAM error) is retried by the sweep
# Expiry reminders: label and how long before the end each is sent.
REMINDERS = (("1d", timedelta(days=1)), ("3d", timedelta(days=3)))


def sweep(p: Project, *, reconcile: bool = False) -> None:
    """Periodic work, after finishing what lost lazy runs left mid-way: expire undecided requests, revoke expired
    access, remind before expiry, retry stalled removals, the weekly review, and the drift check when `reconcile`."""
    recovery.recover_stalled(p, p.clock() - STALLED_AFTER)
    now = p.clock()
    store = p.store
    # Read what is due before acting, so a removal that fails in this sweep waits for the next retry window.
    stalled = store.revoking_updated_before(now - REVOKING_RETRY_AFTER, project=p.scope)
    for request in store.pending_created_before(now - timedelta(hours=p.settings.pending_hours), project=p.scope):
        _expire_pending(p, request)
    for request in store.active_expiring_before(now + max(before for _, before in REMINDERS), project=p.scope):
        if request.expires_at is None:
            continue
        if request.expires_at <= now:
            expire_active(p, request)
        else:
            _remind(p, request, request.expires_at - now)
    for request in stalled:  # removals that failed in an earlier sweep or command, not in this one
        logger.warning("request %s: removal stalled since %s; retrying", request.id, request.updated_at)
        removal.finish_revoking(p, request)
    for request in store.with_undelivered_keys(project=p.scope):  # keys nobody saw whose deletion failed earlier
        credentials.discard_undelivered(p, request)
    reminding.remind_undecided(p)  # after the expiries: an expired request is never re-announced
    review.post_weekly_review_if_due(p)  # AMPLIFY_DEV_REVIEW_SCHEDULE; once a week (workflow/review.py)
    if reconcile:
        drift_check(p)


def _expire_pending(p: Project, request: Request) -> None:
    hours = p.settings.pending_hours
    expired = p.ledger.move(
        request,
        Fields(state=State.PENDING),
        Fields(state=State.EXPIRED, closed_by=None),
        "expired",
        Actor.BOT,
        detail=f"pending over {hours} hours",
    )
    if expired is None:  # decided in the meantime
        return
    p.notify.update_approval_message(
        expired,
        f":hourglass: Expired: nobody decided within {hours} hours. "
        f"{msg.mention(expired.slack_user_id)} was told and may ask again.",
    )
    p.notify.dm(
        expired.slack_user_id,
        f":hourglass: Your AWS Amplify access request `{expired.id}` expired: no lead decided within "
        f"{hours} hours. Ask again with `{msg.COMMAND}` if you still need it.",
    )


def expire_active(p: Project, request: Request) -> Revocation | None:
    """Revoke access whose end date passed (only the expiry this snapshot saw: not if extended since); None if it
    was removed or extended in the meantime."""
    expect = Fields(state=State.ACTIVE, expires_at=request.expires_at)
    revoking = removal.start_revoking(p, request, Actor.BOT, RevokeReason.EXPIRED, expect)
    if revoking is None:  # removed or extended in the meantime
        return None
    logger.info("request %s: access expired at %s; revoking", request.id, request.expires_at)
    return removal.revoke(p, revoking, Actor.BOT, revoking.slack_user_id, why=RevokeReason.EXPIRED)


def _remind(p: Project, request: Request, left: timedelta) -> None:
    due = next((label for label, before in REMINDERS if left <= before), None)
    if due is None or request.reminded == due:
        return
    # Claim the reminder first, so two sweeps (or two processes) send it once.
    if p.ledger.note(request.id, Fields(reminded=request.reminded), Fields(reminded=due)) is None:
        return
    dm = msg.reminder_dm(request)
    try:
        p.slack.send_dm(request.slack_user_id, dm.text, dm.blocks)
    except SlackCallFailed as e:
        logger.warning("request %s: expiry reminder failed: %s", request.id, e.error)
        p.ledger.note(request.id, Fields(reminded=due), Fields(reminded=request.reminded))
        return
    logger.info("request %s: reminded %s of expiry (%s before)", request.id, request.slack_user_id, due)


def drift_check(p: Project) -> list[str]:
    """The drift check between AWS and the store (what it compares is the grant kind's: workflow/grants/)."""
    findings = p.grants.drift()
    _report(p, findings)
    return findings


def _report(p: Project, findings: list[str]) -> None:
    for finding in findings:
        logger.warning("reconcile: %s", finding)
    new = [f for f in findings if f not in p.reported]
    p.reported.update(new)
    if new:
        service = p.granted().service
        p.notify.channel_notice(f":mag: Drift between {service} and amplify-dev's records:\n• " + "\n• ".join(new))
