"""The Identity Center kind: an account assignment (permission set in one account) per developer.

Touch only what we made: a request records whether the bot created the assignment. One that existed already
(given by hand or through a group) is recorded as not ours and never deleted. AWS enforces no end date on an
assignment, so the sweep's deletion at expiry is the enforcement.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import iam
import identity_center as idc
import messages as msg
from messages.grants import IDENTITY_CHANGED, LEFT_BEHIND, NO_IDENTITY_USER, ROLLED_BACK
from messages.identity_center import SsoAccess
from slack_gateway import SlackCallFailed, SlackUser
from store import Fields, Request, State

from ..deps import Deps
from ..ledger import Ledger
from . import GrantError, GrantFailed, LastUse, Minted, NoSecrets, RequesterRefused, Revoked, Rotated
from .assignment_ownership import AssignmentOwnership
from .identity_center_drift import IdentityCenterDrift

logger = logging.getLogger(__name__)


class IdentityChanged(idc.IdentityCenterError):
    """At approval the requester's email maps to another Identity Store user than when they asked (or to none)."""

    def __init__(self, filed: str, now: str | None) -> None:
        super().__init__("GetUserId", "IdentityChanged")
        self.filed, self.now = filed, now

    def __reduce__(self) -> tuple[object, ...]:
        return (IdentityChanged, (self.filed, self.now))


