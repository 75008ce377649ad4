"""What a person asks for, routed: resolve the project once (and the request, read once), then call the flow.

Shared by the listeners that offer the same verb (a button in the channel, on the Home tab, the slash command).
Each imports its flow when it runs: on Lambda the listeners are registered (and the first ack sent) before the
workflow, IAM and the store are imported (bot.LazyRouter, tests/serverless/test_init_phase.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import messages as msg

if TYPE_CHECKING:
    from store import Request
    from workflow import Project, Router

RequestFlow = Callable[["Project", str, "Request"], msg.Reply | None]


def on_request(router: Router, flow: RequestFlow) -> Callable[[str, str], msg.Reply | None]:
    """A click's work: load the request it names (once) and hand it, with its project, to `flow`."""

    def run(actor: str, request_id: str) -> msg.Reply | None:
        routed = router.for_request(request_id)
        if isinstance(routed, msg.Reply):
            return routed
        project, request = routed
        return flow(project, actor, request)

    return run


def remove(router: Router, actor: str, target: str | None = None, project: str | None = None) -> msg.Reply:
    """`remove [--project NAME] [@user]`: revoke access or withdraw a pending request (the flow checks who may)."""
    target = target or actor
    routed = router.for_user(target, project, verb="remove")
    if isinstance(routed, msg.Reply):
        return routed
    found, request = routed
    from workflow import removal

    return removal.remove(found, actor, target, request)


def rotate(router: Router, actor: str, project: str | None = None) -> msg.Reply:
    """`rotate [--project NAME]`: a new key for the caller."""
    routed = router.for_user(actor, project, verb="rotate")
    if isinstance(routed, msg.Reply):
        return routed
    found, request = routed
    from workflow import rotation

    return rotation.rotate(found, actor, request)


def request_access(
    router: Router, actor: str, team_id: str, reason: str, *, console: bool, days: int | None, project: str | None
) -> msg.Reply:
    """File a request for `actor` in `project` and post it to that project's approvers' channel."""
    found = router.named(project, verb="request")
    if isinstance(found, msg.Reply):
        return found
    from workflow import requesting

    return requesting.request_access(found, actor, team_id, reason, console=console, days=days)


def break_glass(
    router: Router,
    actor: str,
    team_id: str,
    reason: str,
    *,
    hours: int | None,
    console: bool,
    project: str | None,
) -> msg.Reply:
    """`breakglass [--project NAME] <reason>`: access at once without approval (the flow checks who may)."""
    found = router.named(project, verb="breakglass")
    if isinstance(found, msg.Reply):
        return found
    from workflow import breakglass

    return breakglass.break_glass(found, actor, team_id, reason, hours=hours, console=console)


def acknowledge_breakglass(project: Project, actor: str, request: Request) -> msg.Reply | None:
    """A lead's Acknowledge on a break-glass post."""
    from workflow import breakglass

    return breakglass.acknowledge(project, actor, request)


def access_review(router: Router, actor: str, project: str | None = None) -> msg.Reply:
    """`review`: the access review of one project, for its approvers."""
    found = router.named(project, verb="review")
    if isinstance(found, msg.Reply):
        return found
    from workflow import review

    return review.review(found, actor)


def approve(project: Project, actor: str, request: Request) -> msg.Reply | None:
    """An Approve click (the quorum, then provisioning)."""
    from workflow import deciding

    return deciding.decided_reply(project, deciding.approve(project, actor, request))


def deny(project: Project, actor: str, request: Request) -> msg.Reply | None:
    """A Deny click."""
    from workflow import deciding

    return deciding.decided_reply(project, deciding.deny(project, actor, request))


def show_credentials(project: Project, actor: str, request: Request) -> msg.Reply | None:
    """A Show credentials click: mint and deliver once, to the requester only."""
    from workflow import credentials

    return credentials.show_credentials(project, actor, request)


def request_extension(project: Project, actor: str, request: Request) -> msg.Reply | None:
    """An Extend click."""
    from workflow import extensions

    return extensions.request_extension(project, actor, request)


def approve_extension(project: Project, actor: str, request: Request) -> msg.Reply | None:
    """A lead approves an extension."""
    from workflow import extensions

    return extensions.decide_extension(project, actor, request, approve=True)


def deny_extension(project: Project, actor: str, request: Request) -> msg.Reply | None:
    """A lead denies an extension."""
    from workflow import extensions

    return extensions.decide_extension(project, actor, request, approve=False)
