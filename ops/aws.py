"""AWS clients for the operator commands (check, policy): the same chain and retries the bot uses."""

from __future__ import annotations

import boto3
from botocore.client import BaseClient
from botocore.config import Config

FALLBACK_REGION = "us-east-1"


def default_region() -> str:
    """The region boto3's configuration chain resolves, or us-east-1 (IAM and STS answer from any region)."""
    return boto3.session.Session().region_name or FALLBACK_REGION


def build_sts_client(region_name: str) -> BaseClient:
    """An STS client with standard retries and bounded timeouts, like the IAM client."""
    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=15)
    return boto3.client("sts", region_name=region_name, config=config)
