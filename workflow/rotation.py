"""`/amplify-dev rotate`: a new key shown now in the caller's DM, and only then the older keys deleted (sign-in: a
new temporary password, every `aws login` session ended)."""

from __future__ import annotations

import logging

import messages as msg
from slack_gateway import SlackCallFailed
from store import Credentials, Fields, Request, State

from .credentials import deliver, discard_minted, discard_undelivered, refusal, release, shown
from .grants import GrantError, GrantNotOurs, NoSecrets
from .project import Project

logger = logging.getLogger(__name__)


def rotate(p: Project, actor: str, request: Request | None) -> msg.Reply:
    """Mint a new key for `actor`'s open `request`, show it now in their DM, and only then delete the older keys."""
    granted = p.granted()
    if request is None or request.state != State.ACTIVE:
        return msg.nothing_to_rotate(granted, request)
    claimed = p.ledger.note(
        request.id,
        Fields(state=State.ACTIVE, credentials=Credentials.SHOWN),
        Fields(credentials=Credentials.ROTATING),
    )
    if claimed is None:
        return msg.rotation_busy(granted, p.store.get(request.id) or request)
    if claimed.undelivered_key_ids:
        claimed = discard_undelivered(p, claimed)
    try:
        rotated = p.grants.rotate(claimed)
    except (NoSecrets, GrantNotOurs, GrantError) as e:
        release(p.ledger, claimed, Credentials.ROTATING, Credentials.SHOWN)
        if not isinstance(e, GrantError) or e.unanswered:
            return refusal(p, claimed, e, what="new credentials")
        logger.error("request %s: rotate failed at %s: %s", claimed.id, e.step, e.code)
        if e.key_limit:
            return msg.text_reply(
                "Your IAM user already has two access keys, IAM's limit, so I couldn't add a new one. "
                f"Run `{msg.COMMAND} remove` and ask again, or ask a lead."
            )
        return msg.rotation_refused(granted, e.step, e.code)
    key = rotated.minted
    sessions = rotated.sessions
    if sessions is not None and sessions.code:  # sign-in: some sessions would not end (audited; the reply says so)
        detail = msg.sessions_detail(sessions.audited)[2:]
        p.ledger.record("failed", actor, claimed, outcome=sessions.code, detail=detail)
    counts = sessions.counts if sessions else (0, 0)
    reply = msg.credentials_message(
        granted, shown(p, key, console=key.access_key_id is None), rotated=True, sessions=counts
    )
    try:
        deliver(p, claimed, actor, reply)
    except SlackCallFailed as e:
        discard_minted(p, claimed, key, console=False)
        release(p.ledger, claimed, Credentials.ROTATING, Credentials.SHOWN)
        logger.error("request %s: rotated credentials delivery failed: %s", claimed.id, e.error)
        return msg.rotation_undelivered(granted, e.error, counts)
    # Record the delivered key before deleting the old ones: a crash in between keeps the right key.
    p.ledger.note(claimed.id, Fields(credentials=Credentials.ROTATING), Fields(access_key_id=key.access_key_id))
    old_keys = rotated.old_key_ids
    failed_deletes = p.grants.discard_keys(claimed, old_keys)
    p.ledger.move(
        claimed,
        Fields(credentials=Credentials.ROTATING),
        Fields(credentials=Credentials.SHOWN, access_key_id=key.access_key_id),
        "rotated",
        actor,
        detail="new "
        + msg.minted_what(granted, key.access_key_id)
        + msg.sessions_detail(sessions and sessions.audited),
    )
    return msg.rotated_reply(granted, old_keys, failed_deletes, counts)
