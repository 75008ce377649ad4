"""What the managed policies a setting names amount to: shared by `check` (ops/check/risks.py) and the leads'
messages (messages/grant.py), so the warning a lead reads and the one an operator reads cannot differ."""

from __future__ import annotations

from collections.abc import Iterable

# As powerful as AdministratorAccess, in AWS's own words (IAMFullAccess can grant itself everything).
ADMIN_EQUIVALENT_POLICIES = frozenset({"AdministratorAccess", "AdministratorAccess-Amplify", "IAMFullAccess"})


def policy_name(arn: str) -> str:
    """A managed policy's name: the last part of its ARN (paths such as service-role/ dropped)."""
    return arn.rsplit("/", 1)[-1]


def is_aws_managed(arn: str) -> bool:
    """An AWS managed policy (arn:<partition>:iam::aws:policy/...), not one of the account's own."""
    parts = arn.split(":")
    return len(parts) > 4 and parts[4] == "aws"


def admin_equivalent(arns: Iterable[str]) -> list[str]:
    """The names of the admin-equivalent policies among `arns`, in order."""
    return [policy_name(a) for a in arns if policy_name(a) in ADMIN_EQUIVALENT_POLICIES]
