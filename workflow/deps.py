"""What every flow talks to, built once in bot.py (or by a test) and passed in."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from audit import AuditLog
from settings import Settings
from slack_gateway import SlackGateway
from store import RequestStore


def utcnow() -> datetime:
    """The real clock (tests pass a fake one they advance)."""
    return datetime.now(UTC)


def new_request_id() -> str:
    """An opaque, unguessable request id (the only thing a button carries)."""
    return "r" + secrets.token_hex(8)


@dataclass(frozen=True)
class Deps:
    """What the workflow talks to; built once in bot.py (or by a test) and passed in."""

    settings: Settings
    store: RequestStore
    iam: Any  # a boto3 IAM client
    slack: SlackGateway
    region: str
    clock: Callable[[], datetime] = utcnow
    audit: AuditLog | None = None
    # The clients a grant kind needs beyond IAM: Identity Center's sso-admin and identitystore (workflow/grants/).
    grant_clients: Any = None
    # Several projects (AMPLIFY_DEV_PROJECTS_FILE): each one's Settings and IAM client (in its own account).
    # Empty: one project, `settings` with `iam`.
    projects: Mapping[str, Settings] = field(default_factory=dict)
    project_iam: Mapping[str, Any] = field(default_factory=dict)
    # AMPLIFY_DEV_SANDBOX_REPORT: the CloudFormation client each project lists Amplify sandboxes with (in its own
    # account, through its account role, like its IAM client); `cloudformation` for the bot's own account.
    cloudformation: Any = None
    project_cloudformation: Mapping[str, Any] = field(default_factory=dict)
    # AMPLIFY_DEV_CREDENTIALS=sign-in: the AWS Sign-In client (iam.signin_client_from) that lists and revokes the
    # developers' `aws login` sessions, and each project's own (in its account); None where no project signs in.
    signin: Any = None
    project_signin: Mapping[str, Any] = field(default_factory=dict)

    @property
    def project_names(self) -> list[str]:
        """Every project this bot serves, in the projects file's order."""
        return list(self.projects) or [self.settings.project]

    def for_project(self, name: str) -> Deps:
        """The same Deps as seen by one project: its Settings, its IAM client and region, its requests only."""
        if not self.projects or not self.projects[name].projects_file:
            return self  # one project without a projects file: everything as it always was
        settings = self.projects[name]
        return replace(
            self,
            settings=settings,
            iam=self.project_iam.get(name, self.iam),
            # A project in another account never falls back to the bot's own account: no client, no listing.
            cloudformation=self.project_cloudformation.get(
                name, None if settings.account_role_arn else self.cloudformation
            ),
            signin=self.project_signin.get(name, None if settings.account_role_arn else self.signin),
            region=settings.region or self.region,
        )

    @property
    def scope(self) -> str | None:
        """The project whose requests this Deps reads (every query names it); None: one project, every request."""
        return self.settings.project if self.settings.projects_file else None
