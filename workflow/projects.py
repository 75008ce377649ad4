"""Several projects: which project's flows act (a request's own, a person's, the one named), loops over every
project that catch per project, and the views that span projects (status, list, the Home tab, the form).

Without a projects file there is one project and every route is that project's flows, exactly as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import messages as msg
from slack_gateway import SlackCallFailed

from .deps import Deps

if TYPE_CHECKING:
    from . import ProjectFlows

logger = logging.getLogger(__name__)

Routed = tuple["ProjectFlows | None", msg.Reply]


class Router:
    """Routes each action to one project's flows."""

    def __init__(self, deps: Deps, projects: dict[str, ProjectFlows]) -> None:
        self.d = deps
        self.projects = projects
        self.first = next(iter(projects.values()))
        self.several = len(projects) > 1
        self._failing: set[str] = set()  # projects whose last loop failed (reported once, until they recover)

    def _label(self, name: str) -> str:
        return msg.project_label(name, self.projects[name].d.settings.description)

    def _choices(self) -> str:
        return "\n".join(f"• {self._label(name)}" for name in self.projects)

    def named(self, project: str | None, *, verb: str) -> Routed:
        """The project named on the command line (optional when there is only one)."""
        if project is None and not self.several:
            return self.first, msg.text_reply("")
        if project is None:
            return None, msg.text_reply(
                f"This amplify-dev serves several projects; say which with `{msg.COMMAND} {verb} --project NAME`. "
                f"Projects:\n{self._choices()}"
            )
        if project not in self.projects:
            return None, msg.text_reply(
                f"I don't know the project `{msg.escape(project)}`; nothing was done. Projects:\n{self._choices()}"
            )
        return self.projects[project], msg.text_reply("")

    def of_request(self, request_id: str) -> Routed:
        """The flows of the project a request belongs to (its project's approvers decide it, nobody else)."""
        if not self.several and not self.d.settings.projects_file:
            return self.first, msg.text_reply("")
        request = self.d.store.get(request_id)
        if request is None:
            return self.first, msg.text_reply("")  # its flows answer "I don't know that request"
        if request.project not in self.projects:
            return None, msg.text_reply(
                f"That request is for the project `{msg.escape(request.project)}`, which this amplify-dev no longer "
                "serves; nothing was changed."
            )
        return self.projects[request.project], msg.text_reply("")

    def of_person(self, user_id: str, project: str | None, *, verb: str) -> Routed:
        """The project named, else the one project where `user_id` has an open request (asked when several)."""
        if project is not None or not self.several:
            return self.named(project, verb=verb)
        held = [r.project for r in self.d.store.open_requests_for(user_id) if r.project in self.projects]
        if len(held) > 1:
            return None, msg.text_reply(
                f"{msg.mention(user_id)} has access or a request in several projects ({', '.join(held)}); say which "
                f"with `{msg.COMMAND} {verb} --project NAME`."
            )
        return self.projects[held[0]] if held else self.first, msg.text_reply("")

    def each(self, what: str, work: Callable[[ProjectFlows], None]) -> None:
        """Run `work` for every project; with several, one project's failure is reported and the others go on."""
        if not self.several and not self.d.settings.projects_file:
            work(self.first)
            return
        for name, flows in self.projects.items():
            try:
                work(flows)
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

    def status(self, actor: str, project: str | None) -> msg.Reply:
        """`status`: the caller's request or access in the project named, else in every project they have one."""
        if project is not None or not self.several:
            flows, refusal = self.named(project, verb="status")
            return flows.overview.status(actor) if flows else refusal
        parts = []
        for name, flows in self.projects.items():
            if flows.d.store.open_request_for(actor, project=flows.d.scope) or flows.d.store.latest_for(
                actor, project=flows.d.scope
            ):
                parts.append((self._label(name), flows.overview.status(actor)))
        return msg.by_project(parts) if parts else self.first.overview.status(actor)

    def list_requests(self, actor: str, project: str | None) -> msg.Reply:
        """`list`: the project named (its leads only), else every project the caller leads."""
        if project is not None or not self.several:
            flows, refusal = self.named(project, verb="list")
            return flows.overview.list_requests(actor) if flows else refusal
        led = [(name, flows) for name, flows in self.projects.items() if flows.access.is_approver(actor)]
        if not led:
            return self.first.overview.list_requests(actor)  # the refusal
        return msg.by_project([(self._label(name), flows.overview.list_requests(actor)) for name, flows in led])

    def publish_home(self, user_id: str) -> None:
        """Publish the Home tab: one section per project (only the caller's own, and the queues they lead)."""
        if not self.several:
            self.first.overview.publish_home(user_id)
            return
        states = [(self._label(name), flows.overview.home_state(user_id)) for name, flows in self.projects.items()]
        try:
            self.d.slack.publish_home(user_id, msg.projects_home_view(states))
        except SlackCallFailed as e:
            logger.warning("views.publish failed for %s: %s", user_id, e.error)

    def request_form(self, private_metadata: dict[str, str]) -> Any:
        """The request form; with several projects it starts with a project select."""
        if not self.several:
            return self.first.requesting.request_form(private_metadata)
        settings = [flows.d.settings for flows in self.projects.values()]
        longest = 0 if any(not s.max_days for s in settings) else max(s.max_days for s in settings)
        return msg.request_modal(
            allow_console=any(s.allow_console for s in settings),
            private_metadata=private_metadata,
            default_days=min(self.d.settings.default_days, longest) if longest else self.d.settings.default_days,
            max_days=longest,
            projects=[(name, self._label(name)) for name in self.projects],
        )
