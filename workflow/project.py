"""One project's context, built once (one project is the case of one): its settings, its requests in the store, what
a grant is at AWS, who approves, the one thing that tells people and the one thing that records state changes.

Flows are plain functions of a `Project` and the request already loaded (deciding.approve(project, actor, request)):
nothing is wired between flows, and nothing is patched after construction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import messages as msg
from settings import Settings
from slack_gateway import SlackGateway
from store import DEFAULT_PROJECT, RequestStore

from .access import Approvers
from .deps import Deps
from .grants import GrantKind, grant_kind_for
from .ledger import Ledger
from .notifier import Notifier, audit_channel_poster
from .sandboxes import SandboxReport

logger = logging.getLogger(__name__)


@dataclass
class Project:
    """Everything a flow needs for one project (see the module docstring)."""

    name: str
    settings: Settings
    store: RequestStore  # shared by every project; each query names `scope`
    scope: str | None  # the project every query names; None: the one project without a projects file
    label: str  # the project as the leads' messages name it; empty without a projects file
    slack: SlackGateway
    region: str
    clock: Callable[[], datetime]
    grants: GrantKind
    approvers: Approvers
    notify: Notifier
    ledger: Ledger
    sandboxes: SandboxReport = field(default_factory=lambda: SandboxReport(False, None))
    reported: set[str] = field(default_factory=set)  # drift findings this process already posted

    @property
    def filed_project(self) -> str:
        """The project a new request is filed under."""
        return self.scope or DEFAULT_PROJECT

    def granted(self) -> msg.Granted:
        """What a grant is in this project, as the message builders word it, with what approving grants."""
        return msg.described(self.grants.granted(), self.settings)


def build_project(deps: Deps) -> Project:
    """The context of the project `deps` is for (Deps.for_project)."""
    settings = deps.settings
    ledger = Ledger(
        deps.store, deps.clock, audit=deps.audit, announce=audit_channel_poster(deps.slack, settings.audit_channel)
    )
    grants = grant_kind_for(deps, ledger)
    label = msg.project_label(settings.project, settings.description) if settings.projects_file else ""
    return Project(
        name=settings.project,
        settings=settings,
        store=deps.store,
        scope=settings.project if settings.projects_file else None,
        label=label,
        slack=deps.slack,
        region=deps.region,
        clock=deps.clock,
        grants=grants,
        approvers=Approvers(settings, deps.slack),
        notify=Notifier(settings, deps.slack, label=label, granted=lambda: msg.described(grants.granted(), settings)),
        ledger=ledger,
        sandboxes=SandboxReport(settings.sandbox_report, deps.cloudformation),
    )


def build_projects(deps: Deps) -> dict[str, Project]:
    """Every project this bot serves, in the projects file's order."""
    return {name: build_project(deps.for_project(name)) for name in deps.project_names}
