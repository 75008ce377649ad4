"""Who may do what: pure decisions, checked on the server for every command and click."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    """Whether an action is allowed, and the sentence to show when it is not."""

    allowed: bool
    reason: str = ""


ALLOWED = Decision(True)


def may_decide(actor: str, requester: str, *, actor_is_approver: bool) -> Decision:
    """May `actor` approve or deny `requester`'s request? Never their own, and only if configured as an approver."""
    if actor == requester:
        return Decision(False, "You can't approve or deny your own request; another lead has to.")
    if not actor_is_approver:
        return Decision(False, "Only the leads configured for amplify-dev can approve or deny requests.")
    return ALLOWED


def may_act_for_others(actor: str, target: str, *, actor_is_approver: bool) -> Decision:
    """May `actor` list requests or remove `target`'s access? Anyone may act for themselves; leads for others."""
    if actor == target or actor_is_approver:
        return ALLOWED
    return Decision(False, "Only the leads configured for amplify-dev can do that for someone else.")


def may_use_credentials(actor: str, requester: str) -> Decision:
    """Only the requester may reveal or rotate the credentials of their own access."""
    if actor == requester:
        return ALLOWED
    return Decision(False, "Only the person who asked for this access can fetch its credentials.")
