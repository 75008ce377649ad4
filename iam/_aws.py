"""Small helpers shared by the IAM modules."""

from __future__ import annotations

from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import BotoCoreError, ClientError

# What a failed AWS call raises: an answer from AWS, or a transport error on the way.
AWS_ERRORS = (ClientError, BotoCoreError)


def collect(iam: BaseClient, operation: str, result_key: str, **params: Any) -> list[Any]:
    """Return every item of a paginated IAM list call."""
    # Everything is read before anything is deleted: deleting while paging with markers can skip items.
    return [item for page in iam.get_paginator(operation).paginate(**params) for item in page[result_key]]


def collect_service_specific_credentials(iam: BaseClient, user_name: str) -> list[dict[str, Any]]:
    """Return every service-specific credential of a user (botocore has no paginator for this call)."""
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"UserName": user_name}
    while True:
        page = iam.list_service_specific_credentials(**params)
        items.extend(page.get("ServiceSpecificCredentials", []))
        if not page.get("IsTruncated") or not page.get("Marker"):
            return items
        params["Marker"] = page["Marker"]
