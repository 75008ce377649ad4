"""A request's life: request -> approve/deny -> provision -> show credentials -> rotate -> remove.

One module per flow; `Workflow` is the facade the handlers call. It knows neither Bolt nor boto3 details:
flows move requests through the store by compare-and-set, call `iam` for AWS and the Slack gateway for
messages, and return a `Reply` for the person who acted. Everything here runs after Slack's ack.

    requesting.py   /amplify-dev request and its form
    deciding.py     Approve (quorum), Deny, provisioning and its failure
    credentials.py  Show credentials: mint when the requester clicks, deliver once, discard what nobody saw
    rotation.py     rotate
    removal.py      remove, the revoke sequence, withdrawing, off-boarding
    extensions.py   Extend and the leads' decision on it
    review.py       the access review: /amplify-dev review and the weekly post
    upkeep.py       the sweep (expiry, reminders, stalled removals) and the drift check
    recovery.py     start-up recovery
    overview.py     status, list, the Home tab
    projects.py     several projects: routing to a request's (or a person's) project, loops over projects
    notifier.py     what every flow tells people (approval message, notices, DMs, audit)
    access.py       approvers, and load-the-request-then-authorize
    grants.py       the one seam between the flows and the mode: what a grant is at AWS (grants_iam.py,
                    grants_identity_center.py), and the drift checks (drift_iam.py, drift_identity_center.py)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import messages as msg

from .access import Access
from .credentials import CredentialsFlow
from .deciding import Deciding
from .deps import Deps, new_request_id, utcnow
from .extensions import Extensions
from .ledger import Ledger
from .modes import grants_for
from .notifier import Notifier
from .overview import Overview
from .projects import Router
from .recovery import Recovery
from .removal import Removal
from .requesting import Requesting
from .review import AccessReview
from .rotation import Rotation
from .shared import Shared
from .upkeep import Upkeep

__all__ = ["STALLED_AFTER", "Deps", "Workflow", "new_request_id", "utcnow"]

# A request left mid-way and untouched this long has no lazy run still working on it: a lost Lambda invocation
# or one refused past Slack's 5-minute signature window, plus the function's 2-minute timeout, are over by then.
STALLED_AFTER = timedelta(minutes=10)


class ProjectFlows:
    """One project's flows, built on that project's Deps (its settings, account and requests)."""

    def __init__(self, deps: Deps) -> None:
        self.d = deps
        self.notify = Notifier(deps)
        self.ledger = Ledger(deps.store, deps.clock, audit=deps.audit, announce=self.notify.post_audit_line)
        self.access = Access(deps)
        # The one place the mode is chosen: what a grant is at AWS (IAM user or Identity Center assignment).
        self.grants = grants_for(deps, self.ledger)
        self.notify.words = self.grants.words  # the leads' messages and the Home tab name what is granted
        shared = Shared(deps, self.access, self.notify, self.grants, self.ledger)
        self.requesting = Requesting(shared)
        self.deciding = Deciding(shared)
        self.credentials = CredentialsFlow(shared)
        self.rotation = Rotation(shared, self.credentials)
        self.removal = Removal(shared)
        self.extensions = Extensions(shared, self.deciding)
        self.upkeep = Upkeep(shared, self.removal, self.credentials)
        self.recovery = Recovery(shared, self.deciding, self.credentials, self.removal)
        self.overview = Overview(shared)
        self.access_review = AccessReview(shared)


class Workflow:
    """The facade the handlers call: one method per thing a person (or the clock) does.

    With several projects (workflow/projects.py), a request's own project decides who may act on it and where:
    each project has its own flows on its own Deps, and this facade routes to them.
    """

    def __init__(self, deps: Deps) -> None:
        self.d = deps
        self.settings = deps.settings
        self.store = deps.store
        self.projects = {name: ProjectFlows(deps.for_project(name)) for name in deps.project_names}
        self.route = Router(deps, self.projects)
        # The first project's flows under the names they always had (the only ones without a projects file).
        first = next(iter(self.projects.values()))
        self.notify, self.access, self.requesting = first.notify, first.access, first.requesting
        self.deciding, self.credentials, self.rotation = first.deciding, first.credentials, first.rotation
        self.removal, self.extensions, self.upkeep = first.removal, first.extensions, first.upkeep
        self.recovery, self.overview = first.recovery, first.overview
        self.access_review = first.access_review

    def is_approver(self, user_id: str) -> bool:
        """True if the user is a configured approver (of any project), directly or through a user group."""
        return any(flows.access.is_approver(user_id) for flows in self.projects.values())

    def forget_approver_groups(self) -> None:
        """A Slack user group changed: read approver groups afresh on the next decision."""
        self.d.slack.forget_usergroups()

    def request_form(self, private_metadata: dict[str, str]) -> Any:
        """The request modal as this operator configured it (with a project select when there are several)."""
        return self.route.request_form(private_metadata)

    def open_request_form(self, trigger_id: str, view: Any, actor: str | None = None) -> msg.Reply | None:
        """Open the request modal, or say how to ask without it (or why `actor` may not ask)."""
        return self.requesting.open_request_form(trigger_id, view, actor)

    def request_access(
        self,
        actor: str,
        team_id: str,
        reason: str,
        *,
        console: bool,
        days: int | None = None,
        project: str | None = None,
    ) -> msg.Reply:
        """File a request for `actor` in `project` and post it to that project's approvers' channel."""
        flows, refusal = self.route.named(project, verb="request")
        if flows is None:
            return refusal
        return flows.requesting.request_access(actor, team_id, reason, console=console, days=days)

    def approve(self, actor: str, request_id: str) -> msg.Reply | None:
        """An approver's Approve click."""
        flows, refusal = self.route.of_request(request_id)
        return flows.deciding.approve(actor, request_id) if flows else refusal

    def deny(self, actor: str, request_id: str) -> msg.Reply | None:
        """An approver's Deny click."""
        flows, refusal = self.route.of_request(request_id)
        return flows.deciding.deny(actor, request_id) if flows else refusal

    def show_credentials(self, actor: str, request_id: str) -> msg.Reply | None:
        """The requester's Show credentials click."""
        flows, refusal = self.route.of_request(request_id)
        return flows.credentials.show_credentials(actor, request_id) if flows else refusal

    def claim_credentials(self, actor: str, request_id: str) -> None:
        """In the Show credentials click's ack: the one store write that makes a lost lazy run recoverable."""
        flows, _ = self.route.of_request(request_id)
        if flows is not None:
            flows.credentials.claim(actor, request_id)

    def rotate(self, actor: str, project: str | None = None) -> msg.Reply:
        """`rotate [--project NAME]`: a new key for the caller."""
        flows, refusal = self.route.of_person(actor, project, verb="rotate")
        return flows.rotation.rotate(actor) if flows else refusal

    def remove(self, actor: str, target: str | None = None, project: str | None = None) -> msg.Reply:
        """`remove [--project NAME] [@user]`: revoke access or withdraw a pending request."""
        flows, refusal = self.route.of_person(target or actor, project, verb="remove")
        return flows.removal.remove(actor, target) if flows else refusal

    def offboard(self, user_id: str) -> None:
        """Slack says the user was deactivated: every project revokes what the user holds."""
        self.route.each("off-boarding", lambda flows: flows.removal.offboard(user_id))

    def request_extension(self, actor: str, request_id: str) -> msg.Reply | None:
        """The requester's Extend click."""
        flows, refusal = self.route.of_request(request_id)
        return flows.extensions.request_extension(actor, request_id) if flows else refusal

    def decide_extension(self, actor: str, request_id: str, *, approve: bool) -> msg.Reply | None:
        """An approver's decision on an extension."""
        flows, refusal = self.route.of_request(request_id)
        return flows.extensions.decide_extension(actor, request_id, approve=approve) if flows else refusal

    def sweep(self, *, reconcile: bool = False) -> None:
        """Periodic upkeep (and the drift check when `reconcile`), project by project, after finishing what lost
        lazy runs left mid-way."""

        def sweep(flows: ProjectFlows) -> None:
            flows.recovery.recover_stalled(flows.d.clock() - STALLED_AFTER)
            flows.upkeep.sweep(reconcile=reconcile)

        self.route.each("the sweep", sweep)

    def reconcile(self) -> list[str]:
        """The drift check between IAM and the store, project by project."""
        findings: list[str] = []
        self.route.each("the drift check", lambda flows: findings.extend(flows.upkeep.reconcile()))
        return findings

    def review(self, actor: str, project: str | None = None) -> msg.Reply:
        """`review`: the access review of one project, for its approvers."""
        flows, refusal = self.route.named(project, verb="review")
        return flows.access_review.review(actor) if flows else refusal

    def post_review_if_due(self) -> bool:
        """The weekly review post of every project (the sweep calls it too); True if one was posted."""
        posted: list[bool] = []
        self.route.each("the weekly review", lambda flows: posted.append(flows.access_review.post_if_due()))
        return any(posted)

    def recover(self) -> int:
        """Start-up recovery, project by project."""
        touched = [0]

        def recover(flows: ProjectFlows) -> None:
            touched[0] += flows.recovery.recover()

        self.route.each("start-up recovery", recover)
        return touched[0]

    def status(self, actor: str, project: str | None = None) -> msg.Reply:
        """`status`: the caller's request or access (in every project, or the one named)."""
        return self.route.status(actor, project)

    def list_requests(self, actor: str, project: str | None = None) -> msg.Reply:
        """`list`, for approvers (of the project named, or of every project they lead)."""
        return self.route.list_requests(actor, project)

    def publish_home(self, user_id: str) -> None:
        """Build and publish someone's Home tab."""
        self.route.publish_home(user_id)

    def tell(self, user_id: str, reply: msg.Reply) -> None:
        """Send a reply by DM when there is no response_url to answer through."""
        self.notify.tell(user_id, reply)
