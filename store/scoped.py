"""One project's view of the shared store: what a project's flows read is that project's requests only.

A request is read by id whatever its project (a click names it; the workflow routes it to its project first);
everything found by person or by state, and everything filed, belongs to the view's project.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from audit import AuditEvent

from . import Fields, Request, RequestStore, State


class ProjectStore:
    """A RequestStore restricted to one project (see the module docstring)."""

    def __init__(self, store: RequestStore, project: str) -> None:
        self.inner = store
        self.project = project

    def create(self, request: Request, *, audit: AuditEvent | None = None) -> Request:
        """File `request` in this project."""
        return self.inner.create(replace(request, project=self.project), audit=audit)

    def get(self, request_id: str) -> Request | None:
        """The request with this id (any project), or None."""
        return self.inner.get(request_id)

    def open_request_for(self, slack_user_id: str, project: str | None = None) -> Request | None:
        """The user's open request in this project."""
        return self.inner.open_request_for(slack_user_id, project or self.project)

    def open_requests_for(self, slack_user_id: str) -> list[Request]:
        """The user's open request in this project, as a list."""
        return self._mine(self.inner.open_requests_for(slack_user_id))

    def latest_for(self, slack_user_id: str, project: str | None = None) -> Request | None:
        """The user's most recent request in this project."""
        return self.inner.latest_for(slack_user_id, project or self.project)

    def compare_and_set(
        self, request_id: str, expect: Fields, change: Fields, *, audit: AuditEvent | None = None
    ) -> Request | None:
        """The shared store's compare-and-set."""
        return self.inner.compare_and_set(request_id, expect, change, audit=audit)

    def in_states(self, states: Iterable[State]) -> list[Request]:
        """This project's requests in any of these states, oldest first."""
        return self._mine(self.inner.in_states(states))

    def pending_created_before(self, cutoff: datetime) -> list[Request]:
        """This project's undecided requests filed at or before `cutoff`."""
        return self._mine(self.inner.pending_created_before(cutoff))

    def active_expiring_before(self, cutoff: datetime) -> list[Request]:
        """This project's ACTIVE requests ending at or before `cutoff`."""
        return self._mine(self.inner.active_expiring_before(cutoff))

    def revoking_updated_before(self, cutoff: datetime) -> list[Request]:
        """This project's stalled removals."""
        return self._mine(self.inner.revoking_updated_before(cutoff))

    def with_undelivered_keys(self) -> list[Request]:
        """This project's requests listing keys nobody saw."""
        return self._mine(self.inner.with_undelivered_keys())

    def stalled_before(self, cutoff: datetime) -> list[Request]:
        """This project's requests left mid-way since `cutoff` (lost lazy runs)."""
        return self._mine(self.inner.stalled_before(cutoff))

    def claim(self, name: str, period: str) -> bool:
        """Claims are named by the caller (the weekly review names its project): passed through."""
        return self.inner.claim(name, period)

    def assignment_holder(self, assignment: str) -> str | None:
        """Assignments are named by user, account and permission set, whatever the project: passed through."""
        return self.inner.assignment_holder(assignment)

    def set_assignment_holder(self, assignment: str, expect: str | None, holder: str | None) -> bool:
        """Passed through (see assignment_holder)."""
        return self.inner.set_assignment_holder(assignment, expect, holder)

    def every_project(self) -> RequestStore:
        """The shared store, unscoped: for what must see every project's requests (the Identity Center drift)."""
        return self.inner

    def close(self) -> None:
        """The shared store is closed by whoever opened it."""

    def __getattr__(self, name: str) -> Any:  # anything else the shared store offers, unscoped
        return getattr(self.inner, name)

    def _mine(self, requests: list[Request]) -> list[Request]:
        return [r for r in requests if r.project == self.project]
