"""AWS clients for the bot and its operator commands: boto3's credential chain, standard retries, bounded timeouts."""

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


def build_dynamodb_client(region_name: str) -> BaseClient:
    """A DynamoDB client with standard retries (throttling, transient errors) and bounded timeouts."""
    config = Config(retries={"mode": "standard"}, connect_timeout=5, read_timeout=10)
    return boto3.client("dynamodb", region_name=region_name, config=config)
