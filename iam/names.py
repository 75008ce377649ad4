"""IAM name, path and ARN rules that moto does not enforce, so we must."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# The path rule lives in a leaf the settings share (they check it at start without importing iam/).
from aws_names import MAX_PATH_LENGTH as MAX_PATH_LENGTH
from aws_names import is_valid_path as is_valid_path

MAX_USER_NAME_LENGTH = 64

_USER_NAME_RE = re.compile(r"[A-Za-z0-9+=,.@_-]{1,64}")
_SLACK_ID_RE = re.compile(r"[A-Za-z0-9]+")
_ACCOUNT_ID_RE = re.compile(r"[0-9]{12}")

_PUNCTUATION = "+=,.@_-"
_NOT_ALLOWED_RE = re.compile(r"[^a-z0-9+=,.@_-]")
_PUNCTUATION_RUN_RE = re.compile(r"([+=,.@_-])[+=,.@_-]+")
_FALLBACK_PREFIX = "slack"
# The fallback "slack-<id>" is the longer form whenever the slug would be truncated to one character.
_MAX_SLACK_ID_LENGTH = MAX_USER_NAME_LENGTH - len(_FALLBACK_PREFIX) - 1


def is_valid_user_name(name: str) -> bool:
    """Return True if IAM accepts the name: 1..64 characters of [A-Za-z0-9+=,.@_-]."""
    return isinstance(name, str) and _USER_NAME_RE.fullmatch(name) is not None


def account_id_from_arn(arn: str) -> str:
    """Return the 12-digit account id of an ARN such as arn:aws:iam::123456789012:user/x."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not _ACCOUNT_ID_RE.fullmatch(parts[4]):
        raise ValueError("not an ARN with an account id")
    return parts[4]


_ASSUMED_ROLE_RE = re.compile(r"arn:(?P<p>[\w-]+):sts::(?P<a>[0-9]{12}):assumed-role/(?P<role>[^/]+)/.+")
_USER_ARN_RE = re.compile(r"arn:(?P<p>[\w-]+):(?:iam|sts)::(?P<a>[0-9]{12}):user/(?P<name>.+)")
_ROLE_ARN_RE = re.compile(r"arn:(?P<p>[\w-]+):iam::(?P<a>[0-9]{12}):role/(?P<name>.+)")


def principal_arn(arn: str) -> str | None:
    """The IAM role or user ARN SimulatePrincipalPolicy takes for a caller or principal ARN (None: root, federated)."""
    if match := _ASSUMED_ROLE_RE.fullmatch(arn):
        # The session ARN drops the role's path; roles with a path then fail with NoSuchEntity.
        return f"arn:{match['p']}:iam::{match['a']}:role/{match['role']}"
    if match := _USER_ARN_RE.fullmatch(arn):
        return f"arn:{match['p']}:iam::{match['a']}:user/{match['name']}"
    if _ROLE_ARN_RE.fullmatch(arn):
        return arn
    return None


def partition_from_arn(arn: str) -> str:
    """Return the partition of an ARN (aws, aws-cn, aws-us-gov, ...)."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1]:
        raise ValueError("not an ARN")
    return parts[1]


def _slugify(profile_name: str) -> str:
    # Casefold between two NFKD passes: compatibility forms such as U+210C (black-letter H) only become plain
    # letters after NFKD, and casefolding can itself produce combining marks (U+0130 -> "i" + U+0307).
    text = unicodedata.normalize("NFKD", profile_name)
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = ".".join(text.split())
    text = _NOT_ALLOWED_RE.sub("", text)
    text = _PUNCTUATION_RUN_RE.sub(r"\1", text)
    return text.strip(_PUNCTUATION)


def derive_user_name(slack_user_id: str, profile_names: Sequence[str]) -> str:
    """Return the deterministic, lowercase IAM user name for a Slack user, e.g. "jane.doe-u012ab3cd"."""
    if not _SLACK_ID_RE.fullmatch(slack_user_id) or len(slack_user_id) > _MAX_SLACK_ID_LENGTH:
        raise ValueError("Slack user id must be 1..58 ASCII letters and digits")
    # Slack ids are unique and contain no "-", so everything after the last "-" identifies the Slack user:
    # two Slack users can never get the same name, not even case-insensitively as IAM compares them.
    suffix = "-" + slack_user_id.lower()
    for profile_name in profile_names:
        slug = _slugify(profile_name)
        if slug:
            slug = slug[: MAX_USER_NAME_LENGTH - len(suffix)].rstrip(_PUNCTUATION)
            return slug + suffix
    return _FALLBACK_PREFIX + suffix


def change_password_policy_arn(partition: str) -> str:
    """The AWS managed policy a console user needs to set a new password at first sign-in (the one place this lives)."""
    return f"arn:{partition}:iam::aws:policy/IAMUserChangePassword"
