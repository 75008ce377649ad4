"""Expiry that AWS itself enforces: an inline policy denying everything after a moment, and a tag saying when."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.client import BaseClient

from ._aws import AWS_ERRORS, collect
from .errors import IamError, NotManagedByBot, error_code
from .models import TAG_SLACK_USER, ManagedUser

logger = logging.getLogger(__name__)

TAG_EXPIRES_AT = "amplify-dev:expires-at"
EXPIRY_POLICY_NAME = "amplify-dev-expiry"


def format_expiry(when: datetime) -> str:
    """ISO 8601 in UTC to the second, as IAM's aws:CurrentTime condition and our tag use it."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def expiry_policy_document(expires_at: datetime) -> dict[str, Any]:
    """Deny every action on every resource once aws:CurrentTime is past `expires_at`."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AmplifyDevAccessExpired",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"DateGreaterThan": {"aws:CurrentTime": format_expiry(expires_at)}},
            }
        ],
    }


def put_expiry_policy(iam: BaseClient, user_name: str, expires_at: datetime) -> None:
    """Write (or overwrite) the user's inline expiry policy."""
    try:
        iam.put_user_policy(
            UserName=user_name,
            PolicyName=EXPIRY_POLICY_NAME,
            PolicyDocument=json.dumps(expiry_policy_document(expires_at)),
        )
    except AWS_ERRORS as exc:
        raise IamError("PutUserPolicy", error_code(exc), rolled_back=False) from None


def set_expiry(iam: BaseClient, user: ManagedUser, expires_at: datetime) -> None:
    """Move a managed user's expiry: the inline deny policy first (what AWS enforces), then the tag."""
    if TAG_SLACK_USER not in user.tags:
        raise NotManagedByBot("TagUser", "NotManagedByBot", detail="the user lacks the bot's tags")
    put_expiry_policy(iam, user.user_name, expires_at)
    try:
        iam.tag_user(UserName=user.user_name, Tags=[{"Key": TAG_EXPIRES_AT, "Value": format_expiry(expires_at)}])
    except AWS_ERRORS as exc:
        raise IamError("TagUser", error_code(exc), rolled_back=False) from None
    logger.info("IAM user %s now expires at %s", user.user_name, format_expiry(expires_at))


def list_users_under_path(
    iam: BaseClient, path: str, known: Mapping[str, dict[str, str]] | None = None
) -> list[ManagedUser]:
    """Every user under `path` with its tags, ours or not (the caller decides what is drift).

    `known` maps IAM user ids the caller recorded when it created those users to the tags it gave them: IAM never
    reuses a user id, so those users' tags need no ListUserTags call (ListUsers returns no tags). With every live
    user known, the drift check costs a few ListUsers pages instead of one call per user.
    """
    known = known or {}
    try:
        users = collect(iam, "list_users", "Users", PathPrefix=path)
        result = []
        for user in users:
            if user["Path"] != path:  # PathPrefix also matches deeper paths, which are not ours
                continue
            tags = known.get(user.get("UserId") or "")
            if tags is None:
                tags = {t["Key"]: t["Value"] for t in collect(iam, "list_user_tags", "Tags", UserName=user["UserName"])}
            result.append(
                ManagedUser(
                    user_name=user["UserName"],
                    arn=user["Arn"],
                    path=user["Path"],
                    tags=tags,
                    user_id=user.get("UserId"),
                )
            )
        return result
    except AWS_ERRORS as exc:
        raise IamError("ListUsers", error_code(exc), rolled_back=False) from None
