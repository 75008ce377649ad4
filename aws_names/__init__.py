"""AWS's naming rules that the settings and iam/ both check (and moto does not enforce). A leaf: imports nothing of
ours and nothing of boto3, so validating a setting at start costs no SDK import (Lambda's init phase, before the
first ack: iam/ imports boto3's IAM layer, ~40 ms at 512 MB's share of a CPU)."""

from __future__ import annotations

import re

MAX_PATH_LENGTH = 512

# AWS's own pattern (a lone "/" or printable ASCII enclosed in slashes), minus "*" and "?": IAM accepts them in a
# path, but in the bot's policy the path becomes part of a resource ARN, where they are wildcards
# (`/amplify-*/` would grant `user/amplify-*/*`, other teams' users included).
_PATH_RE = re.compile(r"/|/[\x21-\x29\x2b-\x3e\x40-\x7e]+/")


def is_valid_path(path: str) -> bool:
    """Return True if IAM accepts the path ("/" or "/.../", printable ASCII, 1..512) and it has no wildcard (* or ?)."""
    return isinstance(path, str) and len(path) <= MAX_PATH_LENGTH and _PATH_RE.fullmatch(path) is not None
