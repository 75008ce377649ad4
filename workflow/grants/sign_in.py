"""The sign-in kind (AMPLIFY_DEV_CREDENTIALS=sign-in): the IAM user of iam_user.py without an access key, ever.

Approval creates the user with SignInLocalDevelopmentAccess and IAMUserChangePassword; Show credentials sets a
temporary console password (forced reset) and the developer runs `aws login`, which gets 15-minute credentials
renewed for up to 12 hours. Those sessions are AWS Sign-In's: every path that deletes the user (removal, expiry,
off-boarding, the drift check) ends them first, every page of ListSessions, five at a time (iam.signin), and a
revocation that fails does not stop the deletion. `rotate` sets a new temporary password and ends every session.

Checked in AWS's documentation (search tool, December 2026): "A revoked session can no longer be refreshed" and
per-session failures come back in `errors` without failing the call (Sign-In API, BatchRevokeSessions); the
credentials a session already issued last until they expire (15 minutes), but "permissions assigned to temporary
security credentials are evaluated each time they are used", so once the user's policies are gone those requests
fail, within a few minutes (IAM User Guide, "Disabling permissions for temporary security credentials"). Hence the
order here: sessions first, then the deletion sequence, which detaches every policy before DeleteUser.

No method here calls CreateAccessKey: minting and rotating are the password's, and the key methods inherited from
IamKeys only ever list and delete keys (a user of this kind has none).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import iam
import messages as msg
from iam.review import read_user_usage
from store import Request

from ..deps import Deps
from ..ledger import Ledger
from . import GrantError, LastUse, Minted, Rotated, SessionsRevoked
from .iam_user import IamUserGrants

logger = logging.getLogger(__name__)


class DeletionStopped(iam.IamError):
    """Deleting the user stopped at an IAM step after its sign-in sessions were ended: `sessions` says how many."""

    def __init__(self, error: iam.IamError, sessions: SessionsRevoked) -> None:
        super().__init__(error.step, error.code, rolled_back=False)
        self.sessions = sessions

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_stopped, (self.step, self.code, self.sessions))


def _rebuild_stopped(step: str, code: str, sessions: SessionsRevoked) -> DeletionStopped:
    return DeletionStopped(iam.IamError(step, code), sessions)


class SignInGrants(IamUserGrants):
    """Access is an IAM user that signs in: a temporary console password at Show credentials, `aws login` after."""

    sign_in = True

    def __init__(self, deps: Deps, ledger: Ledger) -> None:
        if deps.signin is None:  # bot.py builds it for every project that signs in; a test must hand one in
            raise ValueError("AMPLIFY_DEV_CREDENTIALS=sign-in needs a Sign-In client (Deps.signin)")
        super().__init__(deps, ledger)
        self.signin = deps.signin

    def granted(self) -> msg.Granted:
        """An IAM user under the bot's path that signs in (no access key)."""
        return msg.Granted(kind=msg.SIGN_IN_KIND, path=self.settings.iam_path)

    def console(self, asked: bool) -> bool:
        """Always: the console sign-in is what `aws login` starts from."""
        return True

    def mint(self, request: Request) -> Minted:
        """The temporary console password (forced reset, the account's password policy honoured); no key."""
        self._ours(request)
        try:
            password = iam.create_console_login(self.client, request.iam_user_name, self._password_policy())
            signin_url = self._console_signin_url(request)
        except iam.IamError as e:
            self.discard(request, None, console=True)  # a password nobody saw must not stay set
            raise GrantError(e.step, e.code) from None
        return Minted(request.iam_user_name, None, None, console_password=password, signin_url=signin_url)

    def rotate(self, request: Request) -> Rotated:
        """A new temporary password (the old one stops working), then every sign-in session ended.

        The password first: whoever holds the old one cannot start a new session after the revocation.
        """
        user = self._ours(request)
        try:
            password = iam.reset_console_password(self.client, request.iam_user_name, self._password_policy())
            signin_url = self._console_signin_url(request)
        except iam.IamError as e:
            raise GrantError(e.step, e.code) from None
        sessions = self._end_sessions(request, user.arn)
        minted = Minted(request.iam_user_name, None, None, console_password=password, signin_url=signin_url)
        return Rotated(minted, (), sessions)

    def discard(self, request: Request, minted: Minted | None, *, console: bool) -> tuple[str, ...]:
        """Delete a console password that was set but not delivered (whatever `console` says: it is always set)."""
        try:
            iam.delete_console_login(self.client, request.iam_user_name)
        except iam.IamError as e:  # the next Show credentials or rotate replaces it; nobody knows it meanwhile
            logger.error("request %s: could not delete an undelivered console password: %s", request.id, e.code)
        return ()

    def delete_user(self, user_name: str, request_id: str) -> SessionsRevoked | None:
        """End the user's sign-in sessions, then delete it in IAM's order whatever the revocation came to.

        Only this deployment's user is touched (NotManagedByBot before any Sign-In call). A revocation that fails
        is logged (iam.signin) and returned for the audit: detaching the policies and deleting the user right
        after is what denies the credentials the sessions already issued.
        """
        user = iam.get_managed_user(self.client, user_name, self.owner, request_id=request_id)
        if user is None:
            return SessionsRevoked(0)  # nothing left whose sessions could renew
        sessions = self._end_sessions_of(user_name, request_id, user.arn)
        try:
            iam.revoke_developer_user(self.client, user_name, self.owner, request_id=request_id, checked=user)
        except iam.NotManagedByBot:
            raise
        except iam.IamError as e:
            raise DeletionStopped(e, sessions) from None
        return sessions

    def _end_sessions(self, request: Request, user_arn: str) -> SessionsRevoked:
        return self._end_sessions_of(request.iam_user_name, request.id, user_arn)

    def _end_sessions_of(self, user_name: str, request_id: str, user_arn: str) -> SessionsRevoked:
        ended = iam.end_signin_sessions(self.signin, user_arn)
        if ended.complete:
            logger.info("request %s: ended %d sign-in session(s) of %s", request_id, ended.revoked, user_name)
        else:
            logger.error(
                "request %s: ending the sign-in sessions of %s: %d revoked, %d not (%s)",
                request_id,
                user_name,
                ended.revoked,
                ended.failed,
                ended.code,
            )
        return SessionsRevoked(ended.revoked, ended.failed, ended.code)

    def last_use(self, request: Request) -> LastUse:
        """The console's PasswordLastUsed and the latest use of the `aws login` sessions."""
        return read_signin_last_use(self.client, self.signin, request)

    def key_age(self, request: Request, now: datetime) -> timedelta | None:
        """No key, so no age (no IAM call)."""
        return None


