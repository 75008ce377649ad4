"""Construction of the boto3 sso-admin and identitystore clients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config


@dataclass(frozen=True)
class IdentityCenterClients:
    """The two clients this mode needs, built once in bot.py (or by a test) and passed in."""

    sso_admin: Any
    identitystore: Any
    account_id: str = ""  # the bot's own account (STS), the default AMPLIFY_DEV_ACCOUNT_ID


def build_identity_center_clients(region_name: str, account_id: str = "") -> IdentityCenterClients:
    """sso-admin and identitystore clients in Identity Center's region, with standard retries and timeouts."""
    config = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=15)
    return IdentityCenterClients(
        sso_admin=boto3.client("sso-admin", region_name=region_name, config=config),
        identitystore=boto3.client("identitystore", region_name=region_name, config=config),
        account_id=account_id,
    )
