"""The IAM-user kind (the default): an IAM user per developer under the bot's path, with its tags; its key is minted
when the requester clicks (iam_keys.py), its drift is IAM under the path against the store (iam_drift.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import iam
import messages as msg
from iam.review import read_user_usage
from messages.grants import LEFT_BEHIND, NAME_TAKEN, ROLLED_BACK
from slack_gateway import SlackUser
from store import Fields, Request

from ..deps import Deps
from ..ledger import Ledger
from . import GrantError, GrantFailed, GrantNotOurs, LastUse, RequesterRefused, Revoked, SessionsRevoked
from .iam_drift import IamDrift
from .iam_keys import IamKeys

logger = logging.getLogger(__name__)


class IamUserGrants(IamKeys):
    """Access is an IAM user: created at approval, its key minted when the requester clicks."""

    sign_in = False  # SignInGrants: the user gets what `aws login` needs, and never a key

    def __init__(self, deps: Deps, ledger: Ledger) -> None:
        settings = deps.settings
        super().__init__(deps.iam, iam.Owner(settings.iam_path, settings.instance), deps.clock)
        self.settings = settings
        self.drift_check = IamDrift(
            deps.iam, self.owner, deps.store, ledger, settings.project, scope=deps.scope, delete_user=self.delete_user
        )

    def granted(self) -> msg.Granted:
        """An IAM user under the bot's path."""
        return msg.Granted(path=self.settings.iam_path)

    def identify_requester(self, actor: str, profile: SlackUser) -> RequesterRefused | str | None:
        """Anyone with a Slack profile may ask, and nothing is resolved: the IAM user is named from the profile."""
        return None

    def name_for(self, actor: str, names: list[str]) -> str:
        """The IAM user name for a request: from the Slack name, unique by the Slack id."""
        return iam.derive_user_name(actor, names)

    def console(self, asked: bool) -> bool:
        """Console sign-in when the requester asks for it."""
        return asked

    def provision(self, request: Request, expires_at: datetime | None) -> Fields:
        """Create the IAM user (resuming one tagged with this request); on failure clean up and say how it was left."""
        settings = self.settings
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
            user = iam.create_developer_user(self.client, spec, sign_in=self.sign_in)
        except iam.IamError as e:
            raise self._failed(request, e) from None
        except ValueError:  # a name or path IAM would reject: checked before any AWS call
            raise self._failed(request, iam.IamError("CreateUser", "ValidationError")) from None
        return Fields(iam_user_arn=user.arn, iam_user_id=user.user_id)

    def _failed(self, request: Request, error: iam.IamError) -> GrantFailed:
        if isinstance(error, iam.UserNameTaken):
            return GrantFailed(error.step, error.code, NAME_TAKEN)
        if not error.rolled_back:
            # The user is under our path with our tags for this Slack user (its name carries their id):
            # finish the clean-up the failed call could not.
            try:
                iam.revoke_developer_user(self.client, request.iam_user_name, self.owner, request_id=request.id)
                error = iam.IamError(error.step, error.code, rolled_back=True)
            except iam.IamError as cleanup:
                logger.error(
                    "request %s: clean-up after failure also failed at %s: %s", request.id, cleanup.step, cleanup.code
                )
        return GrantFailed(error.step, error.code, ROLLED_BACK if error.rolled_back else LEFT_BEHIND)

    def undo(self, request: Request, granted: Fields) -> None:
        """Delete the user just created (its request could not become ACTIVE)."""
        iam.revoke_developer_user(self.client, request.iam_user_name, self.owner, request_id=request.id)

    def revoke(self, request: Request) -> Revoked:
        """Delete the IAM user in IAM's order (keys, login profile, …, the user); sign-in: its sessions first."""
        try:
            sessions = self.delete_user(request.iam_user_name, request.id)
        except iam.NotManagedByBot:
            raise GrantNotOurs("wrong path, tags or instance") from None
        except iam.IamError as e:  # sign-in: DeletionStopped carries the sessions already ended
            raise GrantError(e.step, e.code, sessions=getattr(e, "sessions", None)) from None
        return Revoked(sessions=sessions)

    def delete_user(self, user_name: str, request_id: str) -> SessionsRevoked | None:
        """Delete this deployment's user in IAM's order (removal, expiry, off-boarding and the drift check all
        come here); the sessions ended first, where the kind has any (None here: a key has no sessions)."""
        iam.revoke_developer_user(self.client, user_name, self.owner, request_id=request_id)
        return None

    def extend(self, request: Request, new_expiry: datetime) -> None:
        """Move the expiry tag and the inline deny policy IAM enforces."""
        try:
            user = iam.get_managed_user(self.client, request.iam_user_name, self.owner, request_id=request.id)
            if user is None:
                raise iam.IamError("GetUser", "NoSuchEntity", rolled_back=True)
            iam.set_expiry(self.client, user, new_expiry)
        except iam.IamError as e:
            raise GrantError(e.step, e.code) from None

    def last_use(self, request: Request) -> LastUse:
        """Keys with their last use (one ListAccessKeys, a last-used read per key, a GetUser for a console user)."""
        return read_last_use(self.client, request)

    def drift(self) -> list[str]:
        """IAM under the bot's path against the store."""
        return self.drift_check.reconcile()


def read_last_use(client: Any, request: Request) -> LastUse:
    """One IAM user's keys with their last use; a note instead when IAM does not answer."""
    try:
        return LastUse(read_user_usage(client, request.iam_user_name, console=request.console))
    except iam.IamError as e:
        logger.warning("review: could not read %s from IAM: %s %s", request.iam_user_name, e.step, e.code)
        return LastUse(None, f"IAM did not answer ({e.step}: {e.code}); last use unknown")


def iam_last_use(client: Any) -> Callable[[Request], LastUse]:
    """The last-use read of the review, on this IAM client."""
    return lambda request: read_last_use(client, request)
