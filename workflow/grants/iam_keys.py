"""The IAM-user kind's credentials: the access key (and console password) minted when the requester is there,
the key made for a rotation, and deleting keys nobody saw. A secret lives only in this process until the one
ephemeral message carries it; IAM's two-key limit must never wedge the button or rotation."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import iam

from . import GrantError, GrantNotOurs, Minted, Rotated

logger = logging.getLogger(__name__)

PASSWORD_POLICY_CACHE = timedelta(minutes=5)


class IamKeys:
    """Minting, rotating and deleting the access keys (and console login) of the bot's IAM users."""

    def __init__(self, client: Any, owner: iam.Owner, clock: Callable[[], datetime]) -> None:
        self.client = client
        self.owner = owner
        self.clock = clock
        self._signin_url: str | None = None
        self._policy: tuple[datetime, iam.PasswordPolicy] | None = None

    def _ours(self, request: Any) -> iam.ManagedUser:
        """The request's IAM user if it exists and is this deployment's; GrantNotOurs otherwise (GrantError: no
        answer)."""
        try:
            user = iam.get_managed_user(self.client, request.iam_user_name, self.owner, request_id=request.id)
        except iam.NotManagedByBot:
            raise GrantNotOurs("is not one this amplify-dev manages (wrong path, tags or instance)") from None
        except iam.IamError as e:
            raise GrantError(e.step, e.code, unanswered=True) from None
        if user is None:
            raise GrantNotOurs("no longer exists")
        return user

    def mint(self, request: Any) -> Minted:
        """A first key (and console password) for the requester; on failure nothing minted is left."""
        self._ours(request)
        key: iam.AccessKey | None = None
        password: iam.Secret | None = None
        try:
            key = self._create_first_key(request)
            if request.console:
                password = iam.create_console_login(self.client, request.iam_user_name, self._password_policy())
            signin_url = self._console_signin_url(request) if request.console else None
        except iam.IamError as e:
            minted = _minted(request, key, None, None) if key else None
            self.discard(request, minted, console=request.console)
            if key is None:  # CreateAccessKey may have succeeded at AWS before failing here: no unseen key lives
                self.discard_all_keys(request, keep=None)
            raise GrantError(e.step, e.code) from None
        return _minted(request, key, password, signin_url)

    def _create_first_key(self, request: Any) -> iam.AccessKey:
        try:
            return iam.create_access_key(self.client, request.iam_user_name)
        except iam.AccessKeyLimit:
            # Nothing was ever shown for this access, so every key on the user is one nobody saw:
            # clear them rather than let IAM's two-key limit wedge the button.
            logger.warning("request %s: keys nobody saw fill IAM's limit; deleting them", request.id)
            self.discard_all_keys(request, keep=None)
            return iam.create_access_key(self.client, request.iam_user_name)

    def rotate(self, request: Any) -> Rotated:
        """A new key beside the one in use (stray keys cleared first, so IAM's two-key limit cannot wedge it)."""
        self._ours(request)
        try:
            old_keys = iam.list_access_key_ids(self.client, request.iam_user_name)
            # Any key but the one in use was never delivered or is already replaced: clear it first.
            stray = [k for k in old_keys if k != request.access_key_id]
            if stray and request.access_key_id in old_keys:
                for key_id in stray:
                    iam.delete_access_key(self.client, request.iam_user_name, key_id)
                old_keys = [request.access_key_id]
            key = iam.create_access_key(self.client, request.iam_user_name)
        except iam.IamError as e:
            raise GrantError(e.step, e.code, key_limit=isinstance(e, iam.AccessKeyLimit)) from None
        return Rotated(_minted(request, key, None, None), tuple(old_keys))

    def discard(self, request: Any, minted: Minted | None, *, console: bool) -> tuple[str, ...]:
        """Delete a key (and console login) minted but not delivered; the key ids that would not go."""
        left: tuple[str, ...] = ()
        if minted is not None:
            left = self.discard_keys(request, (minted.access_key_id,))
        if console:
            try:
                iam.delete_console_login(self.client, request.iam_user_name)
            except iam.IamError as e:  # the next Show credentials replaces the password; recovery retries
                logger.error("request %s: could not delete an undelivered console password: %s", request.id, e.code)
        return left

    def discard_keys(self, request: Any, key_ids: tuple[str, ...]) -> tuple[str, ...]:
        """Delete these keys of the request's user; the ids IAM would not delete."""
        left = []
        for key_id in key_ids:
            try:
                iam.delete_access_key(self.client, request.iam_user_name, key_id)
            except iam.IamError as e:
                logger.error("request %s: could not delete key %s: %s", request.id, key_id, e.code)
                left.append(key_id)
        return tuple(left)

    def discard_all_keys(self, request: Any, *, keep: str | None) -> None:
        """Delete every access key of the request's user except `keep` (keys nobody may hold)."""
        try:
            for key_id in iam.list_access_key_ids(self.client, request.iam_user_name):
                if key_id != keep:
                    iam.delete_access_key(self.client, request.iam_user_name, key_id)
        except iam.IamError as e:
            logger.error("request %s: could not clean up access keys: %s %s", request.id, e.step, e.code)

    def key_age(self, request: Any, now: datetime) -> timedelta | None:
        """The age of the key in use; GrantError when IAM does not answer."""
        try:
            return iam.access_key_age(self.client, request.iam_user_name, request.access_key_id, now)
        except iam.IamError as e:
            raise GrantError(e.step, e.code) from None

    def _password_policy(self) -> iam.PasswordPolicy:
        """The account's password policy, read at most every few minutes (it rarely changes)."""
        now = self.clock()
        if self._policy is None or now - self._policy[0] > PASSWORD_POLICY_CACHE:
            self._policy = (now, iam.get_password_policy(self.client))
        return self._policy[1]

    def _console_signin_url(self, request: Any) -> str:
        if self._signin_url is None:
            account = iam.account_id_from_arn(request.iam_user_arn or "")
            self._signin_url = iam.console_signin_url(self.client, account)
        return self._signin_url


def _minted(request: Any, key: iam.AccessKey, password: iam.Secret | None, signin_url: str | None) -> Minted:
    return Minted(
        user_name=request.iam_user_name,
        access_key_id=key.access_key_id,
        secret_access_key=key.secret_access_key,
        console_password=password,
        signin_url=signin_url,
    )
