"""Credentials: Show credentials (mint when the requester is present, deliver once), and forgetting keys nobody saw.
A secret lives only in this process until the one ephemeral message carries it. What is minted, and how, is the
grant kind's (workflow/grants/); this flow holds the claims in the store and the one delivery."""

from __future__ import annotations

import logging

import messages as msg
from authz import may_use_credentials
from slack_gateway import SlackCallFailed
from store import Credentials, Fields, Request, RequestStore, State, one_of

from .grants import GrantError, GrantNotOurs, Minted, NoSecrets
from .ledger import Ledger
from .project import Project
from .sandboxes import identifier_for

logger = logging.getLogger(__name__)


def claim(store: RequestStore, actor: str, request_id: str) -> None:
    """In the click's ack: mark the credentials CLAIMED (one conditional write, no read, no AWS or Slack call).

    The write holds only for the requester's own active request (only they may use its credentials), so a click by
    anyone else changes nothing. If the lazy run that mints them is lost, the sweep finds the claim, hands it back and
    tells the requester. The request's project does not matter for it: the write names the request.
    """
    store.compare_and_set(
        request_id,
        Fields(state=State.ACTIVE, credentials=Credentials.NONE, slack_user_id=actor),
        Fields(credentials=Credentials.CLAIMED),
    )


def show_credentials(p: Project, actor: str, request: Request) -> msg.Reply | None:
    """The requester's Show credentials click: mint the key (and console password; sign-in: only the password) and
    show it once."""
    decision = may_use_credentials(actor, request.slack_user_id)
    if not decision.allowed:
        logger.info("request %s: refused (%s)", request.id, decision.code)
        return msg.text_reply(decision.reason)
    granted = p.granted()
    if request.state != State.ACTIVE:
        return msg.nothing_to_show(granted, request)
    # Whichever click's lazy run gets here first mints: from the claim its ack made, or from NONE (a caller that
    # made no claim, or a claim the sweep handed back).
    claimed = p.ledger.note(
        request.id,
        Fields(state=State.ACTIVE, credentials=one_of(Credentials.CLAIMED, Credentials.NONE)),
        Fields(credentials=Credentials.MINTING),
    )
    if claimed is None:
        current = p.store.get(request.id) or request
        return msg.credentials_busy(granted, current)
    return _mint_and_deliver(p, claimed)


def _mint_and_deliver(p: Project, request: Request) -> msg.Reply | None:
    if request.undelivered_key_ids:
        request = discard_undelivered(p, request)
    try:
        minted = p.grants.mint(request)
    except (NoSecrets, GrantNotOurs, GrantError) as e:
        release(p.ledger, request, Credentials.MINTING, Credentials.NONE)
        if not isinstance(e, GrantError) or e.unanswered:
            return refusal(p, request, e, what="credentials")
        logger.error("request %s: minting credentials failed at %s: %s", request.id, e.step, e.code)
        p.ledger.record("failed", request.slack_user_id, request, outcome=e.code, detail=f"credentials at {e.step}")
        p.notify.channel_notice(
            f":warning: AWS refused to create {msg.mention(request.slack_user_id)}'s credentials "
            f"(`{e.step}`: {e.code}); nothing was kept and they can retry. If it repeats, check the bot's "
            "IAM permissions."
        )
        return msg.text_reply(
            f"AWS refused to create your credentials (`{e.step}`: {e.code}); nothing was kept. Try the "
            "button again in a minute; if it keeps failing, tell the leads."
        )
    granted = p.granted()
    try:
        deliver(p, request, request.slack_user_id, msg.credentials_message(granted, shown(p, minted)))
    except SlackCallFailed as e:
        # An ephemeral that was not delivered is gone for good: delete what it carried.
        discard_minted(p, request, minted, console=minted.console_password is not None)
        release(p.ledger, request, Credentials.MINTING, Credentials.NONE)
        logger.error("request %s: credentials delivery failed: %s", request.id, e.error)
        return msg.delivery_failed_reply(granted, e.error)
    done = p.ledger.move(
        request,
        Fields(credentials=Credentials.MINTING),
        Fields(credentials=Credentials.SHOWN, access_key_id=minted.access_key_id),
        "credentials_shown",
        request.slack_user_id,
        detail=msg.minted_what(granted, minted.access_key_id),
    )
    if done and done.dm_channel and done.dm_ts:
        sandbox = msg.sandbox_advice_block(identifier_for(done.iam_user_name), name=done.iam_user_name)
        dm = msg.credentials_done_dm(granted, done, p.clock(), sandbox)
        try:
            p.slack.update_message(done.dm_channel, done.dm_ts, dm.text, dm.blocks)
        except SlackCallFailed as e:  # the button is harmless now: a second click is refused
            logger.warning("request %s: could not update the DM: %s", request.id, e.error)
    return None


