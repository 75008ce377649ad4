"""Extending access: the requester's Extend click, and the leads' decision (the same quorum as a request)."""

from __future__ import annotations

import logging
from datetime import timedelta

import iam
import messages as msg
from authz import may_use_credentials
from slack_gateway import SlackCallFailed
from store import Fields, Request, State

from .access import no_longer_leads
from .deciding import Deciding
from .grants import GrantError
from .shared import Flow, Shared

logger = logging.getLogger(__name__)


class Extensions(Flow):
    """Extend requests and their decisions."""

    def __init__(self, shared: Shared, deciding: Deciding) -> None:
        super().__init__(shared)
        self.deciding = deciding

    def request_extension(self, actor: str, request_id: str) -> msg.Reply | None:
        """The requester's Extend click: ask the leads for AMPLIFY_DEV_DEFAULT_DAYS more."""
        request, refusal = self.access.load(
            request_id,
            lambda r: may_use_credentials(actor, r.slack_user_id),
            refusal="Only the person whose access this is can ask to extend it.",
        )
        if request is None:
            return refusal
        if request.state != State.ACTIVE or request.expires_at is None:
            return msg.text_reply(f"There is nothing to extend: {msg.describe_request(request, self.notify.words())}")
        days = self.d.settings.default_days
        asked = self.ledger.move(
            request,
            Fields(state=State.ACTIVE, extension_days=None),
            Fields(extension_days=days),
            "extension_requested",
            actor,
            detail=f"{days} more days",
        )
        if asked is None:
            return msg.text_reply("You already asked for an extension; the leads will decide on it.")
        message = msg.extension_request_message(asked)
        try:
            ts = self.d.slack.post_message(self.d.settings.approval_channel, message.text, message.blocks)
        except SlackCallFailed as e:
            self.ledger.note(request.id, Fields(extension_days=days), Fields(extension_days=None))
            return msg.text_reply(f"I couldn't ask the leads (Slack said `{e.error}`); try again later.")
        self.ledger.note(request.id, Fields(extension_days=days), Fields(extension_ts=ts))
        logger.info("request %s: extension of %s days asked by %s", request.id, days, actor)
        return msg.text_reply(f"Asked the leads for {days} more days; I'll DM you when one of them decides.")

    def decide_extension(self, actor: str, request_id: str, *, approve: bool) -> msg.Reply | None:
        """An approver's decision on an extension: the store, the tag and the inline policy move together."""
        request, refusal = self.deciding.load_for_decision(actor, request_id)
        if request is None:
            return refusal
        if request.extension_days is None or request.state != State.ACTIVE:
            return msg.text_reply("There is no extension waiting on this request; nothing was changed.")
        if not approve:
            return self._deny(actor, request)
        days = request.extension_days
        required = self.d.settings.required_approvals
        if actor in request.extension_approvals:
            return msg.text_reply("You already approved this extension; another lead has to approve it too.")
        approvals = (*request.extension_approvals, actor)
        # Still ACTIVE at the write, not only at the read: a `remove` landing in between must win.
        expect = Fields(state=State.ACTIVE, extension_days=days, extension_approvals=request.extension_approvals)
        dropped: tuple[str, ...] = ()
        if len(approvals) >= required:  # the quorum completes now: re-check the earlier approvers
            kept, dropped = self.access.still_approvers(request.extension_approvals)
            approvals = (*kept, actor)
        if len(approvals) < required:  # the same two-person rule as for the request itself
            counted = self.ledger.move(
                request,
                expect,
                Fields(extension_approvals=approvals),
                "approved",
                actor,
                detail=f"extension {len(approvals)} of {required}",
            )
            if counted is None:
                return self._not_decided(request)
            return msg.text_reply(
                f"Your approval of the extension is recorded ({len(approvals)} of {required}); "
                f"{no_longer_leads(dropped)}another lead has to approve it too."
            )
        now = self.d.clock()
        new_expiry = max(request.expires_at or now, now) + timedelta(days=days)
        if self.d.settings.max_days:
            new_expiry = min(new_expiry, now + timedelta(days=self.d.settings.max_days))
        extended = self.ledger.note(
            request.id,
            expect,
            Fields(
                extension_days=None, extension_ts=None, extension_approvals=(), expires_at=new_expiry, reminded=None
            ),
        )
        if extended is None:
            return self._not_decided(request)
        try:
            self.grants.extend(request, new_expiry)
        except GrantError as e:
            # Keep the store telling the truth: the old expiry is what AWS still enforces.
            self.ledger.note(
                request.id,
                Fields(expires_at=new_expiry),
                Fields(expires_at=request.expires_at, reminded=request.reminded),
            )
            logger.error("request %s: extension failed at %s: %s", request.id, e.step, e.code)
            return msg.text_reply(
                f"AWS refused the extension (`{e.step}`: {e.code}); the access still ends "
                f"{msg.slack_date(request.expires_at)}."
            )
        self.ledger.record("extended", actor, extended, detail=f"by {days} days to {iam.format_expiry(new_expiry)}")
        self.notify.update_extension_message(
            request,
            f":white_check_mark: Extended by {msg.mention(actor)}: access now ends {msg.slack_date(new_expiry)}.",
        )
        self.notify.dm(
            request.slack_user_id,
            f":white_check_mark: {msg.mention(actor)} extended your AWS Amplify access: "
            f"it now ends {msg.slack_date(new_expiry)}.",
        )
        return None

    def _deny(self, actor: str, request: Request) -> msg.Reply | None:
        denied = self.ledger.move(
            request,
            Fields(state=State.ACTIVE, extension_days=request.extension_days),
            Fields(extension_days=None, extension_ts=None, extension_approvals=()),
            "extension_denied",
            actor,
        )
        if denied is None:
            return self._not_decided(request)
        self.notify.update_extension_message(request, f":no_entry: Extension denied by {msg.mention(actor)}.")
        self.notify.dm(
            request.slack_user_id,
            f":no_entry: {msg.mention(actor)} denied your extension; your access "
            f"still ends {msg.slack_date(request.expires_at)}.",
        )
        return None

    def _not_decided(self, request: Request) -> msg.Reply:
        """The loser's answer: another lead decided first, or the access started ending (a `remove`, its end date)."""
        current = self.d.store.get(request.id)
        if current is None or current.state == State.ACTIVE:
            return self.access.already_handled(request.id)
        by = f" by {msg.mention(current.closed_by)}" if current.closed_by else ""
        logger.info("request %s: extension not decided, the access is %s", request.id, current.state)
        self.notify.update_extension_message(current, f":no_entry_sign: Not applied: the access is being removed{by}.")
        return msg.text_reply(
            f"This access is being removed{by} (it is *{current.state}* now), so the extension was not applied. "
            "Nothing was changed."
        )
