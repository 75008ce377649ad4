"""Asking for access: the request form, and filing a request with the leads."""

from __future__ import annotations

import logging
from typing import Any

import iam
import messages as msg
from authz import Decision, Requester, may_request
from settings import Settings
from slack_gateway import SlackCallFailed, SlackGateway, SlackUser
from store import DEFAULT_PROJECT, Fields, OpenRequestExists, Request, State

from .deps import new_request_id
from .shared import Flow

logger = logging.getLogger(__name__)


class Requesting(Flow):
    """`/amplify-dev request` and its form."""

    def request_form(self, private_metadata: dict[str, str]) -> Any:
        """The request modal as this operator configured it (console allowed, default and maximum days)."""
        settings = self.d.settings
        return msg.request_modal(
            allow_console=settings.allow_console,
            private_metadata=private_metadata,
            default_days=settings.default_days,
            max_days=settings.max_days,
        )

    def open_request_form(self, trigger_id: str, view: Any, actor: str | None = None) -> msg.Reply | None:
        """Open the request modal; if Slack refuses (trigger expired), point to the text command instead.

        Someone the settings alone already refuse is told so instead of getting a form (no Slack call: the
        trigger is valid 3 seconds). Everyone else's profile is checked when the form is submitted.
        """
        if actor is not None and surely_not_listed(actor, self.d.settings):
            decision = may_request(Requester(actor), restricted=True, approval_channel=self.d.settings.approval_channel)
            self.ledger.refusal(actor, decision.code, "before the form")
            return msg.text_reply(decision.reason)
        try:
            self.d.slack.open_view(trigger_id, view)
        except SlackCallFailed as e:
            logger.warning("views.open failed: %s", e.error)
            return msg.text_reply(
                f"I couldn't open the request form (Slack said `{e.error}`). "
                f"Use `{msg.COMMAND} request [--console] <reason>` instead."
            )
        return None

    def _refusal(self, console: bool, days: int) -> msg.Reply | None:
        settings = self.d.settings
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
        self, actor: str, team_id: str, reason: str, *, console: bool, days: int | None = None
    ) -> msg.Reply:
        """File a request for `actor` and post it to the approvers' channel."""
        days = self.d.settings.default_days if days is None else days
        refusal = self._refusal(console, days)
        if refusal:
            return refusal
        clipped = len(reason.strip()) > msg.REASON_MAX
        reason = msg.clip_reason(reason)
        if not reason:
            return msg.usage_reply("Please say why you need access, e.g. `/amplify-dev request checkout feature`.")
        existing = self.d.store.open_request_for(actor, project=self.d.scope)
        if existing:
            return msg.text_reply(
                f"You already have an open request. {msg.describe_request(existing, self.grants.words())}"
            )
        try:
            profile = self.d.slack.user(actor)
        except SlackCallFailed as e:
            logger.warning("users.info failed for %s: %s", actor, e.error)
            return msg.text_reply("I couldn't read your Slack profile just now, so nothing was filed. Try again.")
        decision = requester_decision(profile, self.d.settings, self.d.slack)
        if not decision.allowed:
            logger.info("request by %s refused (%s)", actor, decision.code)
            self.ledger.refusal(actor, decision.code)
            return msg.text_reply(decision.reason)
        refusal = self.grants.requester_refusal(actor, profile)  # e.g. no Identity Center user with their email
        if refusal:
            return refusal
        request = Request(
            id=new_request_id(),
            slack_user_id=actor,
            team_id=team_id,
            reason=reason,
            console=console,
            iam_user_name=iam.derive_user_name(actor, profile.names),
            approval_channel=self.d.settings.approval_channel,
            days=days or None,
            project=self.d.scope or DEFAULT_PROJECT,
        )
        try:
            request = self.ledger.file(request, actor, detail=f"console={console} days={days or 'none'}")
        except OpenRequestExists as e:
            return msg.text_reply(
                f"You already have an open request. {msg.describe_request(e.existing, self.grants.words())}"
            )
        return self.post_to_leads(request, clipped=clipped)

    def post_to_leads(self, request: Request, *, clipped: bool = False) -> msg.Reply:
        """Post a filed request to the approvers' channel (also used by start-up recovery)."""
        granted = self.grants.words()
        message = msg.approval_request_message(request, project=self.d.project, granted=granted)
        try:
            ts = self.d.slack.post_message(self.d.settings.approval_channel, message.text, message.blocks)
        except SlackCallFailed as e:
            failed = self.ledger.move(
                request,
                Fields(state=State.PENDING),
                Fields(state=State.FAILED, error=f"could not post to the approvers' channel ({e.error})"),
                "failed",
                request.slack_user_id,
                outcome=e.error,
                detail="approval post",
            )
            if failed is None:
                self.ledger.record("failed", request.slack_user_id, request, outcome=e.error, detail="approval post")
            logger.error("request %s: approval post failed: %s", request.id, e.error)
            return msg.text_reply(
                f"I couldn't post your request to the approvers' channel (Slack said `{e.error}`), so nothing "
                "was requested. Please tell whoever runs amplify-dev (the bot may need to be invited to the "
                "channel), then ask again."
            )
        self.ledger.note(request.id, Fields(state=State.PENDING), Fields(approval_ts=ts))
        console_note = " with console access" if request.console else ""
        return msg.text_reply(
            f":inbox_tray: Your request{console_note} is with the leads in <#{self.d.settings.approval_channel}>"
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
