"""The access review: one row per active grant with its last use, flags a lead can act on, the weekly post.

`/amplify-dev review` answers a lead with it; with AMPLIFY_DEV_REVIEW_SCHEDULE the sweep posts it to the
approval channel once a week (the week is claimed by compare-and-set in the store, so several replicas or
sweeps post it once) and DMs the developer of each key older than 90 days to suggest `rotate`. The DMs go
with the weekly post only: a lead running the command ten times must not nag anyone.
"""

from __future__ import annotations

import logging
from datetime import datetime

import iam
import messages as msg
from authz import may_review
from iam.review import UserUsage, read_user_usage
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

from .shared import Flow, Shared

logger = logging.getLogger(__name__)

DEFAULT_PROJECT = "default"  # the one implicit project until projects exist (issue 13)
REVIEWED_STATES = (State.ACTIVE, State.REVOKING)  # REVOKING: removal did not finish, so access may remain


def review_flags(
    request: Request, usage: UserUsage | None, key_created_at: datetime | None, now: datetime
) -> tuple[Flag, ...]:
    """The flags of one grant at `now` (pure). `usage` None: IAM could not be read, so only expiry is judged."""
    flags: list[Flag] = []
    if usage is not None:
        used = [k.last_used_at for k in usage.keys if k.last_used_at] + [
            t for t in (usage.password_last_used,) if t is not None
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
    if request.expires_at is not None and request.expires_at - now <= EXPIRING_WITHIN:
        flags.append(Flag.EXPIRING)
    return tuple(flags)


# An Identity Center assignment has no key, and AWS reports no per-assignment last use to the bot.
NO_USAGE_IN_IDENTITY_CENTER = (
    "Identity Center assignment: AWS tells the bot neither when it was last used nor any key age (sign-ins are "
    "in CloudTrail and the access portal's logs); only the expiry is judged"
)


def review_row(client: object, request: Request, now: datetime, *, identity_center: bool = False) -> ReviewRow:
    """Read one grant's last use from IAM and flag it (one ListAccessKeys, a last-used read per key, a
    GetUser for a console user). An Identity Center grant reads nothing: its row says what AWS does not tell."""
    note = ""
    usage: UserUsage | None
    if identity_center:
        usage, note = None, NO_USAGE_IN_IDENTITY_CENTER
    else:
        try:
            usage = read_user_usage(client, request.iam_user_name, console=request.console)
        except iam.IamError as e:
            logger.warning("review: could not read %s from IAM: %s %s", request.iam_user_name, e.step, e.code)
            usage, note = None, f"IAM did not answer ({e.step}: {e.code}); last use unknown"
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
        note=note,
    )


def build_review(
    store: RequestStore,
    client: object,
    now: datetime,
    *,
    project: str = DEFAULT_PROJECT,
    scope: str | None = None,
    identity_center: bool = False,
) -> Review:
    """The review of every active grant in `store` (of the project `scope`; None: every one), as of `now`."""
    rows = tuple(
        review_row(client, request, now, identity_center=identity_center)
        for request in store.in_states(REVIEWED_STATES, project=scope)
    )
    return Review(project=project, generated_at=now, rows=rows)


def review_period(now: datetime) -> str:
    """The ISO week `now` falls in, e.g. "2026-W09": the weekly post's claim."""
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


class AccessReview(Flow):
    """`/amplify-dev review` and the weekly post."""

    def review(self, actor: str) -> msg.Reply:
        """The review, for the leads only."""
        decision = may_review(actor_is_approver=self.access.is_approver(actor))
        if not decision.allowed:
            return msg.text_reply(decision.reason)
        return review_reply(self.build())

    def post_if_due(self) -> bool:
        """From the sweep: post the weekly review if today (UTC) is the day and nobody has this week. True if so."""
        now = self.d.clock()
        weekday = self.d.settings.review_weekday
        if weekday is None or now.weekday() != weekday:
            return False
        # Claimed before the (slow) IAM reads: a second replica or sweep stops here, whatever happens next.
        # One claim per project: each project's leads get their own weekly review.
        if not self.d.store.claim(f"review/{self.d.settings.project}", review_period(now)):
            return False
        logger.info("posting the weekly access review (%s)", review_period(now))
        self._post(self.build(now))
        return True

    def build(self, now: datetime | None = None) -> Review:
        """The review now (or at `now`)."""
        return build_review(
            self.d.store,
            self.d.iam,
            now or self.d.clock(),
            project=self.d.settings.project,
            scope=self.d.scope,
            identity_center=self.d.settings.identity_center is not None,
        )

    def _post(self, review: Review) -> None:
        message = review_message(review)
        try:
            self.d.slack.post_message(self.d.settings.approval_channel, message.text, message.blocks)
        except SlackCallFailed as e:
            # The week stays claimed (at most once a week); the leads can still run the command.
            logger.error("could not post the weekly access review: %s", e.error)
            return
        for row in review.rows:
            if Flag.OLD_KEY in row.flags:
                self.notify.tell(row.developer, rotate_suggestion_dm(row, review.generated_at))


def post_weekly_review_if_due(shared: Shared) -> None:
    """The sweep's one call: the weekly review if due; an error is logged and never stops the sweep."""
    try:
        AccessReview(shared).post_if_due()
    except Exception:
        logger.exception("the weekly access review failed")
