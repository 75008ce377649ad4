"""Who created an Identity Center assignment, and who still relies on it, across every project.

One store record per assignment (Identity Store user, account, permission set) names the request for which the
bot created it, and moves only by compare-and-set: two requests that map to one Identity Store user (two Slack
accounts with one email, or two projects granting the same permission set in the same account) cannot both count
it as theirs. Before deleting an assignment, removal and drift ask whether any open request of any project names
that user on that target: if one does, the assignment is left (and the record handed over), never deleted.
"""

from __future__ import annotations

from typing import Any

import identity_center as idc
from store import OPEN_STATES, Fields, Request, State, assignment_key, one_of

from ..deps import Deps
from . import Revoked

RELYING_STATES = (State.APPROVED, State.ACTIVE)  # a pending request holds no access yet; a revoking one is ending


class AssignmentOwnership:
    """The per-assignment record and the open requests of every project that name a user on a target."""

    def __init__(self, deps: Deps, default_account: str | None) -> None:
        self.d = deps
        self.default_account = default_account

    def holder(self, target: idc.Target, user_id: str) -> str | None:
        """The id of the request for which the bot created this assignment, or None (none recorded)."""
        return self.d.store.assignment_holder(assignment_key(user_id, target.account_id, target.permission_set_arn))

    def claim(self, request: Request, target: idc.Target, user_id: str) -> bool:
        """Record `request` as the assignment's creator: True if it is (now) the holder; False if another open
        request holds the record (it created, or is creating, the assignment this request will rely on)."""
        key = assignment_key(user_id, target.account_id, target.permission_set_arn)
        for _ in range(3):
            current = self.d.store.assignment_holder(key)
            if current == request.id:
                return True
            if current is not None:
                held_by = self.d.store.get(current)
                if held_by is not None and held_by.is_open:
                    return False
            # No record, or one left by a closed request whose removal did not finish: that assignment is ours.
            if self.d.store.set_assignment_holder(key, current, request.id):
                return True
        return False

    def release(self, request: Request, target: idc.Target, user_id: str) -> None:
        """Forget the record once the assignment is deleted (only if `request` still holds it)."""
        key = assignment_key(user_id, target.account_id, target.permission_set_arn)
        self.d.store.set_assignment_holder(key, request.id, None)

    def naming(self, target: idc.Target, user_id: str) -> list[Request]:
        """Open requests of every project (provisioned or not) that name `user_id` on this target, or may (no
        Identity Store user id yet): what keeps the drift check from deleting. Read afresh from the store."""
        return [
            r
            for r in self.d.store.in_states(OPEN_STATES)  # no project=: every project's
            if self._on(target, r) and r.identity_store_user_id in (user_id, None)
        ]

    def others_relying(self, target: idc.Target, user_id: str, excluding: str) -> list[Request]:
        """Requests of every project, other than `excluding`, granted (or being granted) access through this very
        assignment: approved or active, for this Identity Store user, on this target."""
        return [
            r
            for r in self.d.store.in_states(RELYING_STATES)  # no project=: every project's
            if r.id != excluding and r.identity_store_user_id == user_id and self._on(target, r)
        ]

    def delete_unless_relied_on(self, request: Request, target: idc.Target, sso_admin: Any) -> Revoked:
        """Delete the assignment of `request` (whose assignment_created is True) only if the record names it (or
        none exists: recorded before these records) and no other approved or active request relies on it; else
        leave it, handing the record over to the request that relies on it."""
        user_id = request.identity_store_user_id or ""
        holder = self.holder(target, user_id)
        if holder not in (request.id, None):
            return Revoked(deleted=False)
        others = self.others_relying(target, user_id, excluding=request.id)
        if others:  # e.g. the same person's request in another project granting the same permission set
            if holder == request.id:
                self.hand_over(request, target, user_id, others[0])
            return Revoked(deleted=False, kept_for=others[0].id)
        idc.delete_assignment(sso_admin, target, user_id)
        self.release(request, target, user_id)
        return Revoked()

    def hand_over(self, request: Request, target: idc.Target, user_id: str, to: Request) -> bool:
        """Move the record from `request` to `to`, which relies on the same assignment; True if it moved."""
        key = assignment_key(user_id, target.account_id, target.permission_set_arn)
        if not self.d.store.set_assignment_holder(key, request.id, to.id):
            return False
        # `to` recorded the assignment as not its own (it existed already); it is now. A request still being
        # provisioned (None) finds the record at its own claim.
        self.d.store.compare_and_set(to.id, Fields(assignment_created=one_of(False)), Fields(assignment_created=True))
        return True

    def _on(self, target: idc.Target, request: Request) -> bool:
        """Whether `request`'s project grants this target (a project this bot no longer knows counts as yes)."""
        settings = self.d.projects.get(request.project) if self.d.projects else self.d.settings
        if settings is None:
            return True
        config = settings.identity_center
        if config is None:
            return False  # an IAM-user project grants IAM users, not assignments
        account = config.account_id or self.default_account
        return config.permission_set_arn == target.permission_set_arn and account in (target.account_id, None)
