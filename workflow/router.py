"""The one entry from the handlers and the clock: which project acts (a request's own, a person's, the one named),
the loops over every project (the sweep, the drift check, start-up recovery, off-boarding), and the views that span
projects (status, list, the Home tab, the request form).

A handler resolves the project once (`for_request`, `for_user`, `named`) and calls a flow function with the
request already loaded. One project is the case of one: the same code, with one entry in `projects`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import messages as msg
from slack_gateway import SlackCallFailed
from store import Request

from . import overview, recovery, removal, requesting, upkeep
from .access import UNKNOWN_REQUEST
from .deps import Deps
from .project import Project, build_projects

logger = logging.getLogger(__name__)


class Router:
    """Every project this bot serves, built once, and how an action finds its own."""

    def __init__(self, deps: Deps) -> None:
        self.d = deps
        self.store = deps.store
        self.projects: dict[str, Project] = build_projects(deps)
        self.first = next(iter(self.projects.values()))
        self._failing: set[str] = set()  # projects whose last loop failed (reported once, until they recover)

    def _label(self, name: str) -> str:
        return msg.project_label(name, self.projects[name].settings.description)

    def _choices(self) -> str:
        return "\n".join(f"• {self._label(name)}" for name in self.projects)

    # --- finding the project ---------------------------------------------------------------------------

    def named(self, project: str | None, *, verb: str) -> Project | msg.Reply:
        """The project named on the command line (optional when there is only one), or why not."""
        if project is None and len(self.projects) == 1:
            return self.first
        if project is None:
            return msg.text_reply(
                f"This amplify-dev serves several projects; say which with `{msg.COMMAND} {verb} --project NAME`. "
                f"Projects:\n{self._choices()}"
            )
        if project not in self.projects:
            return msg.text_reply(
                f"I don't know the project `{msg.escape(project)}`; nothing was done. Projects:\n{self._choices()}"
            )
        return self.projects[project]

    def for_request(self, request_id: str) -> tuple[Project, Request] | msg.Reply:
        """The request (read once, here) and its project, whose approvers decide it; or what to answer instead."""
        request = self.store.get(request_id)
        if request is None:
            return msg.text_reply(UNKNOWN_REQUEST)
        if not self.d.settings.projects_file:
            return self.first, request
        if request.project not in self.projects:
            return msg.text_reply(
                f"That request is for the project `{msg.escape(request.project)}`, which this amplify-dev no longer "
                "serves; nothing was changed."
            )
        return self.projects[request.project], request

    def for_user(self, user_id: str, project: str | None, *, verb: str) -> tuple[Project, Request | None] | msg.Reply:
        """The project named, else the one where `user_id` has an open request (asked when several), with that
        request (None: nothing open there)."""
        if project is not None or len(self.projects) == 1:
            named = self.named(project, verb=verb)
            if isinstance(named, msg.Reply):
                return named
            return named, self.store.open_request_for(user_id, project=named.scope)
        held = [r for r in self.store.open_requests_for(user_id) if r.project in self.projects]
        if len(held) > 1:
            return msg.text_reply(
                f"{msg.mention(user_id)} has access or a request in several projects "
                f"({', '.join(r.project for r in held)}); say which with `{msg.COMMAND} {verb} --project NAME`."
            )
        if held:
            return self.projects[held[0].project], held[0]
        return self.first, None

    # --- every project ---------------------------------------------------------------------------------

    def each(self, what: str, work: Callable[[Project], None]) -> None:
        """Run `work` for every project; with a projects file, one project's failure is reported and the others go
        on (without one, a failure is the caller's, as it always was)."""
        if not self.d.settings.projects_file:
            work(self.first)
            return
        for name, project in self.projects.items():
            try:
                work(project)
            except Exception as e:
                logger.exception("project %s: %s failed", name, what)
                self.report_unreachable(name, f"{what} failed ({type(e).__name__})")
            else:
                self._failing.discard(name)

    def report_unreachable(self, name: str, why: str) -> None:
        """Tell a project's channel (once until it recovers) that the bot cannot do its work there."""
        logger.error("project %s: %s", name, why)
        if name in self._failing:
            return
        self._failing.add(name)
        self.projects[name].notify.channel_notice(
            f":warning: amplify-dev cannot work on the project `{name}` right now: {why}. Check the project's "
            "account role (`python bot.py check`); the other projects go on."
        )

    def sweep(self, *, reconcile: bool = False) -> None:
        """Periodic upkeep (and the drift check when `reconcile`), project by project (workflow/upkeep.py)."""
        self.each("the sweep", lambda p: upkeep.sweep(p, reconcile=reconcile))

    def reconcile(self) -> list[str]:
        """The drift check between AWS and the store, project by project; what it found."""
        findings: list[str] = []
        self.each("the drift check", lambda p: findings.extend(upkeep.drift_check(p)))
        return findings

    def recover(self) -> int:
        """Start-up recovery, project by project; how many requests needed attention."""
        touched = [0]

        def recover(p: Project) -> None:
            touched[0] += recovery.recover(p)

        self.each("start-up recovery", recover)
        return touched[0]

    def offboard(self, user_id: str) -> None:
        """Slack says the user was deactivated: every project revokes what the user holds."""
        self.each("off-boarding", lambda p: removal.offboard(p, user_id))

    # --- views across projects -------------------------------------------------------------------------

    def status(self, actor: str, project: str | None = None) -> msg.Reply:
        """`status`: the caller's request or access in the project named, else in every project they have one."""
        if project is not None or len(self.projects) == 1:
            named = self.named(project, verb="status")
            return named if isinstance(named, msg.Reply) else overview.status(named, actor)
        parts = []
        for name, p in self.projects.items():
            if p.store.open_request_for(actor, project=p.scope) or p.store.latest_for(actor, project=p.scope):
                parts.append((self._label(name), overview.status(p, actor)))
        return msg.by_project(parts) if parts else overview.status(self.first, actor)

    def list_requests(self, actor: str, project: str | None = None) -> msg.Reply:
        """`list`: the project named (its leads only), else every project the caller leads."""
        if project is not None or len(self.projects) == 1:
            named = self.named(project, verb="list")
            return named if isinstance(named, msg.Reply) else overview.list_requests(named, actor)
        led = [(name, p) for name, p in self.projects.items() if p.approvers.includes(actor)]
        if not led:
            return overview.list_requests(self.first, actor)  # the refusal
        return msg.by_project([(self._label(name), overview.list_requests(p, actor)) for name, p in led])

    def publish_home(self, user_id: str) -> None:
        """Publish the Home tab: one section per project (only the caller's own, and the queues they lead)."""
        if len(self.projects) == 1:
            overview.publish_home(self.first, user_id)
            return
        states = [(self._label(name), overview.home_state(p, user_id)) for name, p in self.projects.items()]
        try:
            self.d.slack.publish_home(user_id, msg.projects_home_view(states))
        except SlackCallFailed as e:
            logger.warning("views.publish failed for %s: %s", user_id, e.error)

    def request_form(self, private_metadata: dict[str, str]) -> Any:
        """The request form; with several projects it starts with a project select."""
        if len(self.projects) == 1:
            return requesting.request_form(self.first, private_metadata)
        settings = [p.settings for p in self.projects.values()]
        longest = 0 if any(not s.max_days for s in settings) else max(s.max_days for s in settings)
        return msg.request_modal(
            allow_console=any(p.settings.allow_console and not p.granted().sign_in for p in self.projects.values()),
            private_metadata=private_metadata,
            default_days=min(self.d.settings.default_days, longest) if longest else self.d.settings.default_days,
            max_days=longest,
            projects=[(name, self._label(name)) for name in self.projects],
        )

    def open_request_form(self, trigger_id: str, view: Any, actor: str | None = None) -> msg.Reply | None:
        """Open the request modal, or say how to ask without it (or why `actor` may not ask)."""
        return requesting.open_request_form(self.first, trigger_id, view, actor)

    def forget_approver_groups(self) -> None:
        """A Slack user group changed: read approver groups afresh on the next decision."""
        self.d.slack.forget_usergroups()

    def tell(self, user_id: str, reply: msg.Reply) -> None:
        """Send a reply by DM when there is no response_url to answer through."""
        self.first.notify.tell(user_id, reply)
