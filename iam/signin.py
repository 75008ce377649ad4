"""A developer's AWS Sign-In sessions (`aws login`): list them, revoke them, and when they were last used.

Shapes, from botocore 1.44.8's ``signin`` model (2023-01-01, rest-json; read it in botocore/data/signin/):
- ``ListSessions(principalArn?, status?, maxResults 1..100, nextToken?)`` -> ``items`` (required) of
  ``{sessionArn, principalArn, status ACTIVE|REVOKED, issuedAt, expiresAt, clientId?, clientType CLI|MCP,
  resource?, role?}`` and ``nextToken`` (botocore's paginator: input and output token ``nextToken``, result key
  ``items``). The list items carry **no** ``lastUsedAt``.
- ``GetSession(sessionArn, principalArn?)`` -> the same fields plus ``lastUsedAt`` ("the time the session was
  last refreshed"), ``issuedInRegion``, ``originSessionArn``, ``userAgent``. A session of another identity is
  reported as ResourceNotFoundException.
- ``BatchRevokeSessions(sessionArns 1..5, principalArn?, reason 1..256?)`` -> ``revokedSessions`` and ``errors``
  (both required; ``{sessionArn, code, message}``). Per-session failures come back in ``errors`` and do not fail
  the call; revoking a revoked session succeeds. "A revoked session can no longer be refreshed": credentials
  it already issued (15 minutes) stay valid until they expire, which is why removal deletes the user right after.
- Times are Long "Unix epoch seconds". Errors: ValidationException, AccessDeniedException,
  TooManyRequestsError, InternalServerException, ResourceNotFoundException (members ``error``, ``message``).
- ``principalArn``: "omit for the caller's own sessions; a user or role ARN; ``arn:aws:iam::<account>:*`` for
  all sessions in the account".

The ARN form for a user under a path: NOT verified against AWS. IAM's own ARN for our users carries the path
(``arn:aws:iam::<account>:user/amplify-dev/alice``), but the model's ``PrincipalArnFilter`` pattern allows no
``/`` after ``user/`` (``user/[a-zA-Z0-9_+=,.@-]{1,64}``), and AWS's SDK guide shows ``aws login`` writing
``login_session = arn:aws:iam::<account>:user/<name>``. So we send the path-less form (user names are unique in an
account whatever their path, so it names exactly one user). The fake (playground.signin_api) enforces the
pattern, so a regression to the path form fails the tests; whether real AWS also accepts the path form, and
which form it returns in ``items[].principalArn``, is to be confirmed against a real account.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.client import BaseClient

from ._aws import AWS_ERRORS
from .errors import IamError, error_code
from .names import partition_from_arn

logger = logging.getLogger(__name__)

MAX_REVOKE_BATCH = 5  # BatchRevokeSessions' SessionArnList holds 1 to 5 ARNs
REVOKE_REASON = "amplify-dev removed this developer's access"


class SignInError(IamError):
    """A Sign-In step failed; `revoked` says how many sessions this call had already revoked (never hidden)."""

    def __init__(self, step: str, code: str, *, revoked: int = 0, failed: int = 0) -> None:
        self.revoked = revoked
        self.failed = failed
        super().__init__(step, code, rolled_back=False, detail=f"{revoked} revoked, {failed} not")

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_signin_error, (self.step, self.code, self.revoked, self.failed))


def _rebuild_signin_error(step: str, code: str, revoked: int, failed: int) -> SignInError:
    return SignInError(step, code, revoked=revoked, failed=failed)


@dataclass(frozen=True)
class SignInSession:
    """One `aws login` session of a user, as ListSessions reports it."""

    session_arn: str
    status: str  # "ACTIVE" or "REVOKED"
    issued_at: datetime
    expires_at: datetime


def signin_policy_arn(partition: str = "aws") -> str:
    """The AWS managed policy `aws login` needs (signin:AuthorizeOAuth2Access and signin:CreateOAuth2Token)."""
    return f"arn:{partition}:iam::aws:policy/SignInLocalDevelopmentAccess"


def signin_principal_arn(user_arn: str) -> str:
    """The principalArn the Sign-In calls take for an IAM user: its ARN without the path (see the module doc)."""
    partition_from_arn(user_arn)  # raises ValueError for what is not an ARN at all
    prefix, _, rest = user_arn.partition(":user/")
    if not rest or ":iam::" not in prefix:
        raise ValueError("not an IAM user ARN")
    return f"{prefix}:user/{rest.rsplit('/', 1)[-1]}"


def list_signin_sessions(signin: BaseClient, user_arn: str, *, status: str | None = "ACTIVE") -> list[SignInSession]:
    """Every session of the user (every page of ListSessions), ACTIVE ones only unless `status` is None."""
    params: dict[str, Any] = {"principalArn": signin_principal_arn(user_arn)}
    if status:
        params["status"] = status
    try:
        pages = signin.get_paginator("list_sessions").paginate(**params)
        # Everything is read before anything is revoked: revoking while paging could shift the pages.
        return [_session(item) for page in pages for item in page.get("items", [])]
    except AWS_ERRORS as exc:
        raise SignInError("ListSessions", error_code(exc)) from None


def revoke_signin_sessions(signin: BaseClient, user_arn: str, *, reason: str = REVOKE_REASON) -> int:
    """Revoke every active session of the user, five at a time; return how many were revoked.

    Every batch is tried even after one fails (each revoked session is one less that can be refreshed); a
    failure is raised afterwards as SignInError carrying the first AWS error code and the count revoked so far.
    """
    principal = signin_principal_arn(user_arn)
    sessions = list_signin_sessions(signin, user_arn)
    revoked = failed = 0
    first_code: str | None = None
    for start in range(0, len(sessions), MAX_REVOKE_BATCH):
        batch = [s.session_arn for s in sessions[start : start + MAX_REVOKE_BATCH]]
        try:
            answer = signin.batch_revoke_sessions(principalArn=principal, sessionArns=batch, reason=reason)
        except AWS_ERRORS as exc:
            failed += len(batch)
            first_code = first_code or error_code(exc)
            continue
        revoked += len(answer.get("revokedSessions", []))
        errors = answer.get("errors", [])
        failed += len(errors)
        if errors and first_code is None:
            first_code = str(errors[0].get("code") or "Unknown")
    if first_code is not None:
        logger.warning("Revoking sign-in sessions: %d revoked, %d failed (%s)", revoked, failed, first_code)
        raise SignInError("BatchRevokeSessions", first_code, revoked=revoked, failed=failed)
    return revoked


@dataclass(frozen=True)
class SessionsEnded:
    """What ending a user's sign-in sessions came to, for the audit row: how many, and the failure if any."""

    revoked: int
    failed: int = 0
    code: str | None = None  # the AWS error code of the first failure; None: every session was revoked

    @property
    def complete(self) -> bool:
        """True when nothing failed (a user without sessions included)."""
        return self.code is None


