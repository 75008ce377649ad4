"""Who may do what: pure decisions, checked on the server for every command and click.

A decision carries a code (for branching, audit and tests) and the sentence shown to the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Reason(StrEnum):
    """Why a decision came out as it did."""

    ALLOWED = "allowed"
    OWN_REQUEST = "own_request"  # nobody decides their own request, approver or not
    NOT_APPROVER = "not_approver"  # not a configured lead (directly or through a user group)
    NOT_REQUESTER = "not_requester"  # credentials and extensions belong to the requester alone
    NOT_FOR_OTHERS = "not_for_others"  # acting on someone else's access needs a lead
    # AMPLIFY_DEV_REQUESTERS and who Slack says the person is: refused before anything reaches the leads.
    REQUESTER_GUEST = "requester_guest"  # a single- or multi-channel guest not listed by user ID
    REQUESTER_BOT = "requester_bot"
    REQUESTER_DEACTIVATED = "requester_deactivated"
    REQUESTER_NOT_LISTED = "requester_not_listed"  # AMPLIFY_DEV_REQUESTERS is set and names neither them nor a group
    # Break-glass (authz/breakglass.py): access at once, without a lead.
    BREAKGLASS_OFF = "breakglass_off"  # AMPLIFY_DEV_BREAKGLASS_HOURS is unset
    BREAKGLASS_NOT_LISTED = "breakglass_not_listed"  # AMPLIFY_DEV_BREAKGLASS_USERS names neither them nor a group
    BREAKGLASS_REASON_SHORT = "breakglass_reason_short"  # under 10 characters once trimmed
    BREAKGLASS_TOO_LONG = "breakglass_too_long"  # more hours than the configured maximum (or fewer than one)


@dataclass(frozen=True)
class Decision:
    """Whether an action is allowed, why (a code), and the sentence to show when it is not."""

    allowed: bool
    code: Reason = Reason.ALLOWED
    reason: str = ""


ALLOWED = Decision(True)


def may_decide(actor: str, requester: str, *, actor_is_approver: bool) -> Decision:
    """May `actor` approve or deny `requester`'s request? Never their own, and only if configured as an approver."""
    if actor == requester:
        return Decision(False, Reason.OWN_REQUEST, "You can't approve or deny your own request; another lead has to.")
    if not actor_is_approver:
        return Decision(
            False, Reason.NOT_APPROVER, "Only the leads configured for amplify-dev can approve or deny requests."
        )
    return ALLOWED


def may_act_for_others(actor: str, target: str, *, actor_is_approver: bool) -> Decision:
    """May `actor` list requests or remove `target`'s access? Anyone may act for themselves; leads for others."""
    if actor == target or actor_is_approver:
        return ALLOWED
    return Decision(
        False, Reason.NOT_FOR_OTHERS, "Only the leads configured for amplify-dev can do that for someone else."
    )


def may_use_credentials(actor: str, requester: str) -> Decision:
    """Only the requester may reveal or rotate the credentials of their own access."""
    if actor == requester:
        return ALLOWED
    return Decision(False, Reason.NOT_REQUESTER, "Only the person who asked for this access can fetch its credentials.")


@dataclass(frozen=True)
class Requester:
    """What the requester policy looks at: Slack's flags for the person and where the settings list them."""

    user_id: str
    is_guest: bool = False  # is_restricted or is_ultra_restricted
    is_bot: bool = False
    deleted: bool = False
    listed_by_id: bool = False  # their user ID is in AMPLIFY_DEV_REQUESTERS
    in_listed_group: bool = False  # a member of a user group AMPLIFY_DEV_REQUESTERS names


def may_request(person: Requester, *, restricted: bool, approval_channel: str) -> Decision:
    """May `person` file a request? `restricted`: AMPLIFY_DEV_REQUESTERS is set (else every full member may).

    Guests, bots and deactivated accounts are refused whatever the setting says, except a guest listed by user
    ID (a group is not enough: guests in a group are usually there by accident).
    """
    ask = f"Ask a lead in <#{approval_channel}> if you need AWS Amplify access; nothing was sent to them."
    if person.deleted:
        return Decision(False, Reason.REQUESTER_DEACTIVATED, "This Slack account is deactivated, so it can't ask.")
    if person.is_bot:
        return Decision(False, Reason.REQUESTER_BOT, "Bots can't ask for AWS Amplify access.")
    if person.is_guest and not person.listed_by_id:
        return Decision(
            False, Reason.REQUESTER_GUEST, f"Guests of this workspace can't ask for access unless listed by name. {ask}"
        )
    if person.is_guest or not restricted or person.listed_by_id or person.in_listed_group:
        return ALLOWED
    return Decision(False, Reason.REQUESTER_NOT_LISTED, f"You aren't among the people allowed to ask here. {ask}")


def may_review(*, actor_is_approver: bool) -> Decision:
    """Only the leads see the access review (who holds access, when it was last used)."""
    if actor_is_approver:
        return ALLOWED
    return Decision(False, Reason.NOT_APPROVER, "Only the leads configured for amplify-dev can see the access review.")
