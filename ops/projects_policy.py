"""Policies for several projects: the bot's own (assume only the projects' roles, plus the statements of the
projects in its own account), and each project role's permissions and trust policies."""

from __future__ import annotations

import re
import secrets
from typing import Any

from iam.names import account_id_from_arn, partition_from_arn
from ops.policy import bot_policy
from settings import Settings

ASSUME_SID = "AssumeOnlyTheProjectsRoles"


def _sid_prefix(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def projects_bot_policy(
    projects: dict[str, Settings], account_id: str, partition: str = "aws", *, principal: str | None = None
) -> dict[str, Any]:
    """The bot's own policy: sts:AssumeRole on the listed roles only, plus each own-account project's statements."""
    statements: list[dict[str, Any]] = []
    roles = sorted({p.account_role_arn for p in projects.values() if p.account_role_arn})
    if roles:
        statements.append({"Sid": ASSUME_SID, "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": roles})
    seen: list[dict[str, Any]] = []
    for name, project in projects.items():
        if project.account_role_arn:
            continue
        for statement in bot_policy(project, account_id, partition, principal=principal)["Statement"]:
            bare = {k: v for k, v in statement.items() if k != "Sid"}
            if bare in seen:  # projects in the bot's account with the same path share their statements
                continue
            seen.append(bare)
            sid = statement.get("Sid")
            statements.append({**statement, "Sid": f"{_sid_prefix(name)}{sid}"} if sid else statement)
    return {"Version": "2012-10-17", "Statement": statements}


def new_external_id() -> str:
    """A fresh external id for a project role's trust policy (and the project's external_id key)."""
    return secrets.token_urlsafe(32)


def project_role_policies(project: Settings, bot_principal: str | None, external_id: str) -> dict[str, Any]:
    """For a project's account role: the permissions it needs there, and the trust policy letting the bot (and only
    a caller that sends the project's external id) assume it."""
    role = project.account_role_arn or ""
    account, partition = account_id_from_arn(role), partition_from_arn(role)
    trusted = bot_principal or f"arn:{partition}:iam::<bot account id>:role/<the bot's role>"
    return {
        "PermissionsPolicy": bot_policy(project, account, partition, principal=role),
        "TrustPolicy": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": trusted},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
                },
            ],
        },
    }
