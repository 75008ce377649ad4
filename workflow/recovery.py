"""Recovery: finish or roll back requests left mid-way, at start-up (a crash) and from the sweep (a lazy
listener that was lost or died: on Lambda nothing ever "starts up", so the sweep is what finds them)."""

from __future__ import annotations

import logging
from datetime import datetime

import messages as msg
from slack_gateway import SlackCallFailed
from store import Credentials, Fields, Request, State

from . import credentials, deciding, removal
from .outcomes import Verdict
from .project import Project

logger = logging.getLogger(__name__)


def recover(p: Project) -> int:
    """At start-up, finish or roll back every request a crash left mid-way; returns how many were touched."""
    touched = 0
    for request in p.store.in_states([State.PENDING, State.APPROVED, State.ACTIVE, State.REVOKING], project=p.scope):
        try:
            if _recover_one(p, request):
                touched += 1
        except Exception:  # one bad request must not keep the bot from starting
            logger.exception("recovery of request %s failed; it stays %s", request.id, request.state)
    logger.info("start-up recovery: %d request(s) needed attention", touched)
    return touched


def recover_stalled(p: Project, untouched_since: datetime) -> int:
    """From the sweep: finish or roll back requests left mid-way and untouched since then (a lost lazy run)."""
    touched = 0
    for request in p.store.stalled_before(untouched_since, project=p.scope):
        try:
            if _recover_state(p, request, why="was interrupted"):
                touched += 1
        except Exception:  # one bad request must not stop the sweep
            logger.exception("recovery of stalled request %s failed; it stays %s", request.id, request.state)
    if touched:
        logger.warning("sweep: %d request(s) left mid-way were finished or rolled back", touched)
    return touched


def _recover_one(p: Project, request: Request) -> bool:
    if not request.undelivered_key_ids:
        return _recover_state(p, request)
    logger.warning("recovery: request %s has keys nobody saw; deleting them", request.id)
    _recover_state(p, credentials.discard_undelivered(p, request))
    return True


def _recover_state(p: Project, request: Request, why: str = "restarted") -> bool:
    if request.state == State.ACTIVE and request.credentials == Credentials.CLAIMED:
        # The click was acknowledged but its lazy run never started minting (lost, or refused as too late).
        logger.warning("recovery: request %s: a Show credentials click was never carried out", request.id)
        credentials.release(p.ledger, request, Credentials.CLAIMED, Credentials.NONE)
        p.notify.dm(
            request.slack_user_id,
            ":warning: Your *Show credentials* click got lost on my side, so nothing was created. "
            f"Click it again (in this DM, or via `{msg.COMMAND} status`).",
        )
        return True
    if request.state == State.PENDING and not request.approval_ts:
        _repost(p, request)
        return True
    if request.state == State.APPROVED:
        # Provisioning was cut short. create_developer_user resumes a user tagged with this request id
        # (or creates it), so running it again finishes the job or rolls it back.
        logger.warning("recovery: request %s was approved but not provisioned; finishing", request.id)
        outcome = deciding.provision(p, request)
        if outcome.verdict != Verdict.GRANTED or outcome.dm_error:
            logger.info("recovery: request %s: %s %s", request.id, outcome.verdict, outcome.what or outcome.dm_error)
        return True
    if request.state == State.ACTIVE and request.credentials == Credentials.MINTING:
        # We cannot know whether the ephemeral reached the requester: a key nobody saw must not live.
        logger.warning("recovery: request %s was showing credentials; deleting what was minted", request.id)
        p.grants.discard_all_keys(request, keep=None)
        # The kind decides what a console password nobody saw means (sign-in: there always is one).
        credentials.discard_minted(p, request, None, console=request.console)
        credentials.release(p.ledger, request, Credentials.MINTING, Credentials.NONE)
        p.notify.dm(
            request.slack_user_id,
            f":warning: I {why} while showing you your AWS credentials, so I deleted them to be safe. "
            "Click *Show credentials* again (in this DM, or via `/amplify-dev status`) for fresh ones.",
        )
        return True
    if request.state == State.ACTIVE and request.credentials == Credentials.ROTATING:
        logger.warning("recovery: request %s was rotating its key; keeping the previous key", request.id)
        p.grants.discard_all_keys(request, keep=request.access_key_id)
        # A password set for the rotation may have reached nobody (sign-in): the kind deletes it; a key kind has
        # nothing to do here.
        credentials.discard_minted(p, request, None, console=False)
        credentials.release(p.ledger, request, Credentials.ROTATING, Credentials.SHOWN)
        p.notify.dm(request.slack_user_id, msg.rotation_interrupted(p.granted(), why))
        return True
    if request.state == State.ACTIVE and not request.dm_ts:
        logger.warning("recovery: request %s was provisioned but the requester was not told; DMing", request.id)
        # From the sweep (a lost lazy run on Lambda) the leads' message still shows the approval: update it too.
        deciding.tell_requester(p, request, update_leads=why != "restarted")
        return True
    if request.state == State.ACTIVE and request.extension_days is not None and not request.extension_ts:
        logger.warning("recovery: request %s asked for an extension the leads never saw; clearing it", request.id)
        p.ledger.note(
            request.id,
            Fields(extension_ts=None, extension_days=request.extension_days),
            Fields(extension_days=None, extension_approvals=(), extension_asked_at=None),
        )
        p.notify.dm(
            request.slack_user_id,
            ":warning: I restarted before your extension request reached the leads; click *Extend* again.",
        )
        return True
    if request.state == State.REVOKING:
        logger.warning("recovery: request %s was being removed; finishing the removal", request.id)
        removal.finish_revoking(p, request)
        return True
    return False


def _repost(p: Project, request: Request) -> None:
    logger.warning("recovery: request %s was never posted to the approvers; posting it now", request.id)
    message = msg.approval_request_message(request, project=p.label, granted=p.granted())
    try:
        ts = p.slack.post_message(p.settings.approval_channel, message.text, message.blocks)
    except SlackCallFailed as e:
        logger.error("recovery: request %s still cannot be posted: %s", request.id, e.error)
        return
    p.ledger.note(request.id, Fields(state=State.PENDING), Fields(approval_ts=ts))