def end_signin_sessions(signin: BaseClient, user_arn: str) -> SessionsEnded:
    """revoke_signin_sessions for the removal paths, which go on deleting the user whatever happens: never raises.

    A failure is logged here (code only) and returned for the audit; the caller then detaches the policies and
    deletes the user, which denies whatever the sessions already issued (see the module doc).
    """
    try:
        return SessionsEnded(revoke_signin_sessions(signin, user_arn))
    except SignInError as exc:
        return SessionsEnded(exc.revoked, exc.failed, exc.code)


def last_signin_use(signin: BaseClient, user_arn: str) -> datetime | None:
    """When the user's sign-in sessions were last used: the latest lastUsedAt (else issuedAt) over all of them.

    ListSessions' items have no lastUsedAt, so this is one GetSession per session (a developer has a few). A
    session never refreshed counts from its issue: `aws login` itself is a use. None: no session at all.
    """
    principal = signin_principal_arn(user_arn)
    latest: datetime | None = None
    for session in list_signin_sessions(signin, user_arn, status=None):
        try:
            details = signin.get_session(sessionArn=session.session_arn, principalArn=principal)
        except AWS_ERRORS as exc:
            if error_code(exc) == "ResourceNotFoundException":
                continue  # gone between the two calls
            raise SignInError("GetSession", error_code(exc)) from None
        used = _epoch(details["lastUsedAt"]) if details.get("lastUsedAt") is not None else session.issued_at
        latest = used if latest is None or used > latest else latest
    return latest


def _session(item: dict[str, Any]) -> SignInSession:
    return SignInSession(
        session_arn=item["sessionArn"],
        status=item.get("status", "ACTIVE"),
        issued_at=_epoch(item["issuedAt"]),
        expires_at=_epoch(item["expiresAt"]),
    )


def _epoch(seconds: int | float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)
