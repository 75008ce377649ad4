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
    upkeep.py       the sweep (expiry, reminders, stalled removals) and the drift check
    recovery.py     start-up recovery
    overview.py     status, list, the Home tab
    notifier.py     what every flow tells people (approval message, notices, DMs, audit)
    access.py       approvers, and load-the-request-then-authorize
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
from .notifier import Notifier
from .overview import Overview
from .recovery import Recovery
from .removal import Removal
from .requesting import Requesting
from .rotation import Rotation
from .upkeep import Upkeep

__all__ = ["STALLED_AFTER", "Deps", "Workflow", "new_request_id", "utcnow"]

# A request left mid-way and untouched this long has no lazy run still working on it: a lost Lambda invocation
# or one refused past Slack's 5-minute signature window, plus the function's 2-minute timeout, are over by then.
STALLED_AFTER = timedelta(minutes=10)


class Workflow:
    """The facade the handlers call: one method per thing a person (or the clock) does."""

    def __init__(self, deps: Deps) -> None:
        self._wire(deps)

    @property
    def d(self) -> Deps:
        """The dependencies every flow shares."""
        return self._deps

    @d.setter
    def d(self, deps: Deps) -> None:  # TEMPORARY until the tests use a fake clock
        self._wire(deps)

    def _wire(self, deps: Deps) -> None:
        self._deps = deps
        self.settings = deps.settings
        self.store = deps.store
        self.notify = Notifier(deps)
        self.access = Access(deps)
        self.requesting = Requesting(deps, self.notify)
        self.deciding = Deciding(deps, self.access, self.notify)
        self.credentials = CredentialsFlow(deps, self.access, self.notify)
        self.rotation = Rotation(deps, self.credentials, self.notify)
        self.removal = Removal(deps, self.access, self.notify)
        self.extensions = Extensions(deps, self.access, self.deciding, self.notify)
        self.upkeep = Upkeep(deps, self.removal, self.credentials, self.notify)
        self.recovery = Recovery(deps, self.deciding, self.credentials, self.removal, self.notify)
        self.overview = Overview(deps, self.access, self.notify)

    def is_approver(self, user_id: str) -> bool:
        """True if the user is a configured approver, directly or through a configured user group."""
        return self.access.is_approver(user_id)

    def forget_approver_groups(self) -> None:
        """A Slack user group changed: read approver groups afresh on the next decision."""
        self.d.slack.forget_usergroups()

    def request_form(self, private_metadata: dict[str, str]) -> Any:
        """The request modal as this operator configured it."""
        return self.requesting.request_form(private_metadata)

    def open_request_form(self, trigger_id: str, view: Any) -> msg.Reply | None:
        """Open the request modal, or say how to ask without it."""
        return self.requesting.open_request_form(trigger_id, view)

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

    def claim_credentials(self, actor: str, request_id: str) -> None:
        """In the Show credentials click's ack: the one store write that makes a lost lazy run recoverable."""
        self.credentials.claim(actor, request_id)

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
        """Periodic upkeep (and the drift check when `reconcile`), after finishing what lost lazy runs left mid-way."""
        self.recovery.recover_stalled(self.d.clock() - STALLED_AFTER)
        self.upkeep.sweep(reconcile=reconcile)

    def reconcile(self) -> list[str]:
        """The drift check between IAM and the store."""
        return self.upkeep.reconcile()

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
