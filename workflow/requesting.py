"""Asking for access: the request form, and filing a request with the leads."""

from __future__ import annotations

import logging
from typing import Any

import messages as msg
from authz import Decision, Requester, may_request
from settings import Settings
from slack_gateway import SlackCallFailed, SlackGateway, SlackUser
from store import Fields, OpenRequestExists, Request, State

from .deps import new_request_id
from .grants import RequesterRefused
from .project import Project

logger = logging.getLogger(__name__)


def request_form(p: Project, private_metadata: dict[str, str]) -> Any:
    """The request modal as this operator configured it (console allowed, default and maximum days).

    With sign-in credentials console access is what the developer gets anyway: no checkbox to ask for it."""
    settings = p.settings
    return msg.request_modal(
        allow_console=settings.allow_console and not p.granted().sign_in,
        private_metadata=private_metadata,
        default_days=settings.default_days,
        max_days=settings.max_days,
    )


def open_request_form(p: Project, trigger_id: str, view: Any, actor: str | None = None) -> msg.Reply | None:
    """Open the request modal; if Slack refuses (trigger expired), point to the text command instead.

    Someone the settings alone already refuse is told so instead of getting a form (no Slack call: the
    trigger is valid 3 seconds). Everyone else's profile is checked when the form is submitted.
    """
    if actor is not None and surely_not_listed(actor, p.settings):
        decision = may_request(Requester(actor), restricted=True, approval_channel=p.settings.approval_channel)
        p.ledger.refusal(actor, decision.code, "before the form")
        return msg.text_reply(decision.reason)
    try:
        p.slack.open_view(trigger_id, view)
    except SlackCallFailed as e:
        logger.warning("views.open failed: %s", e.error)
        return msg.text_reply(
            f"I couldn't open the request form (Slack said `{e.error}`). "
            f"Use `{msg.COMMAND} request [--console] <reason>` instead."
        )
    return None


def _refusal(p: Project, console: bool, days: int) -> msg.Reply | None:
    settings = p.settings
    if console and not settings.allow_console:
        return msg.text_reply(
            "Console access is turned off for amplify-dev; ask again without `--console` "
            "(you will get an access key for the CLI)."
        )
    limit = settings.max_days
    if limit and days > limit:
        return msg.text_reply(
            f"Access can last at most {limit} days here (AMPLIFY_DEV_MAX_DAYS); ask for `--days {limit}` or "
            "fewer, and for an extension later if you need it. Nothing was filed."
        )
    if limit and days == 0:
        return msg.text_reply(
            f"Access without an end date is turned off here; ask for 1 to {limit} days. Nothing was filed."
        )
    return None


def request_access(
    p: Project, actor: str, team_id: str, reason: str, *, console: bool, days: int | None = None
) -> msg.Reply:
    """File a request for `actor` and post it to the approvers' channel."""
    days = p.settings.default_days if days is None else days
    refusal = _refusal(p, console, days)
    if refusal:
        return refusal
    clipped = len(reason.strip()) > msg.REASON_MAX
    reason = msg.clip_reason(reason)
    if not reason:
        return msg.usage_reply("Please say why you need access, e.g. `/amplify-dev request checkout feature`.")
    existing = p.store.open_request_for(actor, project=p.scope)
    if existing:
        return msg.text_reply(f"You already have an open request. {msg.describe_request(existing, p.granted())}")
    try:
        profile = p.slack.user(actor)
    except SlackCallFailed as e:
        logger.warning("users.info failed for %s: %s", actor, e.error)
        return msg.text_reply("I couldn't read your Slack profile just now, so nothing was filed. Try again.")
    decision = requester_decision(profile, p.settings, p.slack)
    if not decision.allowed:
        logger.info("request by %s refused (%s)", actor, decision.code)
        p.ledger.refusal(actor, decision.code)
        return msg.text_reply(decision.reason)
    identity = p.grants.identify_requester(actor, profile)  # e.g. no Identity Center user with their email
    if isinstance(identity, RequesterRefused):
        return msg.requester_refused(identity.reason, identity.email, identity.step, identity.code)
    console = p.grants.console(console)  # sign-in: always (the console sign-in is what `aws login` starts from)
    request = Request(
        id=new_request_id(),
        slack_user_id=actor,
        team_id=team_id,
        reason=reason,
        console=console,
        iam_user_name=p.grants.name_for(actor, profile.names),
        approval_channel=p.settings.approval_channel,
        days=days or None,
        project=p.filed_project,
        identity_store_user_id=identity,
    )
    try:
        request = p.ledger.file(request, actor, detail=f"console={console} days={days or 'none'}")
    except OpenRequestExists as e:
        return msg.text_reply(f"You already have an open request. {msg.describe_request(e.existing, p.granted())}")
    return post_to_leads(p, request, clipped=clipped)


def post_to_leads(p: Project, request: Request, *, clipped: bool = False) -> msg.Reply:
    """Post a filed request to the approvers' channel (also used by start-up recovery)."""
    granted = p.granted()
    message = msg.approval_request_message(request, project=p.label, granted=granted)
    try:
        ts = p.slack.post_message(p.settings.approval_channel, message.text, message.blocks)
    except SlackCallFailed as e:
        failed = p.ledger.move(
            request,
            Fields(state=State.PENDING),
            Fields(state=State.FAILED, error=f"could not post to the approvers' channel ({e.error})"),
            "failed",
            request.slack_user_id,
            outcome=e.error,
            detail="approval post",
        )
        if failed is None:
            p.ledger.record("failed", request.slack_user_id, request, outcome=e.error, detail="approval post")
        logger.error("request %s: approval post failed: %s", request.id, e.error)
        return msg.text_reply(
            f"I couldn't post your request to the approvers' channel (Slack said `{e.error}`), so nothing "
            "was requested. Please tell whoever runs amplify-dev (the bot may need to be invited to the "
            "channel), then ask again."
        )
    p.ledger.note(request.id, Fields(state=State.PENDING), Fields(approval_ts=ts))
    console_note = " with console access" if request.console else ""
    return msg.text_reply(
        f":inbox_tray: Your request{console_note} is with the leads in <#{p.settings.approval_channel}>"
        f"{' (your reason was shortened)' if clipped else ''}. I'll DM you when one of them decides. "
        f"Request `{request.id}`, {granted.what(request)}."
    )


def surely_not_listed(actor: str, settings: Settings) -> bool:
    """True when the settings alone refuse `actor`: a requester list of user IDs only, without them."""
    return (
        bool(settings.requester_user_ids)
        and not settings.requester_group_ids
        and actor not in (settings.requester_user_ids)
    )


def requester_decision(profile: SlackUser, settings: Settings, slack: SlackGateway) -> Decision:
    """Apply the requester policy to a Slack profile (group members read through the gateway's cache)."""
    listed = profile.id in settings.requester_user_ids
    in_group = False
    if not listed and not (profile.is_guest or profile.is_bot or profile.deleted):
        for group in sorted(settings.requester_group_ids):
            try:
                if profile.id in slack.usergroup_members(group):
                    in_group = True
                    break
            except SlackCallFailed as e:  # fail closed: an unresolvable group lets nobody in
                logger.warning("cannot resolve requester group %s: %s", group, e.error)
    person = Requester(
        profile.id,
        is_guest=profile.is_guest,
        is_bot=profile.is_bot,
        deleted=profile.deleted,
        listed_by_id=listed,
        in_listed_group=in_group,
    )
    restricted = bool(settings.requester_user_ids or settings.requester_group_ids)
    return may_request(person, restricted=restricted, approval_channel=settings.approval_channel)
