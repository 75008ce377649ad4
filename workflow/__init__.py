"""A request's life: request -> approve/deny -> provision -> show credentials -> rotate -> remove.

It knows neither Bolt nor boto3: flows move requests through the store by compare-and-set (ledger.py), ask the
project's grant kind for anything at AWS (grants/), tell people through the notifier, and return a reply (or an
outcome) for the caller to deliver. Everything here runs after Slack's ack. A handler resolves the project once
through the `Router` and calls a flow function with the request already loaded.

    router.py       the entry: a request's (or a person's) project, loops over projects, views across them
    project.py      one project's context: settings, store scope, grant kind, approvers, notifier, ledger
    requesting.py   /amplify-dev request and its form
    deciding.py     Approve (quorum), Deny, provisioning and its failure
    credentials.py  Show credentials: mint when the requester clicks, deliver once, forget what nobody saw
    rotation.py     rotate
    removal.py      remove, the revoke sequence (a Revocation outcome), withdrawing, off-boarding
    extensions.py   Extend and the leads' decision on it
    review.py       the access review: /amplify-dev review and the weekly post (from the sweep only)
    upkeep.py       the sweep (recovery of lost lazy runs, expiry, reminders, stalled removals) and drift
    recovery.py     start-up recovery, and the sweep's share of it
    overview.py     status, list, the Home tab
    ledger.py       every change of a request: compare-and-set with its audit row in the same write
    notifier.py     what flows tell people in Slack (approval message, notices, DMs)
    access.py       approvers, and what the loser of a race is told
    outcomes.py     outcomes as values (Actor.BOT, Revocation)
    grants/         the seam: one interface of AWS actions per kind of grant (IAM user, Identity Center)
"""

from __future__ import annotations

from .deps import Deps, new_request_id, utcnow
from .project import Project
from .router import Router
from .upkeep import STALLED_AFTER

__all__ = ["STALLED_AFTER", "Deps", "Project", "Router", "new_request_id", "utcnow"]
