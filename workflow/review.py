"""The access review: one row per active grant with its last use, flags a lead can act on, the weekly post.

`/amplify-dev review` answers a lead with it; with AMPLIFY_DEV_REVIEW_SCHEDULE the sweep posts it to the
approval channel once a week (the week is claimed by compare-and-set in the store, so several replicas or
sweeps post it once) and DMs the developer of each key older than 90 days to suggest `rotate`. The DMs go
with the weekly post only: a lead running the command ten times must not nag anyone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

import messages as msg
from authz import may_review
from messages.review import (
    EXPIRING_WITHIN,
    KEY_MAX_AGE,
    NEVER_USED_AFTER,
    UNUSED_FOR,
    Flag,
    Review,
    ReviewRow,
    review_message,
    review_reply,
    rotate_suggestion_dm,
)
from slack_gateway import SlackCallFailed
from store import Request, RequestStore, State

from .grants import LastUse
from .project import Project
from .sandboxes import SandboxReport, identifier_for

logger = logging.getLogger(__name__)

DEFAULT_PROJECT = "default"  # the one implicit project until projects exist (issue 13)
REVIEWED_STATES = (State.ACTIVE, State.REVOKING)  # REVOKING: removal did not finish, so access may remain
HAD_ACCESS = (State.REVOKED, State.EXPIRED)  # whose sandboxes the review looks for, unless they hold access again
BREAKGLASS_ENDED = "access has ended; still listed until a lead acknowledges the break-glass"


def review_flags(request: Request, usage: Any, key_created_at: datetime | None, now: datetime) -> tuple[Flag, ...]:
    """The flags of one grant at `now` (pure). `usage` (iam.review.UserUsage) None: nothing was read (AWS did not
    answer, or the kind tells no last use), so only expiry is judged."""
    flags: list[Flag] = []
    if usage is not None:
        used = [k.last_used_at for k in usage.keys if k.last_used_at] + [
            t for t in (usage.password_last_used, usage.signin_last_used) if t is not None
        ]
        last_used = max(used, default=None)
        # The key is minted when the requester clicks Show credentials: its creation is when it was shown.
        shown_at = min((k.created_at for k in usage.keys), default=None) or request.decided_at
        if last_used is None and shown_at is not None and now - shown_at >= NEVER_USED_AFTER:
            flags.append(Flag.NEVER_USED)
        elif last_used is not None and now - last_used >= UNUSED_FOR:
            flags.append(Flag.UNUSED)
        if key_created_at is not None and now - key_created_at > KEY_MAX_AGE:
            flags.append(Flag.OLD_KEY)
    if (
        request.state not in HAD_ACCESS
        and request.expires_at is not None
        and request.expires_at - now <= EXPIRING_WITHIN
    ):
        flags.append(Flag.EXPIRING)
    if request.breakglass and not request.breakglass_acked_by:  # until a lead presses Acknowledge on its post
        flags.append(Flag.BREAKGLASS)
    return tuple(flags)


def review_row(request: Request, last_use: LastUse, now: datetime) -> ReviewRow:
    """One grant's row: what its kind read of its last use (workflow/grants/), flagged as of `now`."""
    usage: Any = last_use.usage
    in_use = None
    if usage is not None and usage.keys:
        in_use = next((k for k in usage.keys if k.access_key_id == request.access_key_id), usage.keys[-1])
    latest = None
    if usage is not None:
        latest = max((k for k in usage.keys if k.last_used_at), key=lambda k: k.last_used_at, default=None)
    return ReviewRow(
        request_id=request.id,
        developer=request.slack_user_id,
        iam_user=request.iam_user_name,
        state=str(request.state),
        console=request.console,
        approved_by=request.decided_by,
        approved_at=request.decided_at,
        expires_at=request.expires_at,
        key_id=in_use.access_key_id if in_use else None,
        key_created_at=in_use.created_at if in_use else None,
        last_used_at=latest.last_used_at if latest else None,
        last_used_service=latest.service if latest else None,
        last_used_region=latest.region if latest else None,
        password_last_used=usage.password_last_used if usage else None,
        flags=review_flags(request, usage, in_use.created_at if in_use else None, now),
        note=last_use.note,
        signin_last_used=usage.signin_last_used if usage else None,
        keys=last_use.keys,
    )


