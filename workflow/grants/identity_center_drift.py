"""The Identity Center kind's drift check: assignments of the permission set in the account against the store.

Deletes only an assignment the bot created whose request is closed (its removal did not finish). Reports
user assignments it has no record of, and deletes nothing it did not create. Group assignments are how admins
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

logger = logging.getLogger(__name__)
CLOSED_STATES = frozenset(State) - OPEN_STATES


class AssignmentTarget(Protocol):
    """What the drift check needs of the Identity Center grants: where assignments are made, and their names."""

    def target(self) -> idc.Target: ...

    def instance(self) -> idc.Instance: ...

    def label(self, request: Request) -> str: ...


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
        open_users = {r.identity_store_user_id for r in live}
        closed = self._closed_ours()
        for user_id in sorted(users - open_users):
            request = closed.get(user_id)
            findings.append(self._finish(target, request) if request else self._unknown(user_id))
        for request in live:
            if (
                request.state == State.ACTIVE
                and request.assignment_created
                and request.identity_store_user_id not in users
            ):
                findings += self._close_lost(request)
        return findings

    def _closed_ours(self) -> dict[str, Request]:
        """The latest closed request per Identity Store user whose assignment the bot created."""
        latest: dict[str, Request] = {}
        for request in self.d.store.in_states(CLOSED_STATES, project=self.d.scope):  # oldest first: later ones win
            if request.assignment_created and request.identity_store_user_id:
                latest[request.identity_store_user_id] = request
        return latest

    def _finish(self, target: idc.Target, request: Request) -> str:
        label = self.grants.label(request)
        try:
            idc.delete_assignment(self.d.grant_clients.sso_admin, target, request.identity_store_user_id or "")
        except idc.IdentityCenterError as e:
            return f"The {label} for {msg.mention(request.slack_user_id)} outlived its closed request `{request.id}`; removing it failed at `{e.step}` ({e.code})."
        self.ledger.record(
            "removed", Actor.BOT, request, outcome="drift", detail="assignment outlived its closed request"
        )
        return (
            f"The {label} for {msg.mention(request.slack_user_id)} outlived its closed request `{request.id}`: removed."
        )

    def _unknown(self, user_id: str) -> str:
        who = user_id
        with contextlib.suppress(idc.IdentityCenterError):
            who = idc.describe_user_name(
                self.d.grant_clients.identitystore, self.grants.instance().identity_store_id, user_id
            )
        return (
            f"Identity Center user `{msg.escape(who)}` holds the permission set amplify-dev grants, but this bot has "
            "no record of it: reported, not deleted (given by hand, another deployment's, or this bot's database "
            "was replaced)."
        )

    def _close_lost(self, request: Request) -> list[str]:
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
        return [
            f"{msg.mention(request.slack_user_id)}'s {self.grants.label(request)} was gone from Identity Center: "
            "record closed."
        ]
