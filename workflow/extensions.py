"""Extending access: the requester's Extend click, and the leads' decision (the same quorum as a request)."""

from __future__ import annotations

import logging
from datetime import UTC, timedelta

import messages as msg
from authz import may_use_credentials
from slack_gateway import SlackCallFailed
from store import Fields, Request, State

from .access import already_handled, no_longer_leads
from .deciding import may_decide_on
from .grants import GrantError
from .project import Project

logger = logging.getLogger(__name__)


def request_extension(p: Project, actor: str, request: Request) -> msg.Reply | None:
    """The requester's Extend click: ask the leads for AMPLIFY_DEV_DEFAULT_DAYS more."""
    decision = may_use_credentials(actor, request.slack_user_id)
    if not decision.allowed:
        logger.info("request %s: refused (%s)", request.id, decision.code)
        return msg.text_reply("Only the person whose access this is can ask to extend it.")
    if request.state != State.ACTIVE or request.expires_at is None:
        return msg.text_reply(f"There is nothing to extend: {msg.describe_request(request, p.granted())}")
    days = p.settings.default_days
    asked = p.ledger.move(
        request,
        Fields(state=State.ACTIVE, extension_days=None),
        # Its reminders start again (workflow/reminding.py): counted from now, none sent yet.
        Fields(extension_days=days, extension_asked_at=p.clock(), reminders_sent=0, last_reminded_at=None),
        "extension_requested",
        actor,
        detail=f"{days} more days",
    )
    if asked is None:
        return msg.text_reply("You already asked for an extension; the leads will decide on it.")
    message = msg.extension_request_message(asked, p.granted())
    try:
        ts = p.slack.post_message(p.settings.approval_channel, message.text, message.blocks)
    except SlackCallFailed as e:
        p.ledger.note(request.id, Fields(extension_days=days), Fields(extension_days=None, extension_asked_at=None))
        return msg.text_reply(f"I couldn't ask the leads (Slack said `{e.error}`); try again later.")
    p.ledger.note(request.id, Fields(extension_days=days), Fields(extension_ts=ts))
    logger.info("request %s: extension of %s days asked by %s", request.id, days, actor)
    return msg.text_reply(f"Asked the leads for {days} more days; I'll DM you when one of them decides.")


def decide_extension(p: Project, actor: str, request: Request, *, approve: bool) -> msg.Reply | None:
    """An approver's decision on an extension: the store, the tag and the inline policy move together."""
    decision = may_decide_on(p, actor, request)
    if not decision.allowed:
        logger.info("request %s: refused (%s)", request.id, decision.code)
        return msg.text_reply(decision.reason)
    if request.extension_days is None or request.state != State.ACTIVE:
        return msg.text_reply("There is no extension waiting on this request; nothing was changed.")
    if not approve:
        return _deny(p, actor, request)
    days = request.extension_days
    required = p.settings.required_approvals
    if actor in request.extension_approvals:
        return msg.text_reply("You already approved this extension; another lead has to approve it too.")
    approvals = (*request.extension_approvals, actor)
    # Still ACTIVE at the write, not only at the read: a `remove` landing in between must win.
    expect = Fields(state=State.ACTIVE, extension_days=days, extension_approvals=request.extension_approvals)
    dropped: tuple[str, ...] = ()
    if len(approvals) >= required:  # the quorum completes now: re-check the earlier approvers
        kept, dropped = p.approvers.still_approvers(request.extension_approvals)
        approvals = (*kept, actor)
    if len(approvals) < required:  # the same two-person rule as for the request itself
        counted = p.ledger.move(
            request,
            expect,
            Fields(extension_approvals=approvals),
            "approved",
            actor,
            detail=f"extension {len(approvals)} of {required}",
        )
        if counted is None:
            return _not_decided(p, request)
        return msg.text_reply(
            f"Your approval of the extension is recorded ({len(approvals)} of {required}); "
            f"{no_longer_leads(dropped)}another lead has to approve it too."
        )
    now = p.clock()
    new_expiry = max(request.expires_at or now, now) + timedelta(days=days)
    if p.settings.max_days:
        new_expiry = min(new_expiry, now + timedelta(days=p.settings.max_days))
    extended = p.ledger.note(
        request.id,
        expect,
        Fields(
            extension_days=None,
            extension_ts=None,
            extension_approvals=(),
            extension_asked_at=None,
            expires_at=new_expiry,
            reminded=None,
        ),
    )
    if extended is None:
        return _not_decided(p, request)
    try:
        p.grants.extend(request, new_expiry)
    except GrantError as e:
        # Keep the store telling the truth: the old expiry is what AWS still enforces.
        p.ledger.note(
            request.id,
            Fields(expires_at=new_expiry),
            Fields(expires_at=request.expires_at, reminded=request.reminded),
        )
        logger.error("request %s: extension failed at %s: %s", request.id, e.step, e.code)
        return msg.text_reply(
            f"AWS refused the extension (`{e.step}`: {e.code}); the access still ends "
            f"{msg.slack_date(request.expires_at)}."
        )
    p.ledger.record(
        "extended",
        actor,
        extended,
        detail=f"by {days} days to {new_expiry.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}",
    )
    p.notify.update_extension_message(
        request,
        f":white_check_mark: Extended by {msg.mention(actor)}: access now ends {msg.slack_date(new_expiry)}.",
    )
    p.notify.dm(
        request.slack_user_id,
        f":white_check_mark: {msg.mention(actor)} extended your AWS Amplify access: "
        f"it now ends {msg.slack_date(new_expiry)}.",
    )
    return None


def _deny(p: Project, actor: str, request: Request) -> msg.Reply | None:
    denied = p.ledger.move(
        request,
        Fields(state=State.ACTIVE, extension_days=request.extension_days),
        Fields(extension_days=None, extension_ts=None, extension_approvals=(), extension_asked_at=None),
        "extension_denied",
        actor,
    )
    if denied is None:
        return _not_decided(p, request)
    p.notify.update_extension_message(request, f":no_entry: Extension denied by {msg.mention(actor)}.")
    p.notify.dm(
        request.slack_user_id,
        f":no_entry: {msg.mention(actor)} denied your extension; your access "
        f"still ends {msg.slack_date(request.expires_at)}.",
    )
    return None


def _not_decided(p: Project, request: Request) -> msg.Reply:
    """The loser's answer: another lead decided first, or the access started ending (a `remove`, its end date)."""
    current = p.store.get(request.id)
    if current is None or current.state == State.ACTIVE:
        return already_handled(p.store, request.id)
    by = f" by {msg.mention(current.closed_by)}" if current.closed_by else ""
    logger.info("request %s: extension not decided, the access is %s", request.id, current.state)
    p.notify.update_extension_message(current, f":no_entry_sign: Not applied: the access is being removed{by}.")
    return msg.text_reply(
        f"This access is being removed{by} (it is *{current.state}* now), so the extension was not applied. "
        "Nothing was changed."
    )
