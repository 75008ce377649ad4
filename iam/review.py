"""What the access review reads from IAM: each key's age and last use, and the last console sign-in.

At most the calls it needs: one ListAccessKeys per user, one GetAccessKeyLastUsed per key, and one GetUser
(for PasswordLastUsed) only for users who were given console access.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from botocore.client import BaseClient

from ._aws import AWS_ERRORS, collect
from .errors import IamError, error_code


@dataclass(frozen=True)
class KeyUsage:
    """One access key: when it was made, and when and where IAM last saw it used (None: never)."""

    access_key_id: str
    created_at: datetime
    status: str  # "Active" or "Inactive"
    last_used_at: datetime | None = None
    service: str | None = None  # e.g. "amplify"; None when never used (IAM says "N/A")
    region: str | None = None


@dataclass(frozen=True)
class UserUsage:
    """What IAM tells about one user's use of its credentials."""

    user_name: str
    keys: tuple[KeyUsage, ...]  # oldest first
    password_last_used: datetime | None = None  # only read for console users; None: never signed in (or not asked)
    signin_last_used: datetime | None = None  # sign-in: the latest use of its `aws login` sessions (None: none)


def read_user_usage(iam: BaseClient, user_name: str, *, console: bool) -> UserUsage:
    """Keys with their last use (GetAccessKeyLastUsed each) and, for a console user, PasswordLastUsed (GetUser)."""
    try:
        listed = collect(iam, "list_access_keys", "AccessKeyMetadata", UserName=user_name)
    except AWS_ERRORS as exc:
        raise IamError("ListAccessKeys", error_code(exc)) from None
    keys = []
    for key in sorted(listed, key=lambda k: k["CreateDate"]):
        try:
            used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"]).get("AccessKeyLastUsed") or {}
        except AWS_ERRORS as exc:
            raise IamError("GetAccessKeyLastUsed", error_code(exc)) from None
        keys.append(
            KeyUsage(
                access_key_id=key["AccessKeyId"],
                created_at=key["CreateDate"],
                status=key.get("Status", "Active"),
                last_used_at=used.get("LastUsedDate"),
                service=_known(used.get("ServiceName")),
                region=_known(used.get("Region")),
            )
        )
    password_last_used = None
    if console:
        try:
            password_last_used = iam.get_user(UserName=user_name)["User"].get("PasswordLastUsed")
        except AWS_ERRORS as exc:
            raise IamError("GetUser", error_code(exc)) from None
    return UserUsage(user_name=user_name, keys=tuple(keys), password_last_used=password_last_used)


def _known(value: str | None) -> str | None:
    """IAM says "N/A" for the service and region of a key never used."""
    return None if value in (None, "", "N/A") else value