def refusal(p: Project, request: Request, error: NoSecrets | GrantNotOurs | GrantError, *, what: str) -> msg.Reply:
    """The answer Show credentials and rotate share when minting failed before anything was made (the caller has
    released its claim): no keys in this kind, a user that is not ours (the leads' channel is told), AWS unanswered
    (`error.unanswered`; a step AWS refused is each flow's to word)."""
    if isinstance(error, NoSecrets):
        return msg.no_secrets_reply(p.granted())
    if isinstance(error, GrantNotOurs):
        logger.error("request %s: IAM user %s %s; no credentials made", request.id, request.iam_user_name, error.why)
        p.notify.channel_notice(
            f":warning: {msg.mention(request.slack_user_id)} asked for {what}, but IAM user "
            f"`{request.iam_user_name}` {error.why}, so none were made. An AWS admin should look at it."
        )
        return msg.not_ours_reply(p.granted(), request, error.why)
    return msg.text_reply(
        f"AWS did not answer (`{error.step}`: {error.code}); nothing was created. Try again in a minute."
    )


def shown(p: Project, minted: Minted, *, console: bool = True) -> msg.CredentialsShown:
    """What the one ephemeral message shows (the secret revealed only here, where it is sent to its owner)."""
    return msg.CredentialsShown(
        user_name=minted.user_name,
        access_key_id=minted.access_key_id or "",
        secret_access_key=minted.secret_access_key.reveal() if minted.secret_access_key else "",
        region=p.region,
        console_password=minted.console_password.reveal() if console and minted.console_password else None,
        signin_url=minted.signin_url if console else None,
        amplify_app_id=p.settings.amplify_app_id,
        amplify_env=p.settings.amplify_env,
        sandbox_identifier=identifier_for(minted.user_name),
    )


def deliver(p: Project, request: Request, user_id: str, reply: msg.Reply) -> None:
    """The one ephemeral message that carries a secret, in the requester's DM with the bot."""
    channel = request.dm_channel or p.slack.open_dm(user_id)
    p.slack.post_ephemeral(channel, user_id, reply.text, reply.blocks)


def discard_minted(p: Project, request: Request, minted: Minted | None, *, console: bool) -> None:
    """Delete credentials minted but not delivered; remember a key that would not go (retried until gone)."""
    for key_id in p.grants.discard(request, minted, console=console):
        # A key nobody saw must not outlive this failure: remembered until AWS confirms it gone
        # (the sweep, start-up recovery and the next mint all retry it).
        logger.error("request %s: could not delete undelivered key %s", request.id, key_id)
        _remember_undelivered(p, request.id, key_id)


def _remember_undelivered(p: Project, request_id: str, key_id: str) -> None:
    for _ in range(5):  # compare-and-set on the list: another discard may add to it in between
        current = p.store.get(request_id)
        if current is None or key_id in current.undelivered_key_ids:
            return
        listed = (*current.undelivered_key_ids, key_id)
        expect = Fields(undelivered_key_ids=current.undelivered_key_ids)
        if p.ledger.note(request_id, expect, Fields(undelivered_key_ids=listed)):
            return


def discard_undelivered(p: Project, request: Request) -> Request:
    """Delete the remembered keys nobody saw; returns the request as it is now."""
    left = p.grants.discard_keys(request, request.undelivered_key_ids)
    gone = [k for k in request.undelivered_key_ids if k not in left]
    for _ in range(5):
        current = p.store.get(request.id)
        if current is None:
            return request
        still = tuple(k for k in current.undelivered_key_ids if k not in gone)
        if still == current.undelivered_key_ids:
            return current
        expect = Fields(undelivered_key_ids=current.undelivered_key_ids)
        updated = p.ledger.note(request.id, expect, Fields(undelivered_key_ids=still))
        if updated is not None:
            if gone:
                logger.info("request %s: deleted undelivered key(s) %s", request.id, ", ".join(gone))
            return updated
    return request


def release(ledger: Ledger, request: Request, held: Credentials, back: Credentials) -> None:
    """Give back a credentials claim (MINTING or ROTATING) after a failure."""
    ledger.note(request.id, Fields(credentials=held), Fields(credentials=back))
