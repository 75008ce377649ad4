"""Credentials: Show credentials (mint when the requester is present, deliver once), rotate, and discarding
keys nobody saw. A secret lives only in this process until the one ephemeral message carries it."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import iam
import messages as msg
from authz import may_use_credentials
from slack_gateway import SlackCallFailed
from store import Credentials, Fields, Request, State, one_of

from .shared import Flow, Shared

logger = logging.getLogger(__name__)

PASSWORD_POLICY_CACHE = timedelta(minutes=5)


class CredentialsFlow(Flow):
    """Show credentials, rotate, and the clean-up of keys that were never delivered."""

    def __init__(self, shared: Shared) -> None:
        super().__init__(shared)
        self._signin_url: str | None = None
        self._policy: tuple[datetime, iam.PasswordPolicy] | None = None

    def claim(self, actor: str, request_id: str) -> None:
        """In the click's ack: mark the credentials CLAIMED (one conditional write, no read, no IAM or Slack).

        The write holds only for the requester's own active request (only they may use its credentials), so a
        click by anyone else changes nothing. If the lazy run that mints them is lost, the sweep finds the claim,
        hands it back and tells the requester.
        """
        self.ledger.note(
            request_id,
            Fields(state=State.ACTIVE, credentials=Credentials.NONE, slack_user_id=actor),
            Fields(credentials=Credentials.CLAIMED),
        )

    def show_credentials(self, actor: str, request_id: str) -> msg.Reply | None:
        """The requester's Show credentials click: mint the key (and console password) and show it once."""
        refusal = self.grants.credentials_refusal()  # a mode without keys (Identity Center)
        if refusal:
            return refusal
        request, refusal = self.access.load(request_id, lambda r: may_use_credentials(actor, r.slack_user_id))
        if request is None:
            return refusal
        if request.state != State.ACTIVE:
            return msg.text_reply(
                f"There are no credentials to show: {msg.describe_request(request, self.notify.words())}"
            )
        # Whichever click's lazy run gets here first mints: from the claim its ack made, or from NONE (a caller
        # that made no claim, or a claim the sweep handed back).
        claimed = self.ledger.note(
            request.id,
            Fields(state=State.ACTIVE, credentials=one_of(Credentials.CLAIMED, Credentials.NONE)),
            Fields(credentials=Credentials.MINTING),
        )
        if claimed is None:
            current = self.d.store.get(request.id) or request
            if current.credentials in (Credentials.SHOWN, Credentials.ROTATING):
                return msg.text_reply(
                    "Your credentials were already shown once and are never shown again. "
                    f"Run `{msg.COMMAND} rotate` for a new access key."
                )
            return msg.text_reply("Your credentials are being prepared right now; look in your DM with me.")
        return self._mint_and_deliver(claimed)

    def _mint_and_deliver(self, request: Request) -> msg.Reply | None:
        key: iam.AccessKey | None = None
        password: iam.Secret | None = None
        refusal = self.refuse_unless_ours(request, Credentials.MINTING, Credentials.NONE)
        if refusal:
            return refusal
        if request.undelivered_key_ids:
            request = self.discard_undelivered(request)
        try:
            key = self._create_first_key(request)
            if request.console:
                password = iam.create_console_login(self.d.iam, request.iam_user_name, self._password_policy())
            signin_url = self._console_signin_url(request) if request.console else None
        except iam.IamError as e:
            self.discard_minted(request, key, console=request.console)
            if key is None:  # CreateAccessKey may have succeeded at AWS before failing here: no unseen key lives
                self.delete_all_keys(request, keep=None)
            self.release(request, Credentials.MINTING, Credentials.NONE)
            logger.error("request %s: minting credentials failed at %s: %s", request.id, e.step, e.code)
            self.ledger.record(
                "failed", request.slack_user_id, request, outcome=e.code, detail=f"credentials at {e.step}"
            )
            self.notify.channel_notice(
                f":warning: AWS refused to create {msg.mention(request.slack_user_id)}'s credentials "
                f"(`{e.step}`: {e.code}); nothing was kept and they can retry. If it repeats, check the bot's "
                "IAM permissions."
            )
            return msg.text_reply(
                f"AWS refused to create your credentials (`{e.step}`: {e.code}); nothing was kept. Try the "
                "button again in a minute; if it keeps failing, tell the leads."
            )
        shown = msg.CredentialsShown(
            user_name=request.iam_user_name,
            access_key_id=key.access_key_id,
            secret_access_key=key.secret_access_key.reveal(),
            region=self.d.region,
            console_password=password.reveal() if password else None,
            signin_url=signin_url,
            amplify_app_id=self.d.settings.amplify_app_id,
            amplify_env=self.d.settings.amplify_env,
        )
        try:
            self.deliver(request, request.slack_user_id, msg.credentials_ephemeral(shown))
        except SlackCallFailed as e:
            # An ephemeral that was not delivered is gone for good: delete what it carried.
            self.discard_minted(request, key, console=password is not None)
            self.release(request, Credentials.MINTING, Credentials.NONE)
            logger.error("request %s: credentials delivery failed: %s", request.id, e.error)
            return msg.text_reply(
                f"I couldn't show you your credentials (Slack said `{e.error}`), so I deleted the key I had just "
                "made. Nothing was lost: click *Show credentials* again."
            )
        done = self.ledger.move(
            request,
            Fields(credentials=Credentials.MINTING),
            Fields(credentials=Credentials.SHOWN, access_key_id=key.access_key_id),
            "credentials_shown",
            request.slack_user_id,
            detail=f"key {key.access_key_id}",
        )
        if done and done.dm_channel and done.dm_ts:
            dm = msg.credentials_shown_dm(done, self.d.clock())
            try:
                self.d.slack.update_message(done.dm_channel, done.dm_ts, dm.text, dm.blocks)
            except SlackCallFailed as e:  # the button is harmless now: a second click is refused
                logger.warning("request %s: could not update the DM: %s", request.id, e.error)
        return None

    def _create_first_key(self, request: Request) -> iam.AccessKey:
        try:
            return iam.create_access_key(self.d.iam, request.iam_user_name)
        except iam.AccessKeyLimit:
            # Nothing was ever shown for this access, so every key on the user is one nobody saw:
            # clear them rather than let IAM's two-key limit wedge the button.
            logger.warning("request %s: keys nobody saw fill IAM's limit; deleting them", request.id)
            self.delete_all_keys(request, keep=None)
            return iam.create_access_key(self.d.iam, request.iam_user_name)

    def deliver(self, request: Request, user_id: str, reply: msg.Reply) -> None:
        """The one ephemeral message that carries a secret, in the requester's DM with the bot."""
        channel = request.dm_channel or self.d.slack.open_dm(user_id)
        self.d.slack.post_ephemeral(channel, user_id, reply.text, reply.blocks)

    def refuse_unless_ours(self, request: Request, held: Credentials, back: Credentials) -> msg.Reply | None:
        """None if the request's IAM user is this deployment's; else release the claim and say why not."""
        try:
            user = iam.get_managed_user(self.d.iam, request.iam_user_name, self.d.owner, request_id=request.id)
        except iam.NotManagedByBot:
            user = None
            why = "is not one this amplify-dev manages (wrong path, tags or instance)"
        except iam.IamError as e:
            self.release(request, held, back)
            return msg.text_reply(
                f"AWS did not answer (`{e.step}`: {e.code}); nothing was created. Try again in a minute."
            )
        else:
            why = "no longer exists"
        if user is not None:
            return None
        self.release(request, held, back)
        logger.error("request %s: IAM user %s %s; no key made", request.id, request.iam_user_name, why)
        self.notify.channel_notice(
            f":warning: {msg.mention(request.slack_user_id)} asked for a key, but IAM user "
            f"`{request.iam_user_name}` {why}, so none was made. An AWS admin should look at it."
        )
        return msg.text_reply(f"Your IAM user `{request.iam_user_name}` {why}, so I made no key. The leads were told.")

    def discard_minted(self, request: Request, key: iam.AccessKey | None, *, console: bool) -> None:
        """Delete a key (and console login) that was minted but not delivered; remember a key that would not go."""
        if key is not None:
            try:
                iam.delete_access_key(self.d.iam, request.iam_user_name, key.access_key_id)
            except iam.IamError as e:
                # A key nobody saw must not outlive this failure: remembered until IAM confirms it gone
                # (the sweep, start-up recovery and the next mint all retry it).
                logger.error(
                    "request %s: could not delete undelivered key %s: %s", request.id, key.access_key_id, e.code
                )
                self._remember_undelivered(request.id, key.access_key_id)
        if console:
            try:
                iam.delete_console_login(self.d.iam, request.iam_user_name)
            except iam.IamError as e:  # the next Show credentials replaces the password; recovery retries
                logger.error("request %s: could not delete an undelivered console password: %s", request.id, e.code)

    def _remember_undelivered(self, request_id: str, key_id: str) -> None:
        for _ in range(5):  # compare-and-set on the list: another discard may add to it in between
            current = self.d.store.get(request_id)
            if current is None or key_id in current.undelivered_key_ids:
                return
            listed = (*current.undelivered_key_ids, key_id)
            expect = Fields(undelivered_key_ids=current.undelivered_key_ids)
            if self.ledger.note(request_id, expect, Fields(undelivered_key_ids=listed)):
                return

    def discard_undelivered(self, request: Request) -> Request:
        """Delete the remembered keys nobody saw; returns the request as it is now."""
        gone = []
        for key_id in request.undelivered_key_ids:
            try:
                iam.delete_access_key(self.d.iam, request.iam_user_name, key_id)
                gone.append(key_id)
            except iam.IamError as e:
                logger.error("request %s: undelivered key %s still not deleted: %s", request.id, key_id, e.code)
        for _ in range(5):
            current = self.d.store.get(request.id)
            if current is None:
                return request
            left = tuple(k for k in current.undelivered_key_ids if k not in gone)
            if left == current.undelivered_key_ids:
                return current
            expect = Fields(undelivered_key_ids=current.undelivered_key_ids)
            updated = self.ledger.note(request.id, expect, Fields(undelivered_key_ids=left))
            if updated is not None:
                if gone:
                    logger.info("request %s: deleted undelivered key(s) %s", request.id, ", ".join(gone))
                return updated
        return request

    def release(self, request: Request, held: Credentials, back: Credentials) -> None:
        """Give back a credentials claim (MINTING or ROTATING) after a failure."""
        self.ledger.note(request.id, Fields(credentials=held), Fields(credentials=back))

    def delete_all_keys(self, request: Request, *, keep: str | None) -> None:
        """Delete every access key of the request's user except `keep` (keys nobody may hold)."""
        try:
            for key_id in iam.list_access_key_ids(self.d.iam, request.iam_user_name):
                if key_id != keep:
                    iam.delete_access_key(self.d.iam, request.iam_user_name, key_id)
        except iam.IamError as e:
            logger.error("request %s: could not clean up access keys: %s %s", request.id, e.step, e.code)

    def _password_policy(self) -> iam.PasswordPolicy:
        """The account's password policy, read at most every few minutes (it rarely changes)."""
        now = self.d.clock()
        if self._policy is None or now - self._policy[0] > PASSWORD_POLICY_CACHE:
            self._policy = (now, iam.get_password_policy(self.d.iam))
        return self._policy[1]

    def _console_signin_url(self, request: Request) -> str:
        if self._signin_url is None:
            account = iam.account_id_from_arn(request.iam_user_arn or "")
            self._signin_url = iam.console_signin_url(self.d.iam, account)
        return self._signin_url
