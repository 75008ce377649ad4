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
