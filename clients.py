"""The AWS clients and the store the bot is built from, made once from the settings (bot.py wires them)."""

from __future__ import annotations

import logging
import os
from typing import Any

from audit import AuditLog, SqliteAuditLog
from settings import Settings
from store import RequestStore, SqliteRequestStore
from workflow import Router

logger = logging.getLogger("amplify-dev")

DEFAULT_REGION = "us-east-1"


def aws_region() -> str:
    """The region boto3's own configuration chain resolves (env, ~/.aws/config), for the credentials message."""
    import boto3

    # boto3 reads AWS_DEFAULT_REGION and ~/.aws/config; AWS_REGION is what most AWS tools document.
    region = boto3.session.Session().region_name or os.environ.get("AWS_REGION")
    if not region:
        logger.warning("no AWS region configured (AWS_REGION or ~/.aws/config); telling developers %s", DEFAULT_REGION)
    return region or DEFAULT_REGION


def build_project_clients(projects: dict[str, Settings], region: str) -> dict[str, Any]:
    """One IAM client per project that has its own account role or region, each on a session built once
    (assumed-role credentials refresh themselves before they expire); the others use the bot's own client."""
    import iam

    clients = {}
    for name, project in projects.items():
        if project.account_role_arn or project.region:
            project_region = project.region or region
            session = iam.project_session(project.account_role_arn, project_region, external_id=project.external_id)
            clients[name] = iam.iam_client_from(session, project_region)
    return clients


def report_unreachable_projects(router: Router, projects: dict[str, Settings], region: str) -> None:
    """At start: a project whose role cannot be assumed is reported (log and its channel); the others go on."""
    from botocore.exceptions import BotoCoreError, ClientError

    import iam

    for name, project in projects.items():
        if not project.account_role_arn:
            continue
        session = iam.project_session(
            project.account_role_arn, project.region or region, external_id=project.external_id
        )
        try:
            iam.caller_account(session, project.region or region)
        except (BotoCoreError, ClientError) as e:
            code = e.response.get("Error", {}).get("Code") if isinstance(e, ClientError) else type(e).__name__
            router.report_unreachable(name, f"its account role cannot be assumed ({code})")


def build_identity_center(settings: Settings, region: str, *, sandbox: bool = False) -> tuple[Any, Settings]:
    """The sso-admin and identitystore clients (on moto with sandbox=True), and the settings they imply."""
    from dataclasses import replace

    config = settings.identity_center
    assert config is not None
    if sandbox:
        from ops.sandbox_identity_center import start_sandbox_identity_center

        clients, config = start_sandbox_identity_center(config.sso_region or region, config)
        return clients, replace(settings, identity_center=config)
    from identity_center import build_identity_center_clients
    from ops.aws import build_sts_client

    # AMPLIFY_DEV_ACCOUNT_ID's default: the account of the bot's own credentials.
    account = config.account_id or str(build_sts_client(region).get_caller_identity()["Account"])
    return build_identity_center_clients(config.sso_region or region, account), settings


def build_store(settings: Settings, region: str) -> tuple[RequestStore, AuditLog]:
    """The request store and audit log: in AMPLIFY_DEV_DYNAMODB_TABLE when set, else in the SQLite file."""
    if settings.dynamodb_table:
        from ops.aws import build_dynamodb_client
        from store.dynamodb import DynamoRequestStore
        from store.dynamodb_audit import DynamoAuditLog

        dynamodb = build_dynamodb_client(region)  # one client, shared by both (boto3 clients are thread-safe)
        return (
            DynamoRequestStore(settings.dynamodb_table, dynamodb, retention_days=settings.retention_days),
            DynamoAuditLog(settings.dynamodb_table, dynamodb, retention_days=settings.retention_days),
        )
    return SqliteRequestStore(settings.db_path), SqliteAuditLog(settings.db_path)
