"""The Identity Center kind's drift check: assignments of the permission set in the account against the store.

Deletes only an assignment the bot recorded creating (workflow/grants/assignment_ownership.py) for a request now closed
(its removal did not finish), and only while no open request of any project names that user on that target.
Reports user assignments it has no record of, and deletes nothing it did not create. Group assignments are how admins
grant access by hand: not ours to report.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Protocol

import identity_center as idc
import messages as msg
from store import OPEN_STATES, Fields, Request, State

from ..deps import Deps
from ..ledger import Ledger
from ..outcomes import Actor
from .assignment_ownership import AssignmentOwnership

logger = logging.getLogger(__name__)


class AssignmentTarget(Protocol):
    """What the drift check needs of the Identity Center grants: where assignments are made, and their names."""

    def target(self) -> idc.Target: ...

    def instance(self) -> idc.Instance: ...

    def label(self, request: Request) -> str: ...

    @property
    def ownership(self) -> AssignmentOwnership: ...


class IdentityCenterDrift:
    """Finish lost removals, close records whose assignment is gone, report assignments nobody asked for."""

    def __init__(self, deps: Deps, ledger: Ledger, grants: AssignmentTarget) -> None:
        self.d = deps
        self.ledger = ledger
        self.grants = grants

    def reconcile(self) -> list[str]:
        """What the drift check found (and did); the caller reports it."""
        findings: list[str] = []
        # The store first: a request approved while AWS is listed then shows up as live, never as unknown.
        live = [r for r in self.d.store.in_states(OPEN_STATES, project=self.d.scope) if r.identity_store_user_id]
        try:
            target = self.grants.target()
            assignments = idc.list_assignments(self.d.grant_clients.sso_admin, target)
        except idc.IdentityCenterError as e:
            logger.error("reconcile: cannot list account assignments: %s %s", e.step, e.code)
            return findings
        users = {a.principal_id for a in assignments if a.principal_type == "USER"}
        for user_id in sorted(users):
            findings += self._check_assignment(target, user_id)
        for request in live:
            if (
                request.state == State.ACTIVE
                and request.assignment_created
                and request.identity_store_user_id not in users
            ):
                findings += self._close_lost(target, request)
        return findings

    def _check_assignment(self, target: idc.Target, user_id: str) -> list[str]:
        """Delete a user's assignment only if the bot recorded creating that very assignment for a request now
        closed, and no open request of any project names the user on this target: both read from the store after
        the listing and again right before the delete. Anything else is left; unknown ones are reported."""
        ownership = self.grants.ownership
        if ownership.naming(target, user_id):
            return []  # live (possibly a request being approved right now, or another project's)
        holder_id = ownership.holder(target, user_id)
        holder = self.d.store.get(holder_id) if holder_id else None
        if holder is None or holder.is_open:
            return [] if holder is not None else [self._unknown(user_id)]
        # Last look before a delete nothing can undo: the record, and every project's open requests, again.
        if ownership.holder(target, user_id) != holder.id or ownership.naming(target, user_id):
            return [f"{self._who(user_id)}'s {self.grants.label(holder)} changed hands while I looked: left as it is."]
        return [self._finish(target, holder, user_id)]

    def _finish(self, target: idc.Target, request: Request, user_id: str) -> str:
        label = self.grants.label(request)
        try:
            idc.delete_assignment(self.d.grant_clients.sso_admin, target, user_id)
            self.grants.ownership.release(request, target, user_id)
        except idc.IdentityCenterError as e:
            return f"The {label} for {msg.mention(request.slack_user_id)} outlived its closed request `{request.id}`; removing it failed at `{e.step}` ({e.code})."
        self.ledger.record(
            "removed", Actor.BOT, request, outcome="drift", detail="assignment outlived its closed request"
        )
        return (
            f"The {label} for {msg.mention(request.slack_user_id)} outlived its closed request `{request.id}`: removed."
        )

    def _who(self, user_id: str) -> str:
        who = user_id
        with contextlib.suppress(idc.IdentityCenterError):
            who = idc.describe_user_name(
                self.d.grant_clients.identitystore, self.grants.instance().identity_store_id, user_id
            )
        return f"Identity Center user `{msg.escape(who)}`"

    def _unknown(self, user_id: str) -> str:
        return (
            f"{self._who(user_id)} holds the permission set amplify-dev grants, but this bot has "
            "no record of it: reported, not deleted (given by hand, another deployment's, or this bot's database "
            "was replaced)."
        )

    def _close_lost(self, target: idc.Target, request: Request) -> list[str]:
        closed = self.ledger.move(
            request,
            Fields(state=State.ACTIVE),
            Fields(state=State.REVOKED, error="account assignment was deleted outside amplify-dev"),
            "removed",
            Actor.BOT,
            outcome="missing",
            detail="assignment deleted outside amplify-dev",
        )
        if closed is None:
            return []
        self.grants.ownership.release(closed, target, request.identity_store_user_id or "")
        return [
            f"{msg.mention(request.slack_user_id)}'s {self.grants.label(request)} was gone from Identity Center: "
            "record closed."
        ]
