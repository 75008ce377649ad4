"""What the Identity Center layer hands back: small frozen dataclasses, no boto3 types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Instance:
    """An Identity Center instance and its Identity Store."""

    instance_arn: str
    identity_store_id: str


@dataclass(frozen=True)
class Target:
    """One assignment the bot grants: a permission set in an account, on an instance."""

    instance_arn: str
    permission_set_arn: str
    account_id: str


@dataclass(frozen=True)
class PermissionSet:
    """The parts of a permission set the bot tells developers: its name (the role name) and session length."""

    arn: str
    name: str
    session_duration: timedelta


@dataclass(frozen=True)
class Assignment:
    """A user's assignment of the target's permission set in the target's account."""

    principal_type: str  # USER or GROUP
    principal_id: str
