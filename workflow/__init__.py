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
    notifier.py     what every flow tells people (approval message, notices, DMs, audit)
    access.py       approvers, and load-the-request-then-authorize
    grants.py       the one seam between the flows and the mode: what a grant is at AWS (grants_iam.py,
                    grants_identity_center.py), and the drift checks (drift_iam.py, drift_identity_center.py)
"""

from __future__ import annotations

from typing import Any

import messages as msg

from .access import Access
from .credentials import CredentialsFlow
from .deciding import Deciding
from .deps import Deps, new_request_id, utcnow
from .extensions import Extensions
from .grants import grants_for
from .notifier import Notifier
from .overview import Overview
from .recovery import Recovery
from .removal import Removal
from .requesting import Requesting
from .review import AccessReview
from .rotation import Rotation
from .upkeep import Upkeep

__all__ = ["Deps", "Workflow", "new_request_id", "utcnow"]


class Workflow:
    """The facade the handlers call: one method per thing a person (or the clock) does."""

    def __init__(self, deps: Deps) -> None:
        self.d = deps
        self.settings = deps.settings
        self.store = deps.store
        self.notify = Notifier(deps)
        self.access = Access(deps)
        # The one place the mode is chosen: what a grant is at AWS (IAM user or Identity Center assignment).
        self.grants = grants_for(deps, self.notify)
        self.requesting = Requesting(deps, self.notify, self.grants)
        self.deciding = Deciding(deps, self.access, self.notify, self.grants)
        self.credentials = CredentialsFlow(deps, self.access, self.notify, self.grants)
        self.rotation = Rotation(deps, self.credentials, self.notify)
        self.removal = Removal(deps, self.access, self.notify, self.grants)
        self.extensions = Extensions(deps, self.access, self.deciding, self.notify)
        self.upkeep = Upkeep(deps, self.removal, self.credentials, self.notify)
        self.recovery = Recovery(deps, self.deciding, self.credentials, self.removal, self.notify)
        self.overview = Overview(deps, self.access, self.notify, self.grants)
        self.access_review = AccessReview(deps, self.access, self.notify)

    def is_approver(self, user_id: str) -> bool:
        """True if the user is a configured approver, directly or through a configured user group."""
        return self.access.is_approver(user_id)

    def forget_approver_groups(self) -> None:
        """A Slack user group changed: read approver groups afresh on the next decision."""
        self.d.slack.forget_usergroups()

    def request_form(self, private_metadata: dict[str, str]) -> Any:
        """The request modal as this operator configured it."""
        return self.requesting.request_form(private_metadata)

    def open_request_form(self, trigger_id: str, view: Any, actor: str | None = None) -> msg.Reply | None:
        """Open the request modal, or say how to ask without it (or why `actor` may not ask)."""
        return self.requesting.open_request_form(trigger_id, view, actor)

    def request_access(
        self, actor: str, team_id: str, reason: str, *, console: bool, days: int | None = None
    ) -> msg.Reply:
        """File a request for `actor` and post it to the approvers' channel."""
        return self.requesting.request_access(actor, team_id, reason, console=console, days=days)

    def approve(self, actor: str, request_id: str) -> msg.Reply | None:
        """An approver's Approve click."""
        return self.deciding.approve(actor, request_id)

    def deny(self, actor: str, request_id: str) -> msg.Reply | None:
        """An approver's Deny click."""
        return self.deciding.deny(actor, request_id)

    def show_credentials(self, actor: str, request_id: str) -> msg.Reply | None:
        """The requester's Show credentials click."""
        return self.credentials.show_credentials(actor, request_id)

    def rotate(self, actor: str) -> msg.Reply:
        """`rotate`: a new key for the caller."""
        return self.rotation.rotate(actor)

    def remove(self, actor: str, target: str | None = None) -> msg.Reply:
        """`remove [@user]`: revoke access or withdraw a pending request."""
        return self.removal.remove(actor, target)

    def offboard(self, user_id: str) -> None:
        """Slack says the user was deactivated."""
        self.removal.offboard(user_id)

    def request_extension(self, actor: str, request_id: str) -> msg.Reply | None:
        """The requester's Extend click."""
        return self.extensions.request_extension(actor, request_id)

    def decide_extension(self, actor: str, request_id: str, *, approve: bool) -> msg.Reply | None:
        """An approver's decision on an extension."""
        return self.extensions.decide_extension(actor, request_id, approve=approve)

    def sweep(self, *, reconcile: bool = False) -> None:
        """Periodic upkeep (and the drift check when `reconcile`)."""
        self.upkeep.sweep(reconcile=reconcile)

    def reconcile(self) -> list[str]:
        """The drift check between IAM and the store."""
        return self.upkeep.reconcile()

    def review(self, actor: str) -> msg.Reply:
        """`review`: the access review, for approvers."""
        return self.access_review.review(actor)

    def post_review_if_due(self) -> bool:
        """The weekly review post (the sweep calls it too); True if this call posted it."""
        return self.access_review.post_if_due()

    def recover(self) -> int:
        """Start-up recovery."""
        return self.recovery.recover()

    def status(self, actor: str) -> msg.Reply:
        """`status`."""
        return self.overview.status(actor)

    def list_requests(self, actor: str) -> msg.Reply:
        """`list`, for approvers."""
        return self.overview.list_requests(actor)

    def publish_home(self, user_id: str) -> None:
        """Build and publish someone's Home tab."""
        self.overview.publish_home(user_id)

    def tell(self, user_id: str, reply: msg.Reply) -> None:
        """Send a reply by DM when there is no response_url to answer through."""
        self.notify.tell(user_id, reply)
