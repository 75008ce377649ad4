"""What the App Home tab shows one person: their own request or access and, for approvers, the queue.

Read-only: it reads the store, asks IAM how old the access key is, and changes nothing. Knows no Bolt;
messages.home_view renders the result and handlers/home.py publishes it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from store import Request, State

if TYPE_CHECKING:
    from workflow import Workflow

logger = logging.getLogger(__name__)

PENDING_STATES = (State.PENDING,)
# The same set `/amplify-dev list` shows as active users.
ACTIVE_STATES = (State.APPROVED, State.ACTIVE, State.REVOKING)


@dataclass(frozen=True)
class HomeState:
    """Everything the Home tab shows one person, read at one moment."""

    user_id: str
    now: datetime
    request: Request | None = None  # their open request, else their latest one, else None
    key_age: timedelta | None = None  # age of the access key in use; None when there is none or it is unknown
    key_age_unknown: bool = False  # IAM could not be asked (or answered oddly): show "unknown"
    expires_at: datetime | None = None  # when their access ends, if requests carry an expiry
    is_approver: bool = False
    pending: tuple[Request, ...] = ()  # approvers only: the queue, oldest first
    active: tuple[Request, ...] = ()  # approvers only: who holds access now, oldest first


def build_home_state(workflow: Workflow, user_id: str) -> HomeState:
    """Read what `user_id`'s Home tab shows: their own state and, if they are an approver, the queue."""
    now = workflow.d.clock()
    store = workflow.store
    request = store.open_request_for(user_id) or store.latest_for(user_id)
    key_age: timedelta | None = None
    key_age_unknown = False
    expires_at: datetime | None = None
    if request is not None and request.state == State.ACTIVE:
        key_age, key_age_unknown = access_key_age(workflow.d.iam, request, now)
        expires_at = getattr(request, "expires_at", None)  # a field that is being added to Request
    is_approver = workflow.is_approver(user_id)
    pending: tuple[Request, ...] = ()
    active: tuple[Request, ...] = ()
    if is_approver:
        pending = tuple(store.in_states(PENDING_STATES))
        active = tuple(store.in_states(ACTIVE_STATES))
    return HomeState(
        user_id=user_id,
        now=now,
        request=request,
        key_age=key_age,
        key_age_unknown=key_age_unknown,
        expires_at=expires_at if isinstance(expires_at, datetime) else None,
        is_approver=is_approver,
        pending=pending,
        active=active,
    )


def access_key_age(iam_client: Any, request: Request, now: datetime) -> tuple[timedelta | None, bool]:
    """(age of the key in use, whether the age is unknown), from ListAccessKeys; never raises.

    The key in use is the one last delivered (request.access_key_id), else the newest. No key: (None, False).
    """
    try:
        keys = iam_client.list_access_keys(UserName=request.iam_user_name)["AccessKeyMetadata"]
        if not keys:
            return None, False
        delivered = [k for k in keys if k["AccessKeyId"] == request.access_key_id]
        key = delivered[0] if delivered else max(keys, key=lambda k: k["CreateDate"])
        created: datetime = key["CreateDate"]
        return max(now - created, timedelta(0)), False
    except Exception as e:  # the Home tab is a convenience: an IAM hiccup shows "unknown", never an error
        logger.warning("home: could not read the access key age of %s: %s", request.iam_user_name, type(e).__name__)
        return None, True
