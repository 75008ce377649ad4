"""Looking, changing nothing: `status`, `list`, and what someone's App Home tab shows."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import messages as msg
from store import State

from .grants import GrantError
from .project import Project

logger = logging.getLogger(__name__)

PENDING_STATES = (State.PENDING,)
# What `list` and the Home tab show as active users.
ACTIVE_STATES = (State.APPROVED, State.ACTIVE, State.REVOKING)


def status(p: Project, actor: str) -> msg.Reply:
    """The caller's open request, or their latest one."""
    store = p.store
    return msg.status_reply(
        store.open_request_for(actor, project=p.scope) or store.latest_for(actor, project=p.scope),
        p.granted(),
    )


def list_requests(p: Project, actor: str) -> msg.Reply:
    """Pending requests and active users, for approvers only."""
    if not p.approvers.includes(actor):
        return msg.text_reply("Only the leads configured for amplify-dev can list requests.")
    return msg.list_reply(
        p.store.in_states(PENDING_STATES, project=p.scope),
        p.store.in_states(ACTIVE_STATES, project=p.scope),
        p.granted(),
    )


def home_state(p: Project, user_id: str) -> msg.HomeState:
    """Read what `user_id`'s Home tab shows: their own state and, if they are an approver, the queue."""
    now = p.clock()
    store = p.store
    request = store.open_request_for(user_id, project=p.scope) or store.latest_for(user_id, project=p.scope)
    key_age: timedelta | None = None
    key_age_unknown = False
    expires_at: datetime | None = None
    if request is not None and request.state == State.ACTIVE:
        expires_at = request.expires_at
    if request is not None and request.state == State.ACTIVE:
        try:
            key_age = p.grants.key_age(request, now)  # None for a grant without keys
        except GrantError as e:  # the Home tab is a convenience: an IAM hiccup shows "unknown"
            logger.warning("home: could not read the key age of %s: %s", request.iam_user_name, e.code)
            key_age_unknown = True
    is_approver = p.approvers.includes(user_id)  # leads also see the queue, as with `list`
    return msg.HomeState(
        user_id=user_id,
        now=now,
        request=request,
        key_age=key_age,
        key_age_unknown=key_age_unknown,
        expires_at=expires_at,
        is_approver=is_approver,
        pending=tuple(store.in_states(PENDING_STATES, project=p.scope)) if is_approver else (),
        active=tuple(store.in_states(ACTIVE_STATES, project=p.scope)) if is_approver else (),
        granted=p.granted(),
    )


def publish_home(p: Project, user_id: str) -> None:
    """Build and publish `user_id`'s Home tab; a Slack failure is logged, not raised."""
    p.notify.publish_home(user_id, home_state(p, user_id))
