"""Reminders that reach a lead: a request (or an extension) nobody has decided on is re-announced as a reply in its
thread, naming the approvers, after AMPLIFY_DEV_RENOTIFY_MINUTES and then at doubling intervals, four times at most
(the schedule is scheduler/reminders.py). Run by the sweep.

Each reminder is claimed by a compare-and-set of `reminders_sent` that also expects the request still undecided
(PENDING, or ACTIVE with the same extension asked), with its audit row in the same write: two replicas sweeping at
once, or a restart, send it once, and a decision, withdrawal or expiry that lands first stops it. A reply Slack
refuses is not retried (the claim stands and the failure is audited): Slack's own 429/5xx are already retried by
the client, so what is left would fail again on every sweep; the next reminder comes at its time.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import messages as msg
from scheduler.reminders import MAX_REMINDERS, Reminder, next_reminder
from slack_gateway import SlackCallFailed
from store import Fields, Request, State

from .outcomes import Actor
from .project import Project

logger = logging.getLogger(__name__)

EVENT = "reminded"  # audit.EVENTS: each reminder (detail: which one, of the request or its extension)


def remind_undecided(p: Project) -> None:
    """Send the reminders that are due now: of pending requests, then of extensions waiting on the leads."""
    now = p.clock()
    every = timedelta(minutes=p.settings.renotify_minutes)
    # Only what has waited at least one interval can be due: the store reads no more than that.
    for request in p.store.pending_created_before(now - every, project=p.scope):
        if request.created_at is None or not request.approval_ts:  # not posted yet: recovery posts it first
            continue
        expires_at = request.created_at + timedelta(hours=p.settings.pending_hours)
        reminder = _due(request, request.created_at, now, every, expires_at)
        if reminder is not None:
            expect = Fields(state=State.PENDING, reminders_sent=request.reminders_sent)
            _send(p, request, expect, reminder, now, thread=(request.approval_channel or "", request.approval_ts))
    for request in p.store.extensions_asked_before(now - every, project=p.scope):
        asked = request.extension_asked_at
        if asked is None or request.extension_days is None or not request.extension_ts:
            continue
        reminder = _due(request, asked, now, every, request.expires_at)
        if reminder is not None:
            expect = Fields(state=State.ACTIVE, extension_asked_at=asked, reminders_sent=request.reminders_sent)
            thread = (p.settings.approval_channel, request.extension_ts)
            _send(p, request, expect, reminder, now, thread=thread, extension=True)


def _due(
    request: Request, filed_at: datetime, now: datetime, every: timedelta, expires_at: datetime | None
) -> Reminder | None:
    reminder = next_reminder(
        filed_at,
        request.reminders_sent,
        now,
        every=every,
        expires_at=expires_at,
        last_sent_at=request.last_reminded_at,
    )
    return reminder if reminder is not None and reminder.due_at <= now else None


def _send(
    p: Project,
    request: Request,
    expect: Fields,
    reminder: Reminder,
    now: datetime,
    *,
    thread: tuple[str, str],
    extension: bool = False,
) -> None:
    what = "extension reminder" if extension else "reminder"
    detail = f"{what} {reminder.sent_after} of {MAX_REMINDERS}"
    change = Fields(reminders_sent=reminder.sent_after, last_reminded_at=now)
    claimed = p.ledger.move(request, expect, change, EVENT, Actor.BOT, detail=detail)
    if claimed is None:  # another sweep sent it, or the request was decided, withdrawn or expired meanwhile
        return
    settings = p.settings
    filed_at = (claimed.extension_asked_at if extension else claimed.created_at) or now
    reply = msg.reminder_reply(
        requester=claimed.slack_user_id,
        approver_user_ids=sorted(settings.approver_user_ids),
        approver_group_ids=sorted(settings.approver_group_ids),
        filed_at=filed_at,
        number=reminder.sent_after,
        of=MAX_REMINDERS,
        extension=extension,
    )
    channel, ts = thread
    try:
        p.slack.post_message(channel, reply.text, reply.blocks, thread_ts=ts)
    except SlackCallFailed as e:
        logger.warning("request %s: %s could not be posted: %s", request.id, what, e.error)
        p.ledger.record(EVENT, Actor.BOT, claimed, outcome=e.error, detail=f"{detail}: not posted")
        return
    logger.info("request %s: leads reminded (%s)", request.id, detail)
