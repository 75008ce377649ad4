"""Construction of the boto3 IAM client."""

from __future__ import annotations

import boto3
from botocore.client import BaseClient
from botocore.config import Config


def build_iam_client(region_name: str | None = None, endpoint_url: str | None = None) -> BaseClient:
    """Return an IAM client with standard retries (IAM throttles) and bounded timeouts."""
    config = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=15)
    # endpoint_url=None lets boto3 resolve the endpoint itself, which honours AWS_ENDPOINT_URL(_IAM).
    return boto3.client("iam", region_name=region_name, endpoint_url=endpoint_url, config=config)