def read_signin_last_use(client: Any, signin: Any, request: Request) -> LastUse:
    """One sign-in user's last use: PasswordLastUsed (GetUser) and its sessions' lastUsedAt (ListSessions and
    GetSession); a note instead when IAM or Sign-In does not answer."""
    try:
        usage = read_user_usage(client, request.iam_user_name, console=True)
    except iam.IamError as e:
        logger.warning("review: could not read %s from IAM: %s %s", request.iam_user_name, e.step, e.code)
        return LastUse(None, f"IAM did not answer ({e.step}: {e.code}); last use unknown", keys=False)
    try:
        sessions_used = iam.last_signin_use(signin, request.iam_user_arn or "") if request.iam_user_arn else None
    except (iam.IamError, ValueError) as e:
        code = f"{e.step}: {e.code}" if isinstance(e, iam.IamError) else "no user ARN"
        logger.warning("review: could not read the sign-in sessions of %s: %s", request.iam_user_name, code)
        return LastUse(usage, f"AWS Sign-In did not answer ({code}); `aws login` use unknown", keys=False)
    return LastUse(replace(usage, signin_last_used=sessions_used), keys=False)


def signin_last_use(client: Any, signin: Any) -> Callable[[Request], LastUse]:
    """The last-use read of the review, on these IAM and Sign-In clients."""
    return lambda request: read_signin_last_use(client, signin, request)
