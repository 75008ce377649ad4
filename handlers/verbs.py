"""What a person asks for, routed: resolve the project once (and the request, read once), then call the flow.

Shared by the listeners that offer the same verb (a button in the channel, on the Home tab, the slash command).
"""

from __future__ import annotations

from collections.abc import Callable

import messages as msg
from store import Request
from workflow import Project, Router, removal, requesting, review, rotation

RequestFlow = Callable[[Project, str, Request], msg.Reply | None]


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
    return removal.remove(found, actor, target, request)


def rotate(router: Router, actor: str, project: str | None = None) -> msg.Reply:
    """`rotate [--project NAME]`: a new key for the caller."""
    routed = router.for_user(actor, project, verb="rotate")
    if isinstance(routed, msg.Reply):
        return routed
    found, request = routed
    return rotation.rotate(found, actor, request)


def request_access(
    router: Router, actor: str, team_id: str, reason: str, *, console: bool, days: int | None, project: str | None
) -> msg.Reply:
    """File a request for `actor` in `project` and post it to that project's approvers' channel."""
    found = router.named(project, verb="request")
    if isinstance(found, msg.Reply):
        return found
    return requesting.request_access(found, actor, team_id, reason, console=console, days=days)


def access_review(router: Router, actor: str, project: str | None = None) -> msg.Reply:
    """`review`: the access review of one project, for its approvers."""
    found = router.named(project, verb="review")
    return found if isinstance(found, msg.Reply) else review.review(found, actor)
