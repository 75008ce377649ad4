"""`python bot.py check` as a whole: build the real clients, run every check in order, print, exit code."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from botocore.client import BaseClient
from slack_sdk import WebClient

from ops.check.aws import check_aws
from ops.check.oncall import check_oncall
from ops.check.reminders import check_reminders
from ops.check.results import CheckResult, exit_code, write_report
from ops.check.risks import check_risks
from ops.check.signin import check_credentials_kind
from ops.check.slack import MANIFEST_PATH, check_slack
from ops.check.trust import check_role_trust
from settings import Settings
from slack_gateway import build_web_client

# slack_sdk logs every failed attempt at ERROR, botocore a failed credential refresh with its traceback.
LIBRARY_LOGGERS = ("slack_sdk", "botocore", "urllib3")


@contextmanager
def libraries_silenced() -> Iterator[None]:
    """While the check runs, the libraries' own error lines stay out: each failure is a line of the report."""
    loggers = [logging.getLogger(name) for name in LIBRARY_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def run_check(settings: Settings, out: TextIO, *, projects: dict[str, Settings] | None = None) -> int:
    """Check Slack and AWS with real clients, print the checklist to `out`; 1 if anything failed, else 0.

    With a projects file, every project is checked in its own account, one section each.
    """
    with libraries_silenced():
        return _run_check(settings, out, projects=projects)


def _run_check(settings: Settings, out: TextIO, *, projects: dict[str, Settings] | None) -> int:
    import iam
    from ops.aws import build_sts_client, default_region

    region = default_region()
    identity_center = None
    if settings.identity_center is not None:
        from identity_center import build_identity_center_clients

        identity_center = build_identity_center_clients(settings.identity_center.sso_region or region)
    slack = build_web_client(settings.slack_bot_token, settings.slack_api_url)
    if not (projects and settings.projects_file):
        results = check_all(
            settings,
            slack=slack,
            iam_client=iam.build_iam_client(region),
            sts=build_sts_client(region),
            identity_center=identity_center,
            cloudformation=_cloudformation(settings, None, settings.region or region),
        )
        write_report(results, out)
        return exit_code(results)
    worst = 0
    own_sts = build_sts_client(region)
    for name, project in projects.items():
        project_region = project.region or region
        session = iam.project_session(project.account_role_arn, project_region, external_id=project.external_id)
        out.write(f"\n== project {name}{f' ({project.description})' if project.description else ''} ==\n")
        results = check_role_trust(name, project, own_sts) + check_all(
            project,
            slack=slack,
            iam_client=iam.iam_client_from(session, project_region),
            sts=session.client("sts", region_name=project_region),
            identity_center=identity_center,
            cloudformation=_cloudformation(project, session, project_region),
        )
        write_report(results, out)
        worst = max(worst, exit_code(results))
    return worst


def check_all(
    settings: Settings,
    *,
    slack: WebClient,
    iam_client: BaseClient,
    sts: BaseClient,
    manifest_path: Path = MANIFEST_PATH,
    identity_center: Any = None,
    cloudformation: Any = None,
) -> list[CheckResult]:
    """Every check, in the order printed: Slack, AWS, the risky settings, then break-glass and the sandbox report."""
    if settings.identity_center is not None:  # nothing of the IAM-user mode applies
        from ops.check.identity_center import check_identity_center

        return [
            *check_slack(settings, slack, manifest_path=manifest_path),
            *check_identity_center(settings, identity_center, sts),
            *check_reminders(settings),
            *check_oncall(settings, cloudformation),
        ]
    return [
        *check_slack(settings, slack, manifest_path=manifest_path),
        *check_aws(settings, iam_client, sts),
        *check_risks(settings),
        *check_credentials_kind(settings),
        *check_reminders(settings),
        *check_oncall(settings, cloudformation),
    ]


def _cloudformation(settings: Settings, session: Any, region: str) -> Any:
    """The client the sandbox report would use, only when it is on."""
    if not settings.sandbox_report:
        return None
    import boto3

    from amplify_sandboxes import cloudformation_client_from

    return cloudformation_client_from(session or boto3.Session(region_name=region), region)
