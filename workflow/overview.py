"""Looking, changing nothing: `status`, `list`, and what someone's App Home tab shows."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import iam
import messages as msg
from store import State

from .shared import Flow

logger = logging.getLogger(__name__)

PENDING_STATES = (State.PENDING,)
# What `list` and the Home tab show as active users.
ACTIVE_STATES = (State.APPROVED, State.ACTIVE, State.REVOKING)


class Overview(Flow):
    """status, list and the Home tab."""

    def status(self, actor: str) -> msg.Reply:
        """The caller's open request, or their latest one."""
        store = self.d.store
        return msg.status_reply(
            store.open_request_for(actor, project=self.d.scope) or store.latest_for(actor, project=self.d.scope),
            self.grants.words(),
        )

    def list_requests(self, actor: str) -> msg.Reply:
        """Pending requests and active users, for approvers only."""
        if not self.access.is_approver(actor):
            return msg.text_reply("Only the leads configured for amplify-dev can list requests.")
        return msg.list_reply(
            self.d.store.in_states(PENDING_STATES, project=self.d.scope),
            self.d.store.in_states(ACTIVE_STATES, project=self.d.scope),
            self.grants.words(),
        )

    def home_state(self, user_id: str) -> msg.HomeState:
        """Read what `user_id`'s Home tab shows: their own state and, if they are an approver, the queue."""
        now = self.d.clock()
        store = self.d.store
        request = store.open_request_for(user_id, project=self.d.scope) or store.latest_for(
            user_id, project=self.d.scope
        )
        key_age: timedelta | None = None
        key_age_unknown = False
        expires_at: datetime | None = None
        if request is not None and request.state == State.ACTIVE:
            expires_at = request.expires_at
        if request is not None and request.state == State.ACTIVE and self.grants.has_keys:
            try:
                key_age = iam.access_key_age(self.d.iam, request.iam_user_name, request.access_key_id, now)
            except iam.IamError as e:  # the Home tab is a convenience: an IAM hiccup shows "unknown"
                logger.warning("home: could not read the key age of %s: %s", request.iam_user_name, e.code)
                key_age_unknown = True
        is_approver = self.access.is_approver(user_id)  # leads also see the queue, as with `list`
        return msg.HomeState(
            user_id=user_id,
            now=now,
            request=request,
            key_age=key_age,
            key_age_unknown=key_age_unknown,
            expires_at=expires_at,
            is_approver=is_approver,
            pending=tuple(store.in_states(PENDING_STATES, project=self.d.scope)) if is_approver else (),
            active=tuple(store.in_states(ACTIVE_STATES, project=self.d.scope)) if is_approver else (),
            granted=self.grants.words(),
        )

    def publish_home(self, user_id: str) -> None:
        """Build and publish `user_id`'s Home tab; a Slack failure is logged, not raised."""
        self.notify.publish_home(user_id, self.home_state(user_id))
