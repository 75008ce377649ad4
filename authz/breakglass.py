"""May this person break the glass? A pure decision with a reason code, like the rest of authz/.

Break-glass grants access at once without a lead, so every condition is checked on the server from the
settings and Slack's signed payload: it is on (AMPLIFY_DEV_BREAKGLASS_HOURS), the person is listed by user ID or
through a user group (AMPLIFY_DEV_BREAKGLASS_USERS; the caller resolves group membership), the reason says why
(at least 10 characters once trimmed) and the hours asked for are within the maximum.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import ALLOWED, Decision, Reason

MIN_REASON = 10


@dataclass(frozen=True)
class BreakGlassAsk:
    """What the person asked for and who they are to the settings."""

    user_id: str
    reason: str
    hours: int | None = None  # None: the configured maximum
    listed_by_id: bool = False  # their user ID is in AMPLIFY_DEV_BREAKGLASS_USERS
    in_listed_group: bool = False  # a member of a user group AMPLIFY_DEV_BREAKGLASS_USERS names


def breakglass_hours(ask: BreakGlassAsk, max_hours: int | None) -> int:
    """The hours the access lasts: what was asked, or the maximum."""
    return ask.hours if ask.hours is not None else (max_hours or 0)


def may_break_glass(ask: BreakGlassAsk, *, max_hours: int | None) -> Decision:
    """May `ask.user_id` take access now without approval? `max_hours`: AMPLIFY_DEV_BREAKGLASS_HOURS (None: off)."""
    if max_hours is None:
        return Decision(
            False, Reason.BREAKGLASS_OFF, "Break-glass is not turned on here; ask a lead to approve a request instead."
        )
    if not (ask.listed_by_id or ask.in_listed_group):
        return Decision(
            False,
            Reason.BREAKGLASS_NOT_LISTED,
            "You aren't among the people allowed to use break-glass; file a request for a lead to approve instead.",
        )
    if len(ask.reason.strip()) < MIN_REASON:
        return Decision(
            False,
            Reason.BREAKGLASS_REASON_SHORT,
            f"Say why you need access without approval: a reason of at least {MIN_REASON} characters.",
        )
    hours = breakglass_hours(ask, max_hours)
    if not 1 <= hours <= max_hours:
        return Decision(
            False,
            Reason.BREAKGLASS_TOO_LONG,
            f"Break-glass access lasts 1 to {max_hours} hour{'s' if max_hours != 1 else ''} here; ask for fewer.",
        )
    return ALLOWED


def may_acknowledge(actor: str, requester: str, *, actor_is_approver: bool) -> Decision:
    """May `actor` press Acknowledge on a break-glass use? A lead of its project, never the one who took it."""
    if actor == requester:
        return Decision(
            False, Reason.OWN_REQUEST, "You can't acknowledge your own break-glass access; another lead has to."
        )
    if not actor_is_approver:
        return Decision(
            False, Reason.NOT_APPROVER, "Only the leads configured for amplify-dev can acknowledge a break-glass use."
        )
    return ALLOWED
