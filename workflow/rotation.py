"""`/amplify-dev rotate`: a new key shown now in the caller's DM, and only then the older keys deleted."""

from __future__ import annotations

import logging

import iam
import messages as msg
from slack_gateway import SlackCallFailed
from store import Credentials, Fields, State

from .credentials import CredentialsFlow
from .shared import Flow, Shared

logger = logging.getLogger(__name__)


class Rotation(Flow):
    """Replacing a developer's access key."""

    def __init__(self, shared: Shared, credentials: CredentialsFlow) -> None:
        super().__init__(shared)
        self.credentials = credentials

    def rotate(self, actor: str) -> msg.Reply:
        """Mint a new key, show it now in the caller's DM, and only then delete the older keys."""
        refusal = self.credentials.grants.credentials_refusal()  # a mode without keys (Identity Center)
        if refusal:
            return refusal
        request = self.d.store.open_request_for(actor, project=self.d.scope)
        if request is None or request.state != State.ACTIVE:
            return msg.text_reply(
                f"You have no active access to rotate. {msg.describe_request(request, self.notify.words()) if request else ''}".strip()
            )
        claimed = self.ledger.note(
            request.id,
            Fields(state=State.ACTIVE, credentials=Credentials.SHOWN),
            Fields(credentials=Credentials.ROTATING),
        )
        if claimed is None:
            current = self.d.store.get(request.id) or request
            if current.credentials == Credentials.NONE:
                return msg.text_reply(
                    "You haven't fetched your first credentials yet: use the *Show credentials* button in "
                    f"your DM with me (or `{msg.COMMAND} status`)."
                )
            return msg.text_reply("A key is being created for you right now; look in your DM with me.")
        refusal = self.credentials.refuse_unless_ours(claimed, Credentials.ROTATING, Credentials.SHOWN)
        if refusal:
            return refusal
        if claimed.undelivered_key_ids:
            claimed = self.credentials.discard_undelivered(claimed)
        try:
            old_keys = iam.list_access_key_ids(self.d.iam, claimed.iam_user_name)
            # Any key but the one in use was never delivered or is already replaced: clear it first, so
            # IAM's two-key limit cannot wedge rotation.
            stray = [k for k in old_keys if k != claimed.access_key_id]
            if stray and claimed.access_key_id in old_keys:
                for key_id in stray:
                    iam.delete_access_key(self.d.iam, claimed.iam_user_name, key_id)
                old_keys = [claimed.access_key_id]
            key = iam.create_access_key(self.d.iam, claimed.iam_user_name)
        except iam.IamError as e:
            self.credentials.release(claimed, Credentials.ROTATING, Credentials.SHOWN)
            logger.error("request %s: rotate failed at %s: %s", claimed.id, e.step, e.code)
            if isinstance(e, iam.AccessKeyLimit):
                return msg.text_reply(
                    "Your IAM user already has two access keys, IAM's limit, so I couldn't add a new one. "
                    f"Run `{msg.COMMAND} remove` and ask again, or ask a lead."
                )
            return msg.text_reply(f"AWS refused to create a new key (`{e.step}`: {e.code}); your old key still works.")
        shown = msg.CredentialsShown(
            user_name=claimed.iam_user_name,
            access_key_id=key.access_key_id,
            secret_access_key=key.secret_access_key.reveal(),
            region=self.d.region,
            amplify_app_id=self.d.settings.amplify_app_id,
            amplify_env=self.d.settings.amplify_env,
        )
        try:
            self.credentials.deliver(claimed, actor, msg.credentials_ephemeral(shown, rotated=True))
        except SlackCallFailed as e:
            self.credentials.discard_minted(claimed, key, console=False)
            self.credentials.release(claimed, Credentials.ROTATING, Credentials.SHOWN)
            logger.error("request %s: rotated key delivery failed: %s", claimed.id, e.error)
            return msg.text_reply(
                f"I couldn't deliver a new key (Slack said `{e.error}`), so I deleted it again; your old key "
                "still works. Try again in a minute."
            )
        # Record the delivered key before deleting the old ones: a crash in between keeps the right key.
        self.ledger.note(claimed.id, Fields(credentials=Credentials.ROTATING), Fields(access_key_id=key.access_key_id))
        failed_deletes = []
        for old in old_keys:
            try:
                iam.delete_access_key(self.d.iam, claimed.iam_user_name, old)
            except iam.IamError as e:
                failed_deletes.append(old)
                logger.error("request %s: could not delete old key %s: %s", claimed.id, old, e.code)
        self.ledger.move(
            claimed,
            Fields(credentials=Credentials.ROTATING),
            Fields(credentials=Credentials.SHOWN, access_key_id=key.access_key_id),
            "rotated",
            actor,
            detail=f"new key {key.access_key_id}",
        )
        if failed_deletes:
            return msg.text_reply(
                f"Your new key is in your DM with me, but I couldn't delete the old one "
                f"(`{', '.join(failed_deletes)}`). Run `{msg.COMMAND} rotate` again later, or ask a lead."
            )
        if not old_keys:
            return msg.text_reply("Your new access key is in your DM with me (shown once).")
        return msg.text_reply(
            "Your new access key is in your DM with me (shown once). The old key"
            f"{'s were' if len(old_keys) > 1 else ' was'} deleted."
        )
