"""The IAM-user mode's grants (the default): an IAM user per developer under the bot's path, with its tags.

Code moved here from the flows unchanged in behaviour and words; the drift check is in drift_iam.py.
"""

from __future__ import annotations

import logging
from datetime import datetime

import iam
import messages as msg
from slack_gateway import SlackUser
from store import Fields, Request, RevokeReason

from .deps import Deps
from .drift_iam import IamDrift
from .grants import GrantError, GrantFailed, GrantNotOurs, Revoked
from .ledger import Ledger

logger = logging.getLogger(__name__)


class IamUserGrants:
    """Access is an IAM user: created at approval, its key minted when the requester clicks."""

    has_keys = True
    noun = "IAM user"

    def __init__(self, deps: Deps, ledger: Ledger) -> None:
        self.d = deps
        self.ledger = ledger

    def requester_refusal(self, actor: str, profile: SlackUser) -> msg.Reply | None:
        """Anyone with a Slack profile may ask: the IAM user name comes from it."""
        return None

    def provision(self, request: Request, expires_at: datetime | None) -> Fields:
        """Create the IAM user (resuming one tagged with this request); on failure clean up and say why."""
        settings = self.d.settings
        spec = iam.ProvisionSpec(
            user_name=request.iam_user_name,
            path=settings.iam_path,
            slack_user_id=request.slack_user_id,
            request_id=request.id,
            approved_by=request.decided_by or "",
            policy_arns=settings.policy_arns,
            console=request.console,
            group=settings.iam_group,
            permissions_boundary=settings.permissions_boundary,
            expires_at=expires_at,
            instance=settings.instance,
            project=settings.project if settings.projects_file else "",
        )
        try:
            user = iam.create_developer_user(self.d.iam, spec)
        except iam.IamError as e:
            raise self._failed(request, e) from None
        except ValueError:  # a name or path IAM would reject: checked before any AWS call
            raise self._failed(request, iam.IamError("CreateUser", "ValidationError")) from None
        return Fields(iam_user_arn=user.arn, iam_user_id=user.user_id)

    def _failed(self, request: Request, error: iam.IamError) -> GrantFailed:
        if not error.rolled_back and not isinstance(error, iam.UserNameTaken):
            # The user is under our path with our tags for this Slack user (its name carries their id):
            # finish the clean-up the failed call could not.
            try:
                iam.revoke_developer_user(self.d.iam, request.iam_user_name, self.d.owner, request_id=request.id)
                error = iam.IamError(error.step, error.code, rolled_back=True)
            except iam.IamError as cleanup:
                logger.error(
                    "request %s: clean-up after failure also failed at %s: %s", request.id, cleanup.step, cleanup.code
                )
        what, todo = _failure_sentences(request, error, self.d.settings.iam_path)
        return GrantFailed(error.step, error.code, what, todo)

    def undo(self, request: Request, granted: Fields) -> None:
        """Delete the user just created (its request could not become ACTIVE)."""
        iam.revoke_developer_user(self.d.iam, request.iam_user_name, self.d.owner, request_id=request.id)

    def approved_dm(self, active: Request) -> msg.Message:
        """The DM with the Show credentials button."""
        return msg.approved_dm(active)

    def provisioned_outcome(self, active: Request) -> str:
        """'Approved by … IAM user `x` created.'"""
        return msg.provisioned_outcome(active)

    def dm_failed(self, active: Request, error: str) -> tuple[str, msg.Reply]:
        """The requester fetches their key with `status` instead."""
        return (
            f"\n:warning: I couldn't DM {msg.mention(active.slack_user_id)} (Slack said `{error}`). "
            f"No key exists yet; they can get it with `{msg.COMMAND} status`.",
            msg.text_reply(
                f"{msg.mention(active.slack_user_id)}'s IAM user was created, but I couldn't DM them "
                f"(`{error}`). Ask them to run `{msg.COMMAND} status` to fetch their credentials."
            ),
        )

    def label(self, request: Request) -> str:
        """IAM user `name`."""
        return f"IAM user `{request.iam_user_name}`"

    def words(self) -> msg.Granted:
        """The message builders' default words: an IAM user."""
        return msg.IAM_USER

    def revoke(self, request: Request) -> Revoked:
        """Delete the IAM user in IAM's order (keys, login profile, …, the user)."""
        try:
            iam.revoke_developer_user(self.d.iam, request.iam_user_name, self.d.owner, request_id=request.id)
        except iam.NotManagedByBot:
            raise GrantNotOurs("wrong path, tags or instance") from None
        except iam.IamError as e:
            raise GrantError(e.step, e.code) from None
        return Revoked()

    def revoked_sentence(self, request: Request, revoked: Revoked, *, channel: bool) -> str:
        """What removal deleted."""
        if channel:
            return f"IAM user `{request.iam_user_name}` and its keys are deleted."
        return f"IAM user `{request.iam_user_name}` and everything attached to it are deleted."

    def removed_dm(self, request: Request, why: RevokeReason) -> msg.Message:
        """The developer's DM when access ended without them asking."""
        return msg.removed_dm(request, why=why)

    def extend(self, request: Request, new_expiry: datetime) -> None:
        """Move the expiry tag and the inline deny policy IAM enforces."""
        try:
            user = iam.get_managed_user(self.d.iam, request.iam_user_name, self.d.owner, request_id=request.id)
            if user is None:
                raise iam.IamError("GetUser", "NoSuchEntity", rolled_back=True)
            iam.set_expiry(self.d.iam, user, new_expiry)
        except iam.IamError as e:
            raise GrantError(e.step, e.code) from None

    def reconcile(self) -> list[str]:
        """IAM under the bot's path against the store."""
        return IamDrift(self.d, self.ledger).reconcile()

    def credentials_refusal(self) -> msg.Reply | None:
        """Show credentials and rotate apply in this mode."""
        return None


def _failure_sentences(request: Request, error: iam.IamError, path: str) -> tuple[str, str]:
    """(what happened, what to do) after a failed provisioning, in words for the leads and the requester."""
    if isinstance(error, iam.UserNameTaken):
        return (
            f"an IAM user named `{request.iam_user_name}` already exists that amplify-dev did not create, "
            "so it was left untouched",
            "An AWS admin must rename or remove that user (or the requester's Slack name must change).",
        )
    if error.rolled_back:
        return (
            f"AWS refused `{error.step}` ({error.code}); everything created so far was removed again",
            "Check the bot's IAM permissions and settings, then the requester can ask again.",
        )
    return (
        f"AWS refused `{error.step}` ({error.code}) and the clean-up failed too: IAM user "
        f"`{request.iam_user_name}` may be left under `{path}`",
        f"An AWS admin should delete it (or run `{msg.COMMAND} remove <@{request.slack_user_id}>`).",
    )
