"""The AWS clients and the store the bot is built from, made once from the settings (bot.py wires them)."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from settings import Settings

if TYPE_CHECKING:  # the Lambda path imports this module before the store and the workflow are needed
    from audit import AuditLog
    from store import RequestStore
    from workflow import Router

logger = logging.getLogger("amplify-dev")

DEFAULT_REGION = "us-east-1"

# Standard retries (throttling, transient errors) and bounded timeouts, per service. The self-invocation's Invoke
# retries less: Slack's 3 seconds include it.
CLIENT_CONFIG: dict[str, dict[str, Any]] = {
    "iam": {"retries": {"mode": "standard", "max_attempts": 5}, "connect_timeout": 5, "read_timeout": 15},
    "dynamodb": {"retries": {"mode": "standard"}, "connect_timeout": 5, "read_timeout": 10},
    "secretsmanager": {"retries": {"mode": "standard"}, "connect_timeout": 5, "read_timeout": 10},
    "cloudformation": {"retries": {"mode": "standard", "max_attempts": 5}, "connect_timeout": 5, "read_timeout": 15},
    "lambda": {"retries": {"mode": "standard", "max_attempts": 2}, "connect_timeout": 2, "read_timeout": 5},
}


class AwsClients:
    """The bot's boto3 clients, each made once and on first use, all from one session.

    One session means one botocore loader, which caches the service models and endpoint rules a client is made
    from; a client made on first use costs nothing to an ack that never needs it. boto3 clients are thread-safe,
    making them is not: the lock covers that.
    """

    def __init__(self, region: str | None = None) -> None:
        self._region = region
        self._session: Any = None
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def session(self) -> Any:
        """The one boto3 session (made on first use)."""
        if self._session is None:
            import boto3

            self._session = boto3.session.Session(region_name=self._region)
        return self._session

    @property
    def region(self) -> str:
        """The session's region (Lambda sets AWS_REGION), else DEFAULT_REGION."""
        return self.session.region_name or os.environ.get("AWS_REGION") or DEFAULT_REGION

    def client(self, service: str) -> Any:
        """The client for `service`, made on the first call."""
        with self._lock:
            if service not in self._clients:
                from botocore.config import Config

                config = Config(**CLIENT_CONFIG.get(service, {"retries": {"mode": "standard"}}))
                self._clients[service] = self.session.client(service, region_name=self.region, config=config)
            return self._clients[service]

    def lazy(self, service: str) -> Any:
        """A stand-in that makes the client on its first use (for what is wired now but used later, if ever)."""
        return LazyClient(lambda: self.client(service))

    def made(self) -> list[str]:
        """The services whose clients exist so far."""
        return sorted(self._clients)

    def close_connections(self) -> None:
        """Close every client's pooled HTTP connections; the next call opens new ones (after a SnapStart restore,
        a socket from the snapshot is another copy's, or dead)."""
        for client in list(self._clients.values()):
            client._endpoint.http_session.close()


class LazyClient:
    """A boto3 client made on first attribute access."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._client: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._client is None:
            self._client = self._make()
        return getattr(self._client, name)


def aws_region() -> str:
    """The region boto3's own configuration chain resolves (env, ~/.aws/config), for the credentials message."""
    import boto3

    # boto3 reads AWS_DEFAULT_REGION and ~/.aws/config; AWS_REGION is what most AWS tools document.
    region = boto3.session.Session().region_name or os.environ.get("AWS_REGION")
    if not region:
        logger.warning("no AWS region configured (AWS_REGION or ~/.aws/config); telling developers %s", DEFAULT_REGION)
    return region or DEFAULT_REGION


def build_project_clients(
    projects: dict[str, Settings], region: str, sessions: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One IAM client per project that has its own account role or region, each on a session built once
    (assumed-role credentials refresh themselves before they expire); the others use the bot's own client.
    `sessions` (filled here) lets the project's other clients share that session (build_sandbox_clients)."""
    import iam

    sessions = {} if sessions is None else sessions
    clients = {}
    for name, project in projects.items():
        if project.account_role_arn or project.region:
            project_region = project.region or region
            session = iam.project_session(project.account_role_arn, project_region, external_id=project.external_id)
            sessions[name] = session
            clients[name] = iam.iam_client_from(session, project_region)
    return clients


def build_sandbox_clients(
    projects: dict[str, Settings], region: str, sessions: dict[str, Any], own: Callable[[], Any]
) -> tuple[Any, dict[str, Any]]:
    """The CloudFormation clients of the sandbox report (AMPLIFY_DEV_SANDBOX_REPORT): one per project that has it on
    and its own account role or region (on that project's session, as its IAM client), and `own()`'s for the bot's
    own account. Each is made on first use, so the report costs nothing until a removal or a review asks."""
    from amplify_sandboxes import cloudformation_client_from

    on = {name: p for name, p in projects.items() if p.sandbox_report}
    per_project = {
        name: LazyClient(lambda s=sessions[name], r=(p.region or region): cloudformation_client_from(s, r))
        for name, p in on.items()
        if name in sessions
    }
    own_client = LazyClient(own) if any(name not in sessions for name in on) else None
    return own_client, per_project


def build_signin_clients(
    projects: dict[str, Settings],
    region: str,
    sessions: dict[str, Any] | None = None,
    *,
    sandbox: bool = False,
    session: Any = None,
) -> tuple[Any, dict[str, Any]]:
    """The AWS Sign-In clients (to end developers' `aws login` sessions): the bot's own, and one per sign-in project
    in its own account or region; (None, {}) when no project signs in. With sandbox=True the Sign-In calls go to a
    local fake (playground.signin_api), as moto has no Sign-In service. `sessions`: the projects' sessions
    build_project_clients made (shared, so an account role is assumed once per project)."""
    if not any(p.signs_in for p in projects.values()):
        return None, {}
    import iam

    if sandbox:
        from ops.sandbox import SANDBOX_ACCOUNT_ID
        from playground.signin_api import serve_for

        if not iam.signin_endpoint_override():
            serve_for(os.environ, account_id=SANDBOX_ACCOUNT_ID, region=region)
        return iam.signin_client_from(session, region), {}
    own = iam.signin_client_from(session, region)
    clients = {}
    for name, project in projects.items():
        if project.signs_in and (project.account_role_arn or project.region):
            project_region = project.region or region
            assumed = (sessions or {}).get(name) or iam.project_session(
                project.account_role_arn, project_region, external_id=project.external_id
            )
            clients[name] = iam.signin_client_from(assumed, project_region)
    return own, clients


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


def build_store(settings: Settings, region: str, *, aws: AwsClients | None = None) -> tuple[RequestStore, AuditLog]:
    """The request store and audit log: in AMPLIFY_DEV_DYNAMODB_TABLE when set, else in the SQLite file."""
    if settings.dynamodb_table:
        from ops.aws import build_dynamodb_client
        from store.dynamodb import DynamoRequestStore
        from store.dynamodb_audit import DynamoAuditLog

        # One client, shared by both (boto3 clients are thread-safe).
        dynamodb = aws.client("dynamodb") if aws else build_dynamodb_client(region)
        return (
            DynamoRequestStore(settings.dynamodb_table, dynamodb, retention_days=settings.retention_days),
            DynamoAuditLog(settings.dynamodb_table, dynamodb, retention_days=settings.retention_days),
        )
    from audit import SqliteAuditLog
    from store import SqliteRequestStore

    return SqliteRequestStore(settings.db_path), SqliteAuditLog(settings.db_path)
