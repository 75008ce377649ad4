"""Constants, fakes and helpers shared by the iam/ tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

from typing import Any

from iam import TAG_APPROVED_BY, TAG_INSTANCE, TAG_REQUEST, TAG_SLACK_USER, Owner
from tests.fakes.moto_gaps import FakeServiceSpecificCredentials, client_error, ok_response

__all__ = ["FakeServiceSpecificCredentials", "client_error", "ok_response"]

PATH = "/amplify-dev/"
INSTANCE = "C0APPROVE"  # the default instance: the approval channel
OWNER = Owner(PATH, INSTANCE)
ACCOUNT_ID = "123456789012"  # moto's default account
AMPLIFY_ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess-Amplify"
CHANGE_PASSWORD = "arn:aws:iam::aws:policy/IAMUserChangePassword"

# Anything that could point boto3 at a real account or a real endpoint instead of moto.
AWS_ENV_TO_CLEAR = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_IAM",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)

Call = tuple[str, dict[str, Any]]


def user_tags(iam: Any, user_name: str) -> dict[str, str]:
    """Return a user's tags as a dict."""
    return {t["Key"]: t["Value"] for t in iam.list_user_tags(UserName=user_name)["Tags"]}


def bot_tags(slack_user_id: str = "U012AB3CD", request_id: str = "req-1") -> list[dict[str, str]]:
    """Tags as the bot writes them, for users a test creates directly."""
    return [
        {"Key": TAG_SLACK_USER, "Value": slack_user_id},
        {"Key": TAG_REQUEST, "Value": request_id},
        {"Key": TAG_APPROVED_BY, "Value": "U0LEAD001"},
        {"Key": TAG_INSTANCE, "Value": INSTANCE},
    ]
