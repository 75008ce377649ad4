"""Making break-glass loud: the post with Acknowledge in the approval channel, its copy in the audit channel, a DM
to every approver; the post redrawn once a lead acknowledged it. Slack failures are logged, never raised: telling
people must not undo access already granted (and the audit event `breakglass` is written whatever happens here).
"""

from __future__ import annotations

import logging
from datetime import timedelta

import messages as msg
from messages import breakglass as words
from slack_gateway import SlackCallFailed
from store import Fields, Request

from .project import Project

logger = logging.getLogger(__name__)


def use_of(p: Project, request: Request) -> msg.BreakGlassUse:
    """One break-glass use as every post tells it (all of it from the stored request and the project's settings)."""
    start = request.decided_at or request.created_at
    ends = request.expires_at or start
    hours = round((ends - start) / timedelta(hours=1)) if start and ends else 0
    return msg.BreakGlassUse(
        request_id=request.id,
        user_id=request.slack_user_id,
        reason=request.reason,
        hours=hours,
        expires_at=ends,
        grant=p.granted().grant or msg.grant_description(p.settings),
        approval_channel=request.approval_channel or p.settings.approval_channel,
    )


def announce(p: Project, request: Request) -> Request:
    """Post the break-glass to the approval and audit channels and DM every approver, once per request (the
    approval post's ts is recorded; a run that recovery repeats after a crash in between may post again)."""
    if request.breakglass_ts:
        return request
    use = use_of(p, request)
    post = msg.breakglass_post(use)
    ts = None
    try:
        ts = p.slack.post_message(use.approval_channel, post.text, post.blocks)
    except SlackCallFailed as e:
        logger.error("request %s: could not post the break-glass to the approval channel: %s", request.id, e.error)
    audit_channel = p.settings.audit_channel
    if audit_channel and audit_channel != use.approval_channel:
        copy = words.breakglass_audit_post(use)
        try:
            p.slack.post_message(audit_channel, copy.text, copy.blocks)
        except SlackCallFailed as e:
            logger.error("request %s: could not post the break-glass to the audit channel: %s", request.id, e.error)
    dm = msg.breakglass_approver_dm(use)
    for approver in p.approvers.everyone():
        if approver != request.slack_user_id:  # a lead who broke the glass knows
            p.notify.tell(approver, dm)
    if ts is None:
        return request
    noted = p.ledger.note(request.id, Fields(breakglass_ts=None), Fields(breakglass_ts=ts))
    return noted or p.store.get(request.id) or request


def redraw_acknowledged(p: Project, request: Request) -> bool:
    """Replace the approval channel's post with its acknowledged form (who and when, no button); False if it could
    not be (no post recorded, or Slack refused)."""
    if not (request.breakglass_ts and request.breakglass_acked_by and request.breakglass_acked_at):
        return False
    use = use_of(p, request)
    post = msg.breakglass_acknowledged_post(
        use, msg.Acknowledgement(by=request.breakglass_acked_by, at=request.breakglass_acked_at)
    )
    try:
        p.slack.update_message(use.approval_channel, request.breakglass_ts, post.text, post.blocks)
    except SlackCallFailed as e:
        logger.warning("request %s: could not redraw the break-glass post: %s", request.id, e.error)
        return False
    return True


def provisioning_failed(p: Project, request: Request, what: str) -> None:
    """The access could not be created: the approval channel and the person who broke the glass are told."""
    p.notify.channel_notice(words.breakglass_failed_notice(request, what))
    p.notify.dm(request.slack_user_id, words.breakglass_failed_dm(what))
