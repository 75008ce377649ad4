"""Break-glass: `/amplify-dev breakglass <reason>` takes access at once without approval, and a lead's Acknowledge.

Who may is decided on the server (authz/breakglass.py) from the project's settings and the signed payload's user id.
The request is filed already APPROVED by the person themselves, with its end fixed now (at most
AMPLIFY_DEV_BREAKGLASS_HOURS), and its audit event `breakglass` in the same write; the store's one open request per
person and project makes a double submission or a Slack retry file nothing more. It is then provisioned as every
approved request is (deciding.provision, through the grant kind: the same credentials and the same expiry AWS
enforces), announced loudly (breakglass_notice.py) and the person gets the usual DM. Start-up recovery and the
sweep finish one that was cut short the same way.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import messages as msg
from authz import Requester, may_request
from authz.breakglass import BreakGlassAsk, breakglass_hours, may_acknowledge, may_break_glass
from messages import breakglass as words
from slack_gateway import SlackCallFailed
from store import Fields, OpenRequestExists, Request, State

from . import breakglass_notice, deciding
from .access import already_handled
from .deps import new_request_id
from .grants import RequesterRefused
from .outcomes import Decided, Verdict
from .project import Project

logger = logging.getLogger(__name__)


def _in_listed_group(p: Project, actor: str) -> bool:
    for group in sorted(p.settings.breakglass_group_ids):
        try:
            if actor in p.slack.usergroup_members(group):
                return True
        except SlackCallFailed as e:  # fail closed: an unresolvable group lets nobody break the glass
            logger.warning("cannot resolve break-glass group %s: %s", group, e.error)
    return False


def decide(p: Project, actor: str, reason: str, hours: int | None = None) -> BreakGlassAsk | msg.Reply:
    """The ask, if `actor` may break the glass in this project now; else the refusal (audited)."""
    settings = p.settings
    listed = actor in settings.breakglass_user_ids
    in_group = settings.breakglass_hours is not None and not listed and _in_listed_group(p, actor)
    ask = BreakGlassAsk(actor, reason, hours, listed_by_id=listed, in_listed_group=in_group)
    decision = may_break_glass(ask, max_hours=settings.breakglass_hours)
    if not decision.allowed:
        logger.info("break-glass by %s refused (%s)", actor, decision.code)
        p.ledger.refusal(actor, decision.code, "breakglass")
        return msg.text_reply(decision.reason)
    return ask


def break_glass(
    p: Project, actor: str, team_id: str, reason: str, *, hours: int | None = None, console: bool = False
) -> msg.Reply:
    """`breakglass`: access for `actor` at once, without approval, announced to every lead."""
    decided = decide(p, actor, reason, hours)
    if isinstance(decided, msg.Reply):
        return decided
    if console and not p.settings.allow_console:
        return msg.text_reply("Console access is turned off for amplify-dev; use break-glass without `--console`.")
    existing = p.store.open_request_for(actor, project=p.scope)
    if existing:
        return words.breakglass_open_request(existing, msg.describe_request(existing, p.granted()))
    try:
        profile = p.slack.user(actor)
    except SlackCallFailed as e:
        logger.warning("users.info failed for %s: %s", actor, e.error)
        return msg.text_reply("I couldn't read your Slack profile just now, so nothing was granted. Try again.")
    person = Requester(
        actor,
        is_guest=profile.is_guest,
        is_bot=profile.is_bot,
        deleted=profile.deleted,
        listed_by_id=decided.listed_by_id,
    )
    refused = may_request(person, restricted=False, approval_channel=p.settings.approval_channel)
    if not refused.allowed:  # deactivated, a bot, or a guest reached only through a group
        p.ledger.refusal(actor, refused.code, "breakglass")
        return msg.text_reply(refused.reason)
    identity = p.grants.identify_requester(actor, profile)  # e.g. no Identity Center user with their email
    if isinstance(identity, RequesterRefused):
        return msg.requester_refused(identity.reason, identity.email, identity.step, identity.code)
    hours = breakglass_hours(decided, p.settings.breakglass_hours)
    now = p.clock()
    request = Request(
        id=new_request_id(),
        slack_user_id=actor,
        team_id=team_id,
        reason=msg.clip_reason(reason),
        console=console,
        iam_user_name=p.grants.name_for(actor, profile.names),
        state=State.APPROVED,
        decided_by=actor,  # nobody else decided: the person broke the glass themselves
        decided_at=now,
        approval_channel=p.settings.approval_channel,
        expires_at=now + timedelta(hours=hours),
        project=p.filed_project,
        identity_store_user_id=identity,
        breakglass=True,
    )
    detail = f"hours={hours} console={console} expires={request.expires_at:%Y-%m-%dT%H:%M:%SZ}"
    try:
        filed = p.ledger.file(request, actor, detail=detail, event="breakglass")
    except OpenRequestExists as e:  # a double submission (or Slack's retry) got there first
        return words.breakglass_open_request(e.existing, msg.describe_request(e.existing, p.granted()))
    return taken_reply(p, deciding.provision(p, filed))


def taken_reply(p: Project, outcome: Decided) -> msg.Reply:
    """What the person who broke the glass is told, from how provisioning ended."""
    request = outcome.request
    if outcome.verdict == Verdict.FAILED:
        return msg.text_reply(words.breakglass_failed_dm(f"creating the {p.granted().noun} failed: {outcome.what}."))
    if outcome.verdict != Verdict.GRANTED:
        return already_handled(p.store, request.id)
    current = p.store.get(request.id) or request
    use = breakglass_notice.use_of(p, current)
    reply = words.breakglass_taken(use, announced=bool(current.breakglass_ts))
    if outcome.dm_error:
        return msg.text_reply(f"{reply.text}\n{msg.dm_failed(p.granted(), current, outcome.dm_error)[1].text}")
    return reply


def acknowledge(p: Project, actor: str, request: Request) -> msg.Reply | None:
    """A lead's Acknowledge on the break-glass post: recorded once (compare-and-set, audited), the post redrawn."""
    if not request.breakglass:
        return words.not_breakglass()
    decision = may_acknowledge(actor, request.slack_user_id, actor_is_approver=p.approvers.includes(actor))
    if not decision.allowed:
        logger.info("request %s: acknowledge refused (%s)", request.id, decision.code)
        return msg.text_reply(decision.reason)
    if request.breakglass_acked_by:
        return words.already_acknowledged(request)
    acknowledged = p.ledger.move(
        request,
        Fields(breakglass=True, breakglass_acked_by=None),
        Fields(breakglass_acked_by=actor, breakglass_acked_at=p.clock()),
        "breakglass_acknowledged",
        actor,
    )
    if acknowledged is None:  # another lead acknowledged it first
        current = p.store.get(request.id) or request
        return words.already_acknowledged(current)
    if breakglass_notice.redraw_acknowledged(p, acknowledged):
        return None  # the post says who acknowledged it
    return words.acknowledged_reply(acknowledged)