class IdentityCenterGrants:
    """Access is an Identity Center account assignment; the developer signs in with `aws sso login`."""

    def __init__(self, deps: Deps, ledger: Ledger) -> None:
        assert deps.settings.identity_center is not None and deps.grant_clients is not None
        self.d = deps
        self.ledger = ledger
        self.config = deps.settings.identity_center
        self.clients: idc.IdentityCenterClients = deps.grant_clients
        self._instance: idc.Instance | None = None
        self._permission_set: idc.PermissionSet | None = None
        self.ownership = AssignmentOwnership(deps, self.config.account_id or self.clients.account_id)
        self.drift_check = IdentityCenterDrift(deps, ledger, self)

    # --- what is granted ------------------------------------------------------------------------------

    def instance(self) -> idc.Instance:
        """The configured instance, or the account's only one (found once)."""
        if self._instance is None:
            self._instance = idc.find_instance(
                self.clients.sso_admin, self.config.instance_arn, self.config.identity_store_id
            )
        return self._instance

    def target(self) -> idc.Target:
        """The permission set in the account, on the instance."""
        account = self.config.account_id or self.clients.account_id
        return idc.Target(self.instance().instance_arn, self.config.permission_set_arn, account)

    def permission_set(self) -> idc.PermissionSet | None:
        """Its name and session duration (read once); None if Identity Center does not answer."""
        if self._permission_set is None:
            try:
                self._permission_set = idc.describe_permission_set(
                    self.clients.sso_admin, self.instance().instance_arn, self.config.permission_set_arn
                )
            except idc.IdentityCenterError as e:
                logger.warning("could not read the permission set: %s %s", e.step, e.code)
                return None
        return self._permission_set

    def label(self, request: Request) -> str:
        """'account assignment of permission set `X` in account N' (for the drift findings)."""
        return msg.grant_label(self.granted(), request)

    def granted(self) -> msg.Granted:
        """An assignment of the permission set in the account, and where and how to sign in."""
        found = self.permission_set()
        return msg.Granted(
            kind=msg.IDENTITY_CENTER_KIND,
            assignment=self._assignment(),
            sso=SsoAccess(
                start_url=self.config.start_url,
                sso_region=self.config.sso_region or self.d.region,
                account_id=self._account_or_default(),
                role_name=found.name if found else "(ask a lead: the permission set's name)",
                region=self.d.region,
                session_duration=found.session_duration if found else timedelta(hours=1),
            ),
            session=found.session_duration if found else None,
            grant=msg.grant_description(
                self.d.settings,
                account=self.config.account_id or self.clients.account_id,
                permission_set=found.name if found else None,
            ),
        )

    def _assignment(self) -> str:
        found = self.permission_set()
        name = found.name if found else self.config.permission_set_arn.rsplit("/", 1)[-1]
        return f"permission set `{name}` in account {self._account_or_default()}"

    def _account_or_default(self) -> str:
        return self.config.account_id or self.clients.account_id or "(this account)"

    # --- requesting and provisioning --------------------------------------------------------------------

    def identify_requester(self, actor: str, profile: SlackUser) -> RequesterRefused | str | None:
        """The Identity Store user with the requester's email (one GetUserId), or a refusal at once (nothing filed,
        nothing posted to the leads) when there is none; None when there is none yet and it is created at approval
        (AMPLIFY_DEV_IC_CREATE_USERS)."""
        if not profile.email:
            return RequesterRefused(NO_IDENTITY_USER)
        try:
            return idc.find_user_id(self.clients.identitystore, self.instance().identity_store_id, profile.email)
        except idc.NoIdentityStoreUser:
            if self.config.create_users:
                return None  # created at approval, in Identity Center's own directory
            return RequesterRefused(NO_IDENTITY_USER, profile.email)
        except idc.IdentityCenterError as e:
            logger.warning("request by %s: Identity Center look-up failed: %s %s", actor, e.step, e.code)
            return RequesterRefused("unanswered", profile.email, e.step, e.code)

    def name_for(self, actor: str, names: list[str]) -> str:
        """The name the request records (as in the IAM-user kind; no IAM user is made)."""
        return iam.derive_user_name(actor, names)

    def console(self, asked: bool) -> bool:
        """As asked (the assignment's portal gives the console either way)."""
        return asked

    def provision(self, request: Request, expires_at: datetime | None) -> Fields:
        """Create the assignment (or find it already held) and wait until Identity Center reports it done."""
        try:
            if request.assignment_created is None and request.identity_store_user_id:
                self._refuse_if_identity_changed(request)
            user_id = request.identity_store_user_id or self._user_id_for(request)
            target = self.target()
            if request.assignment_created is None:
                ours = self.ownership.holder(target, user_id) == request.id  # a run that stopped midway
                if not ours and self._already_held(target, user_id):
                    return Fields(identity_store_user_id=user_id, assignment_created=False)
                # The record first, by compare-and-set: of two requests for one Identity Store user approved at
                # the same moment, one creates the assignment and the other relies on it (never both "ours").
                if not ours and not self.ownership.claim(request, target, user_id):
                    return Fields(identity_store_user_id=user_id, assignment_created=False)
                # Record the intent before the AWS call: a crash in between leaves a record that says "ours",
                # so recovery finishes it and drift can delete it; never an assignment nobody owns.
                claimed = self.ledger.note(
                    request.id,
                    Fields(state=State.APPROVED, assignment_created=None),
                    Fields(identity_store_user_id=user_id, assignment_created=True),
                )
                if claimed is None:
                    raise idc.IdentityCenterError("Store", "Conflict")
            elif request.assignment_created is False:
                return Fields(identity_store_user_id=user_id, assignment_created=False)
            if not self._holds_directly(target, user_id):
                idc.create_assignment(self.clients.sso_admin, target, user_id)
        except idc.IdentityCenterError as e:
            raise self._failed(request, e) from None
        return Fields(identity_store_user_id=user_id, assignment_created=True)

    def _refuse_if_identity_changed(self, request: Request) -> None:
        """The leads approved the Identity Store user shown to them: refuse if the email now maps to another."""
        filed = request.identity_store_user_id
        try:
            now = self._user_id_for(request, create=False)
        except idc.NoIdentityStoreUser:
            now = None
        if now != filed:
            raise IdentityChanged(filed or "", now)

    def _user_id_for(self, request: Request, *, create: bool = True) -> str:
        try:
            profile = self.d.slack.user(request.slack_user_id)
        except SlackCallFailed as e:
            raise idc.IdentityCenterError("users.info", e.error) from None
        store_id = self.instance().identity_store_id
        try:
            return idc.find_user_id(self.clients.identitystore, store_id, profile.email or "")
        except idc.NoIdentityStoreUser:
            if not (create and self.config.create_users and profile.email):
                raise
            display = profile.names[0] if profile.names else profile.email
            return idc.create_user(self.clients.identitystore, store_id, profile.email, display)

    def _holds_directly(self, target: idc.Target, user_id: str) -> bool:
        assignments = idc.list_assignments(self.clients.sso_admin, target)
        return idc.Assignment("USER", user_id) in assignments

    def _already_held(self, target: idc.Target, user_id: str) -> bool:
        """The user holds the assignment already: directly (given by hand) or through one of their groups."""
        assignments = idc.list_assignments(self.clients.sso_admin, target)
        if idc.Assignment("USER", user_id) in assignments:
            return True
        groups = {a.principal_id for a in assignments if a.principal_type == "GROUP"}
        if not groups:
            return False
        member_of = idc.user_group_ids(self.clients.identitystore, self.instance().identity_store_id, user_id)
        return bool(groups & member_of)

    def _failed(self, request: Request, error: idc.IdentityCenterError) -> GrantFailed:
        current = self.d.store.get(request.id) or request
        if isinstance(error, IdentityChanged):
            return GrantFailed(error.step, error.code, IDENTITY_CHANGED, now=error.now)
        if isinstance(error, idc.NoIdentityStoreUser):
            return GrantFailed(error.step, error.code, NO_IDENTITY_USER)
        if current.assignment_created and current.identity_store_user_id:
            try:  # roll back: the assignment may exist even though the wait failed
                self.ownership.delete_unless_relied_on(current, self.target(), self.clients.sso_admin)
            except idc.IdentityCenterError as cleanup:
                logger.error("request %s: roll-back failed at %s: %s", request.id, cleanup.step, cleanup.code)
                return GrantFailed(error.step, error.code, LEFT_BEHIND)
        return GrantFailed(error.step, error.code, ROLLED_BACK)

    def undo(self, request: Request, granted: Fields) -> None:
        """Delete the assignment just created (never one that was already there)."""
        if granted.assignment_created is True:
            idc.delete_assignment(self.clients.sso_admin, self.target(), granted.identity_store_user_id)

    # --- ending and extending ---------------------------------------------------------------------------

    def revoke(self, request: Request) -> Revoked:
        """Delete the assignment if the bot created it for this request and no other open request relies on it."""
        if request.assignment_created is not True or not request.identity_store_user_id:
            return Revoked(deleted=False)
        try:
            return self.ownership.delete_unless_relied_on(request, self.target(), self.clients.sso_admin)
        except idc.IdentityCenterError as e:
            raise GrantError(e.step, e.code) from None

    def extend(self, request: Request, new_expiry: datetime) -> None:
        """Nothing at AWS: an assignment has no end date; the sweep deletes it when the stored one passes."""

    # --- no keys, no last use -------------------------------------------------------------------------

    def mint(self, request: Request) -> Minted:
        """There are no keys: the developer signs in at the access portal."""
        raise NoSecrets

    def rotate(self, request: Request) -> Rotated:
        """There is no key to replace."""
        raise NoSecrets

    def discard(self, request: Request, minted: Minted | None, *, console: bool) -> tuple[str, ...]:
        """Nothing is ever minted."""
        return ()

    def discard_keys(self, request: Request, key_ids: tuple[str, ...]) -> tuple[str, ...]:
        """There are no keys."""
        return ()

    def discard_all_keys(self, request: Request, *, keep: str | None) -> None:
        """There are no keys."""

    def last_use(self, request: Request) -> LastUse:
        """AWS reports no per-assignment last use to the bot: the row says so, and only the expiry is judged."""
        return LastUse(None, NO_USAGE_IN_IDENTITY_CENTER)

    def key_age(self, request: Request, now: datetime) -> timedelta | None:
        """There is no key."""
        return None

    def drift(self) -> list[str]:
        """Assignments of the permission set against the store."""
        return self.drift_check.reconcile()


# An Identity Center assignment has no key, and AWS reports no per-assignment last use to the bot.
NO_USAGE_IN_IDENTITY_CENTER = (
    "Identity Center assignment: AWS tells the bot neither when it was last used nor any key age (sign-ins are "
    "in CloudTrail and the access portal's logs); only the expiry is judged"
)
