"""One boto3 session per project, built once: the bot's own credentials, or a role in the project's account
assumed through STS with botocore's refreshable credentials (renewed before they expire, on the next call)."""

from __future__ import annotations

import logging
from typing import Any

import boto3
import botocore.session
from botocore.client import BaseClient
from botocore.config import Config
from botocore.credentials import AssumeRoleCredentialFetcher, DeferredRefreshableCredentials
from botocore.exceptions import NoCredentialsError

logger = logging.getLogger(__name__)

SESSION_NAME = "amplify-dev"


def assumed_role_session(
    role_arn: str,
    region: str,
    *,
    source: boto3.Session | None = None,
    session_name: str = SESSION_NAME,
    external_id: str | None = None,
) -> boto3.Session:
    """A session whose credentials come from AssumeRole on `role_arn` (with `external_id`, which the role's trust
    policy requires), fetched on first use and refreshed by botocore itself before they expire (its advisory and
    mandatory refresh windows), never by a timer of ours."""
    source = source or boto3.Session()
    source_credentials = source.get_credentials()
    extra_args = {"RoleSessionName": session_name, **({"ExternalId": external_id} if external_id else {})}
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=source._session.create_client,
        source_credentials=source_credentials,
        role_arn=role_arn,
        extra_args=extra_args,
    )

    def fetch() -> dict[str, Any]:
        # Without base credentials botocore's fetcher fails with an AttributeError on None; NoCredentialsError
        # is what every caller already catches (the project is reported unreachable, the others go on).
        if source_credentials is None:
            raise NoCredentialsError()
        return fetcher.fetch_credentials()

    credentials = DeferredRefreshableCredentials(method="assume-role", refresh_using=fetch)
    core = botocore.session.Session()
    core._credentials = credentials
    return boto3.Session(botocore_session=core, region_name=region)


def project_session(
    role_arn: str | None, region: str, *, source: boto3.Session | None = None, external_id: str | None = None
) -> boto3.Session:
    """The session for one project: assumed-role (with its external id) when it names a role, else the bot's own."""
    if role_arn:
        return assumed_role_session(role_arn, region, source=source, external_id=external_id)
    return source or boto3.Session(region_name=region)


def iam_client_from(session: boto3.Session, region: str, endpoint_url: str | None = None) -> BaseClient:
    """An IAM client on `session`, configured like build_iam_client (standard retries, bounded timeouts)."""
    config = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=15)
    return session.client("iam", region_name=region, endpoint_url=endpoint_url, config=config)


def caller_account(session: boto3.Session, region: str) -> str:
    """The account a session acts in (for a role: assumes it now, so a role that cannot be assumed fails here)."""
    sts: Any = session.client("sts", region_name=region)
    return str(sts.get_caller_identity()["Account"])