def build_review(
    store: RequestStore,
    last_use: Callable[[Request], LastUse],
    now: datetime,
    *,
    project: str = DEFAULT_PROJECT,
    scope: str | None = None,
) -> Review:
    """The review of every active grant in `store` (of the project `scope`; None: every one), as of `now`, and of
    every break-glass grant that ended before a lead acknowledged it (its flag stays until one does)."""
    rows = [review_row(r, last_use(r), now) for r in store.in_states(REVIEWED_STATES, project=scope)]
    rows += [
        review_row(r, LastUse(None, BREAKGLASS_ENDED), now)
        for r in store.in_states(HAD_ACCESS, project=scope)
        if r.breakglass and not r.breakglass_acked_by
    ]
    return Review(project=project, generated_at=now, rows=tuple(rows))


def with_sandboxes_left_behind(
    review: Review, store: RequestStore, sandboxes: SandboxReport, *, scope: str | None = None
) -> Review:
    """The review plus the sandbox stacks of people who had access and hold none now (the flag "sandbox of someone
    without access"), or the listing's failure; the review as it was when the report is off."""
    if not sandboxes.enabled:
        return review
    holding = {r.slack_user_id for r in store.in_states((*REVIEWED_STATES, State.APPROVED), project=scope)}
    names: dict[str, set[str]] = {}  # identifier -> developers (a name is per Slack user: one, in practice)
    for request in store.in_states(HAD_ACCESS, project=scope):
        identifier = identifier_for(request.iam_user_name)
        if identifier and request.slack_user_id not in holding:
            names.setdefault(identifier, set()).add(request.slack_user_id)
    finding = sandboxes.find(sorted(names))
    if finding is None:
        return review
    if finding.failed:
        return replace(review, sandbox_failure=f"{finding.failed_step}: {finding.failed_code}")
    left: dict[str, dict[str, Any]] = {}  # developer -> their stacks by name (two of their names may match one)
    for identifier, stacks in finding.stacks.items():
        for developer in names.get(identifier, ()):
            left.setdefault(developer, {}).update((s.stack_name, s) for s in stacks)
    leftovers = tuple((developer, tuple(left[developer].values())) for developer in sorted(left))
    return replace(review, sandboxes=leftovers)


def review_period(now: datetime) -> str:
    """The ISO week `now` falls in, e.g. "2026-W09": the weekly post's claim."""
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def review(p: Project, actor: str) -> msg.Reply:
    """`/amplify-dev review`: the review, for the project's leads only."""
    decision = may_review(actor_is_approver=p.approvers.includes(actor))
    if not decision.allowed:
        return msg.text_reply(decision.reason)
    return review_reply(build(p))


def build(p: Project, now: datetime | None = None) -> Review:
    """The project's review now (or at `now`), with the sandboxes left behind when the report is on."""
    review = build_review(p.store, p.grants.last_use, now or p.clock(), project=p.settings.project, scope=p.scope)
    return with_sandboxes_left_behind(review, p.store, p.sandboxes, scope=p.scope)


def post_weekly_review_if_due(p: Project) -> bool:
    """The sweep's one call (the only path of the weekly post): post the review if today (UTC) is the day and
    nobody has this week. True if posted; an error is logged and never stops the sweep."""
    try:
        return _post_if_due(p)
    except Exception:
        logger.exception("the weekly access review failed")
        return False


def _post_if_due(p: Project) -> bool:
    now = p.clock()
    weekday = p.settings.review_weekday
    if weekday is None or now.weekday() != weekday:
        return False
    # Claimed before the (slow) AWS reads: a second replica or sweep stops here, whatever happens next.
    # One claim per project: each project's leads get their own weekly review.
    if not p.store.claim(f"review/{p.settings.project}", review_period(now)):
        return False
    logger.info("posting the weekly access review (%s)", review_period(now))
    weekly = build(p, now)
    message = review_message(weekly)
    try:
        p.slack.post_message(p.settings.approval_channel, message.text, message.blocks)
    except SlackCallFailed as e:
        # The week stays claimed (at most once a week); the leads can still run the command.
        logger.error("could not post the weekly access review: %s", e.error)
        return True
    for row in weekly.rows:
        if Flag.OLD_KEY in row.flags:
            p.notify.tell(row.developer, rotate_suggestion_dm(row, weekly.generated_at))
    return True
