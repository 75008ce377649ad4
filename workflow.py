"""A request's life: request -> approve/deny -> provision -> show credentials -> rotate -> remove.

Knows neither Bolt nor boto3 details: it moves requests through the store by compare-and-set, calls
`iam` for AWS and `SlackGateway` for messages, and returns a `Reply` for the person who acted.
Every method here runs after Slack's request was acknowledged.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import iam
import messages as msg
from audit import AuditEvent, AuditLog
from authz import may_act_for_others, may_decide, may_use_credentials
from settings import Settings
from slack_gateway import SlackCallFailed, SlackGateway
from store import OPEN_STATES, Credentials, OpenRequestExists, Request, RequestStore, State

logger = logging.getLogger(__name__)


PASSWORD_POLICY_CACHE = timedelta(minutes=5)
REVOKING_RETRY_AFTER = timedelta(minutes=5)  # a removal stuck this long (IAM error) is retried by the sweep
OFFBOARD_WAIT_SECONDS = 60.0
# Expiry reminders: label and how long before the end each is sent.
REMINDERS = (("1d", timedelta(days=1)), ("3d", timedelta(days=3)))


def new_request_id() -> str:
    """An opaque, unguessable request id (the only thing a button carries)."""
    return "r" + secrets.token_hex(8)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Deps:
    """What the workflow talks to; built once in bot.py (or by a test) and passed in."""

    settings: Settings
    store: RequestStore
    iam: Any  # a boto3 IAM client
    slack: SlackGateway
    region: str
    clock: Callable[[], datetime] = _utcnow
    audit: AuditLog | None = None


class Workflow:
    """The request state machine and the side effects of each transition."""

    def __init__(self, deps: Deps) -> None:
        self.d = deps
        self.settings = deps.settings
        self.store = deps.store
        self._signin_url: str | None = None
        self._policy: tuple[datetime, iam.PasswordPolicy] | None = None
        self._reported: set[str] = set()  # drift already reported by this process

    # --- who is who ---------------------------------------------------------------------------------

    def is_approver(self, user_id: str) -> bool:
        """True if the user is a configured approver, directly or through a configured user group."""
        if user_id in self.settings.approver_user_ids:
            return True
        for group in sorted(self.settings.approver_group_ids):
            try:
                if user_id in self.d.slack.usergroup_members(group):
                    return True
            except SlackCallFailed as e:  # fail closed: an unresolvable group grants nothing
                logger.warning("cannot resolve approver group %s: %s", group, e.error)
        return False

    # --- asking -------------------------------------------------------------------------------------

    def request_form(self, private_metadata: dict[str, str]) -> Any:
        """The request modal as this operator configured it (console allowed, default and maximum days)."""
        return msg.request_modal(
            allow_console=self.settings.allow_console,
            private_metadata=private_metadata,
            default_days=self.settings.default_days,
            max_days=self.settings.max_days,
        )

    def open_request_form(self, trigger_id: str, view: Any) -> msg.Reply | None:
        """Open the request modal; if Slack refuses (trigger expired), point to the text command instead."""
        try:
            self.d.slack.open_view(trigger_id, view)
        except SlackCallFailed as e:
            logger.warning("views.open failed: %s", e.error)
            return msg.text_reply(
                f"I couldn't open the request form (Slack said `{e.error}`). "
                f"Use `{msg.COMMAND} request [--console] <reason>` instead."
            )
        return None

    def request_access(
        self, actor: str, team_id: str, reason: str, *, console: bool, days: int | None = None
    ) -> msg.Reply:
        """File a request for `actor` and post it to the approvers' channel."""
        if console and not self.settings.allow_console:
            return msg.text_reply(
                "Console access is turned off for amplify-dev; ask again without `--console` "
                "(you will get an access key for the CLI)."
            )
        days = self.settings.default_days if days is None else days
        limit = self.settings.max_days
        if limit and days > limit:
            return msg.text_reply(
                f"Access can last at most {limit} days here (AMPLIFY_DEV_MAX_DAYS); ask for `--days {limit}` or "
                "fewer, and for an extension later if you need it. Nothing was filed."
            )
        if limit and days == 0:
            return msg.text_reply(
                f"Access without an end date is turned off here; ask for 1 to {limit} days. Nothing was filed."
            )
        clipped = len(reason.strip()) > msg.REASON_MAX
        reason = msg.clip_reason(reason)
        if not reason:
            return msg.usage_reply("Please say why you need access, e.g. `/amplify-dev request checkout feature`.")
        existing = self.store.open_request_for(actor)
        if existing:
            return msg.text_reply(f"You already have an open request. {msg.describe_request(existing)}")
        try:
            profile = self.d.slack.user(actor)
        except SlackCallFailed as e:
            logger.warning("users.info failed for %s: %s", actor, e.error)
            return msg.text_reply("I couldn't read your Slack profile just now, so nothing was filed. Try again.")
        request = Request(
            id=new_request_id(),
            slack_user_id=actor,
            team_id=team_id,
            reason=reason,
            console=console,
            iam_user_name=iam.derive_user_name(actor, profile.names),
            approval_channel=self.settings.approval_channel,
            days=days or None,
        )
        try:
            request = self.store.create(request)
        except OpenRequestExists as e:
            return msg.text_reply(f"You already have an open request. {msg.describe_request(e.existing)}")
        self._audit("requested", actor, request, detail=f"console={console} days={days or 'none'}")
        message = msg.approval_request_message(request)
        try:
            ts = self.d.slack.post_message(self.settings.approval_channel, message.text, message.blocks)
        except SlackCallFailed as e:
            self.store.compare_and_set(
                request.id,
                {"state": State.PENDING},
                {"state": State.FAILED, "error": f"could not post to the approvers' channel ({e.error})"},
            )
            logger.error("request %s: approval post failed: %s", request.id, e.error)
            self._audit("failed", actor, request, outcome=e.error, detail="approval post")
            return msg.text_reply(
                f"I couldn't post your request to the approvers' channel (Slack said `{e.error}`), so nothing "
                "was requested. Please tell whoever runs amplify-dev (the bot may need to be invited to the "
                "channel), then ask again."
            )
        self.store.compare_and_set(request.id, {"state": State.PENDING}, {"approval_ts": ts})
        console_note = " with console access" if console else ""
        return msg.text_reply(
            f":inbox_tray: Your request{console_note} is with the leads in <#{self.settings.approval_channel}>"
            f"{' (your reason was shortened)' if clipped else ''}. I'll DM you when one of them decides. Request `{request.id}`, "
            f"IAM user `{msg.escape(request.iam_user_name)}`."
        )

    # --- deciding -----------------------------------------------------------------------------------

    def _decision_refusal(self, actor: str, request_id: str) -> tuple[Request | None, msg.Reply | None]:
        request = self.store.get(request_id)
        if request is None:
            return None, msg.text_reply("I don't know that request; nothing was changed.")
        decision = may_decide(actor, request.slack_user_id, actor_is_approver=self.is_approver(actor))
        if not decision.allowed:
            logger.info("request %s: %s may not decide", request.id, actor)
            return None, msg.text_reply(decision.reason)
        return request, None

    def _already_handled(self, request_id: str) -> msg.Reply:
        current = self.store.get(request_id)
        if current is None:
            return msg.text_reply("I don't know that request; nothing was changed.")
        who = current.decided_by or current.closed_by
        return msg.text_reply(
            f"This request was already handled: it is *{current.state}*"
            f"{f' (by {msg.mention(who)})' if who else ''}. Nothing was changed."
        )

    def approve(self, actor: str, request_id: str) -> msg.Reply | None:
        """An approver's Approve click: create the IAM user, then DM the requester a Show credentials button."""
        request, refusal = self._decision_refusal(actor, request_id)
        if request is None:
            return refusal
        required = self.settings.required_approvals
        for _ in range(5):  # compare-and-set retries: another lead may approve in between
            current = self.store.get(request.id) or request
            if current.state != State.PENDING:
                return self._already_handled(request.id)
            approvers = [a for a in current.approvals.split(",") if a]
            if actor in approvers:
                return msg.text_reply("You already approved this request; another lead has to approve it too.")
            approvers.append(actor)
            if len(approvers) < required:
                partial = self.store.compare_and_set(
                    current.id,
                    {"state": State.PENDING, "approvals": current.approvals},
                    {"approvals": ",".join(approvers)},
                )
                if partial is None:
                    continue
                self._audit("approved", actor, partial, detail=f"{len(approvers)} of {required}")
                self._refresh_approval_request(partial)
                return msg.text_reply(
                    f"Your approval is recorded ({len(approvers)} of {required}); another lead has to approve too."
                )
            approved = self.store.compare_and_set(
                current.id,
                {"state": State.PENDING, "approvals": current.approvals},
                {
                    "state": State.APPROVED,
                    "decided_by": actor,
                    "decided_at": self.d.clock(),
                    "approvals": ",".join(approvers),
                },
            )
            if approved is not None:
                break
        else:
            return self._already_handled(request.id)
        self._audit("approved", actor, approved)
        return self._provision(approved)

    def _provision(self, request: Request) -> msg.Reply | None:
        # Expiry counts from approval; recomputed identically if recovery runs this again after a crash.
        expires_at = request.decided_at + timedelta(days=request.days) if request.days and request.decided_at else None
        spec = iam.ProvisionSpec(
            user_name=request.iam_user_name,
            path=self.settings.iam_path,
            slack_user_id=request.slack_user_id,
            request_id=request.id,
            approved_by=request.decided_by or "",
            policy_arns=self.settings.policy_arns,
            console=request.console,
            group=self.settings.iam_group,
            permissions_boundary=self.settings.permissions_boundary,
            expires_at=expires_at,
        )
        try:
            user = iam.create_developer_user(self.d.iam, spec)
        except iam.IamError as e:
            return self._provisioning_failed(request, e)
        except ValueError:  # a name or path IAM would reject: checked before any AWS call
            return self._provisioning_failed(request, iam.IamError("CreateUser", "ValidationError"))
        active = self.store.compare_and_set(
            request.id,
            {"state": State.APPROVED},
            {"state": State.ACTIVE, "iam_user_arn": user.arn, "expires_at": expires_at},
        )
        if active is None:  # cannot happen while only this code moves APPROVED; never leave a user behind
            logger.error("request %s left APPROVED while provisioning; rolling back", request.id)
            iam.revoke_developer_user(self.d.iam, user.user_name, self.settings.iam_path)
            return self._already_handled(request.id)
        self._audit("provisioned", active.decided_by, active, detail=f"expires={active.expires_at or 'never'}")
        outcome = msg.provisioned_outcome(active)
        reply: msg.Reply | None = None
        try:
            dm = msg.approved_dm(active)
            channel, ts = self.d.slack.send_dm(active.slack_user_id, dm.text, dm.blocks)
            self.store.compare_and_set(active.id, {"state": State.ACTIVE}, {"dm_channel": channel, "dm_ts": ts})
        except SlackCallFailed as e:
            logger.error("request %s: DM to requester failed: %s", active.id, e.error)
            outcome += (
                f"\n:warning: I couldn't DM {msg.mention(active.slack_user_id)} (Slack said `{e.error}`). "
                f"No key exists yet; they can get it with `{msg.COMMAND} status`."
            )
            reply = msg.text_reply(
                f"{msg.mention(active.slack_user_id)}'s IAM user was created, but I couldn't DM them "
                f"(`{e.error}`). Ask them to run `{msg.COMMAND} status` to fetch their credentials."
            )
        self._update_approval_message(active, outcome)
        return reply

    def _provisioning_failed(self, request: Request, error: iam.IamError) -> msg.Reply:
        if not error.rolled_back and not isinstance(error, iam.UserNameTaken):
            # The user is under our path with our tags for this Slack user (its name carries their id):
            # finish the clean-up the failed call could not.
            try:
                iam.revoke_developer_user(self.d.iam, request.iam_user_name, self.settings.iam_path)
                error = iam.IamError(error.step, error.code, rolled_back=True)
            except iam.IamError as cleanup:
                logger.error(
                    "request %s: clean-up after failure also failed at %s: %s", request.id, cleanup.step, cleanup.code
                )
        if isinstance(error, iam.UserNameTaken):
            what = (
                f"an IAM user named `{request.iam_user_name}` already exists that amplify-dev did not create, "
                "so it was left untouched"
            )
            todo = "An AWS admin must rename or remove that user (or the requester's Slack name must change)."
        elif error.rolled_back:
            what = f"AWS refused `{error.step}` ({error.code}); everything created so far was removed again"
            todo = "Check the bot's IAM permissions and settings, then the requester can ask again."
        else:
            what = (
                f"AWS refused `{error.step}` ({error.code}) and the clean-up failed too: IAM user "
                f"`{request.iam_user_name}` may be left under `{self.settings.iam_path}`"
            )
            todo = f"An AWS admin should delete it (or run `{msg.COMMAND} remove <@{request.slack_user_id}>`)."
        failed = self.store.compare_and_set(
            request.id, {"state": State.APPROVED}, {"state": State.FAILED, "error": what}
        )
        request = failed or request
        self._audit("failed", request.decided_by, request, outcome=error.code, detail=f"provisioning at {error.step}")
        self._update_approval_message(
            request, f"{msg.decided_line(request)}\n:x: Creating the IAM user failed: {what}. {todo}"
        )
        self._dm(
            request.slack_user_id,
            f":x: {msg.mention(request.decided_by)} approved your AWS Amplify access, but creating your IAM user "
            f"failed: {what}. The leads have been told; you can ask again with `{msg.COMMAND}` once it is fixed.",
        )
        return msg.text_reply(f"Creating the IAM user failed: {what}. {todo}")

    def deny(self, actor: str, request_id: str) -> msg.Reply | None:
        """An approver's Deny click: close the request and tell the requester by DM."""
        request, refusal = self._decision_refusal(actor, request_id)
        if request is None:
            return refusal
        denied = self.store.compare_and_set(
            request.id,
            {"state": State.PENDING},
            {"state": State.DENIED, "decided_by": actor, "decided_at": self.d.clock()},
        )
        if denied is None:
            return self._already_handled(request.id)
        self._audit("denied", actor, denied)
        self._update_approval_message(denied, msg.decided_line(denied))
        dm = msg.denied_dm(denied)
        try:
            self.d.slack.send_dm(denied.slack_user_id, dm.text, dm.blocks)
        except SlackCallFailed as e:
            logger.error("request %s: denial DM failed: %s", denied.id, e.error)
            return msg.text_reply(
                f"Denied. I couldn't DM {msg.mention(denied.slack_user_id)} (`{e.error}`); please tell them."
            )
        return None

    # --- credentials --------------------------------------------------------------------------------

    def show_credentials(self, actor: str, request_id: str) -> msg.Reply | None:
        """The requester's Show credentials click: mint the key (and console password) and show it once."""
        request = self.store.get(request_id)
        if request is None:
            return msg.text_reply("I don't know that request; nothing was changed.")
        decision = may_use_credentials(actor, request.slack_user_id)
        if not decision.allowed:
            return msg.text_reply(decision.reason)
        if request.state != State.ACTIVE:
            return msg.text_reply(f"There are no credentials to show: {msg.describe_request(request)}")
        claimed = self.store.compare_and_set(
            request.id,
            {"state": State.ACTIVE, "credentials": Credentials.NONE},
            {"credentials": Credentials.MINTING},
        )
        if claimed is None:
            current = self.store.get(request.id) or request
            if current.credentials in (Credentials.SHOWN, Credentials.ROTATING):
                return msg.text_reply(
                    "Your credentials were already shown once and are never shown again. "
                    f"Run `{msg.COMMAND} rotate` for a new access key."
                )
            return msg.text_reply("Your credentials are being prepared right now; look in your DM with me.")
        return self._mint_and_deliver(claimed)

    def _mint_and_deliver(self, request: Request) -> msg.Reply | None:
        key: iam.AccessKey | None = None
        password: iam.Secret | None = None
        try:
            key = iam.create_access_key(self.d.iam, request.iam_user_name)
            if request.console:
                password = iam.create_console_login(self.d.iam, request.iam_user_name, self._password_policy())
            signin_url = self._console_signin_url(request) if request.console else None
        except iam.IamError as e:
            self._discard_minted(request, key, console=request.console)
            if key is None:  # CreateAccessKey may have succeeded at AWS before failing here: no unseen key lives
                self._delete_all_keys(request, keep=None)
            self._release(request, Credentials.MINTING, Credentials.NONE)
            logger.error("request %s: minting credentials failed at %s: %s", request.id, e.step, e.code)
            self._audit("failed", request.slack_user_id, request, outcome=e.code, detail=f"credentials at {e.step}")
            self._channel_notice(
                f":warning: AWS refused to create {msg.mention(request.slack_user_id)}'s credentials "
                f"(`{e.step}`: {e.code}); nothing was kept and they can retry. If it repeats, check the bot's "
                "IAM permissions."
            )
            return msg.text_reply(
                f"AWS refused to create your credentials (`{e.step}`: {e.code}); nothing was kept. Try the "
                "button again in a minute; if it keeps failing, tell the leads."
            )
        shown = msg.CredentialsShown(
            user_name=request.iam_user_name,
            access_key_id=key.access_key_id,
            secret_access_key=key.secret_access_key.reveal(),
            region=self.d.region,
            console_password=password.reveal() if password else None,
            signin_url=signin_url,
        )
        try:
            channel = request.dm_channel or self.d.slack.open_dm(request.slack_user_id)
            reply = msg.credentials_ephemeral(shown)
            self.d.slack.post_ephemeral(channel, request.slack_user_id, reply.text, reply.blocks)
        except SlackCallFailed as e:
            # An ephemeral that was not delivered is gone for good: delete what it carried.
            self._discard_minted(request, key, console=password is not None)
            self._release(request, Credentials.MINTING, Credentials.NONE)
            logger.error("request %s: credentials delivery failed: %s", request.id, e.error)
            return msg.text_reply(
                f"I couldn't show you your credentials (Slack said `{e.error}`), so I deleted the key I had just "
                "made. Nothing was lost: click *Show credentials* again."
            )
        done = self.store.compare_and_set(
            request.id,
            {"credentials": Credentials.MINTING},
            {"credentials": Credentials.SHOWN, "access_key_id": key.access_key_id},
        )
        self._audit("credentials_shown", request.slack_user_id, request, detail=f"key {key.access_key_id}")
        if done and done.dm_channel and done.dm_ts:
            dm = msg.credentials_shown_dm(done, self.d.clock())
            try:
                self.d.slack.update_message(done.dm_channel, done.dm_ts, dm.text, dm.blocks)
            except SlackCallFailed as e:  # the button is harmless now: a second click is refused
                logger.warning("request %s: could not update the DM: %s", request.id, e.error)
        return None

    def _discard_minted(self, request: Request, key: iam.AccessKey | None, *, console: bool) -> None:
        try:
            if key is not None:
                iam.delete_access_key(self.d.iam, request.iam_user_name, key.access_key_id)
            if console:
                iam.delete_console_login(self.d.iam, request.iam_user_name)
        except iam.IamError as e:  # recovery at start-up deletes it; say so loudly meanwhile
            logger.error("request %s: could not delete undelivered credentials: %s %s", request.id, e.step, e.code)

    def _release(self, request: Request, held: Credentials, back: Credentials) -> None:
        self.store.compare_and_set(request.id, {"credentials": held}, {"credentials": back})

    def _password_policy(self) -> iam.PasswordPolicy:
        """The account's password policy, read at most every few minutes (it rarely changes)."""
        now = self.d.clock()
        if self._policy is None or now - self._policy[0] > PASSWORD_POLICY_CACHE:
            self._policy = (now, iam.get_password_policy(self.d.iam))
        return self._policy[1]

    def _console_signin_url(self, request: Request) -> str:
        if self._signin_url is None:
            account = iam.account_id_from_arn(request.iam_user_arn or "")
            self._signin_url = iam.console_signin_url(self.d.iam, account)
        return self._signin_url

    def rotate(self, actor: str) -> msg.Reply:
        """Mint a new key, show it now in the caller's DM, and only then delete the older keys."""
        request = self.store.open_request_for(actor)
        if request is None or request.state != State.ACTIVE:
            return msg.text_reply(
                f"You have no active access to rotate. {msg.describe_request(request) if request else ''}".strip()
            )
        claimed = self.store.compare_and_set(
            request.id,
            {"state": State.ACTIVE, "credentials": Credentials.SHOWN},
            {"credentials": Credentials.ROTATING},
        )
        if claimed is None:
            current = self.store.get(request.id) or request
            if current.credentials == Credentials.NONE:
                return msg.text_reply(
                    "You haven't fetched your first credentials yet: use the *Show credentials* button in "
                    f"your DM with me (or `{msg.COMMAND} status`)."
                )
            return msg.text_reply("A key is being created for you right now; look in your DM with me.")
        try:
            old_keys = iam.list_access_key_ids(self.d.iam, claimed.iam_user_name)
            key = iam.create_access_key(self.d.iam, claimed.iam_user_name)
        except iam.IamError as e:
            self._release(claimed, Credentials.ROTATING, Credentials.SHOWN)
            logger.error("request %s: rotate failed at %s: %s", claimed.id, e.step, e.code)
            if isinstance(e, iam.AccessKeyLimit):
                return msg.text_reply(
                    "Your IAM user already has two access keys, IAM's limit, so I couldn't add a new one. "
                    f"Run `{msg.COMMAND} remove` and ask again, or ask a lead."
                )
            return msg.text_reply(f"AWS refused to create a new key (`{e.step}`: {e.code}); your old key still works.")
        shown = msg.CredentialsShown(
            user_name=claimed.iam_user_name,
            access_key_id=key.access_key_id,
            secret_access_key=key.secret_access_key.reveal(),
            region=self.d.region,
        )
        try:
            channel = claimed.dm_channel or self.d.slack.open_dm(actor)
            reply = msg.credentials_ephemeral(shown, rotated=True)
            self.d.slack.post_ephemeral(channel, actor, reply.text, reply.blocks)
        except SlackCallFailed as e:
            self._discard_minted(claimed, key, console=False)
            self._release(claimed, Credentials.ROTATING, Credentials.SHOWN)
            logger.error("request %s: rotated key delivery failed: %s", claimed.id, e.error)
            return msg.text_reply(
                f"I couldn't deliver a new key (Slack said `{e.error}`), so I deleted it again; your old key "
                "still works. Try again in a minute."
            )
        # Record the delivered key before deleting the old ones: a crash in between keeps the right key.
        self.store.compare_and_set(
            claimed.id, {"credentials": Credentials.ROTATING}, {"access_key_id": key.access_key_id}
        )
        failed_deletes = []
        for old in old_keys:
            try:
                iam.delete_access_key(self.d.iam, claimed.iam_user_name, old)
            except iam.IamError as e:
                failed_deletes.append(old)
                logger.error("request %s: could not delete old key %s: %s", claimed.id, old, e.code)
        self.store.compare_and_set(
            claimed.id,
            {"credentials": Credentials.ROTATING},
            {"credentials": Credentials.SHOWN, "access_key_id": key.access_key_id},
        )
        self._audit("rotated", actor, claimed, detail=f"new key {key.access_key_id}")
        if failed_deletes:
            return msg.text_reply(
                f"Your new key is in your DM with me, but I couldn't delete the old one "
                f"(`{', '.join(failed_deletes)}`). Run `{msg.COMMAND} rotate` again later, or ask a lead."
            )
        return msg.text_reply(
            "Your new access key is in your DM with me (shown once). The old key"
            f"{'s were' if len(old_keys) > 1 else ' was'} deleted."
            if old_keys
            else "Your new access key is in your DM with me (shown once)."
        )

    # --- ending -------------------------------------------------------------------------------------

    def remove(self, actor: str, target: str | None = None) -> msg.Reply:
        """Revoke `target`'s access (default: the caller's own), or withdraw their pending request."""
        target = target or actor
        decision = may_act_for_others(actor, target, actor_is_approver=target != actor and self.is_approver(actor))
        if not decision.allowed:
            return msg.text_reply(decision.reason)
        whose = "You have" if target == actor else f"{msg.mention(target)} has"
        request = self.store.open_request_for(target)
        if request is None:
            return msg.text_reply(f"{whose} no amplify-dev access to remove.")
        if request.state == State.PENDING:
            return self._cancel(actor, request)
        if request.state == State.APPROVED:
            return msg.text_reply("That access is being set up right now; run remove again in a minute.")
        revoking = self.store.compare_and_set(
            request.id,
            {"state": (State.ACTIVE, State.REVOKING)},
            {"state": State.REVOKING, "closed_by": actor},
        )
        if revoking is None:
            return self._already_handled(request.id)
        return self._revoke(revoking, actor, target)

    def _revoke(self, revoking: Request, actor: str | None, target: str, *, why: str = "removed") -> msg.Reply:
        """Delete the IAM user of a REVOKING request and tell everyone; actor None means the bot itself."""
        final = State.EXPIRED if why == "expired" else State.REVOKED
        who = msg.mention(actor) if actor else "amplify-dev"
        try:
            iam.revoke_developer_user(self.d.iam, revoking.iam_user_name, self.settings.iam_path)
        except iam.NotManagedByBot:
            logger.error(
                "request %s: IAM user %s is not managed by the bot; left untouched", revoking.id, revoking.iam_user_name
            )
            self.store.compare_and_set(
                revoking.id,
                {"state": State.REVOKING},
                {"state": final, "error": "IAM user was not one amplify-dev manages; left untouched"},
            )
            self._channel_notice(
                f":warning: {msg.mention(target)}'s access was {why}, but IAM user `{revoking.iam_user_name}` is not "
                "one amplify-dev manages (wrong path or tags), so it was left untouched. An AWS admin should look "
                "at it."
            )
            return msg.text_reply(
                f"The record is closed, but IAM user `{revoking.iam_user_name}` is not one amplify-dev manages, so "
                "I left it untouched. The leads were told."
            )
        except iam.IamError as e:
            logger.error("request %s: revoke failed at %s: %s", revoking.id, e.step, e.code)
            self._audit("failed", actor, revoking, outcome=e.code, detail=f"removal at {e.step}")
            self._channel_notice(
                f":warning: Removing {msg.mention(target)}'s IAM user `{revoking.iam_user_name}` stopped at "
                f"`{e.step}` ({e.code}). Some access may remain until `{msg.COMMAND} remove <@{target}>` succeeds."
            )
            return msg.text_reply(
                f"Removing the IAM user stopped at `{e.step}` (AWS said {e.code}). Access may remain: run "
                f"`{msg.COMMAND} remove` again; the leads were told."
            )
        revoked = self.store.compare_and_set(revoking.id, {"state": State.REVOKING}, {"state": final}) or revoking
        self._audit("expired" if why == "expired" else "removed", actor, revoked, detail=why)
        whose = "their own" if target == actor else f"{msg.mention(target)}'s"
        if why == "expired":
            notice = f":hourglass: {msg.mention(target)}'s access expired: IAM user `{revoked.iam_user_name}` and its keys are deleted."
        elif actor:
            notice = (
                f":wave: {who} removed {whose} access: IAM user `{revoked.iam_user_name}` and its keys are deleted."
            )
        else:
            notice = f":wave: {msg.mention(target)}'s access was {why}: IAM user `{revoked.iam_user_name}` and its keys are deleted."
        self._channel_notice(notice)
        if target != actor:
            dm = msg.removed_dm(revoked, why=why)
            try:
                self.d.slack.send_dm(target, dm.text, dm.blocks)
            except SlackCallFailed as e:
                logger.warning("request %s: removal DM failed: %s", revoked.id, e.error)
        if revoked.credentials == Credentials.NONE and revoked.dm_channel and revoked.dm_ts:
            self._retire_dm_button(revoked)
        subject = "Your" if target == actor else f"{msg.mention(target)}'s"
        return msg.text_reply(
            f"{subject} access is removed: IAM user `{revoked.iam_user_name}` and everything attached to it are "
            "deleted."
        )

    def _cancel(self, actor: str, request: Request) -> msg.Reply:
        cancelled = self.store.compare_and_set(
            request.id, {"state": State.PENDING}, {"state": State.CANCELLED, "closed_by": actor}
        )
        if cancelled is None:
            return self._already_handled(request.id)
        self._audit("cancelled", actor, cancelled)
        self._update_approval_message(cancelled, msg.decided_line(cancelled))
        if actor != cancelled.slack_user_id:
            self._dm(
                cancelled.slack_user_id,
                f":leftwards_arrow_with_hook: {msg.mention(actor)} withdrew your pending AWS Amplify access request "
                f"`{cancelled.id}`. Ask them if you are unsure why; `{msg.COMMAND}` asks again.",
            )
        return msg.text_reply("The pending request was withdrawn; nothing was created.")

    def _retire_dm_button(self, request: Request) -> None:
        note = msg.notice_dm(f"This access was removed by {msg.mention(request.closed_by)}; no key was ever created.")
        try:
            self.d.slack.update_message(request.dm_channel or "", request.dm_ts or "", note.text, note.blocks)
        except SlackCallFailed as e:
            logger.warning("request %s: could not retire the DM button: %s", request.id, e.error)

    # --- time and restarts --------------------------------------------------------------------------

    def sweep(self, *, reconcile: bool = False) -> None:
        """Periodic work: expire undecided requests, revoke expired access, remind before expiry, report drift."""
        now = self.d.clock()
        stalled = [
            r
            for r in self.store.in_states([State.REVOKING])
            if r.updated_at and r.updated_at <= now - REVOKING_RETRY_AFTER
        ]
        cutoff = now - timedelta(hours=self.settings.pending_hours)
        for request in self.store.in_states([State.PENDING]):
            if request.created_at and request.created_at <= cutoff:
                self._expire_pending(request)
        for request in self.store.in_states([State.ACTIVE]):
            if request.expires_at is None:
                continue
            if request.expires_at <= now:
                self._expire_active(request)
            else:
                self._remind(request, request.expires_at - now)
        for request in stalled:  # removals that failed in an earlier sweep or command, not in this one
            logger.warning("request %s: removal stalled since %s; retrying", request.id, request.updated_at)
            self._finish_revoking(request)
        if reconcile:
            self.reconcile()

    def _expire_active(self, request: Request) -> None:
        revoking = self.store.compare_and_set(
            request.id,
            {"state": State.ACTIVE, "expires_at": request.expires_at},  # not if extended since the snapshot
            {"state": State.REVOKING, "closed_by": None},
        )
        if revoking is None:  # removed or extended in the meantime
            return
        logger.info("request %s: access expired at %s; revoking", request.id, request.expires_at)
        self._revoke(revoking, None, revoking.slack_user_id, why="expired")

    def _remind(self, request: Request, left: timedelta) -> None:
        due = next((label for label, before in REMINDERS if left <= before), None)
        if due is None or request.reminded == due:
            return
        # Claim the reminder first, so two sweeps (or two processes) send it once.
        if self.store.compare_and_set(request.id, {"reminded": request.reminded}, {"reminded": due}) is None:
            return
        dm = msg.reminder_dm(request)
        try:
            self.d.slack.send_dm(request.slack_user_id, dm.text, dm.blocks)
        except SlackCallFailed as e:
            logger.warning("request %s: expiry reminder failed: %s", request.id, e.error)
            self.store.compare_and_set(request.id, {"reminded": due}, {"reminded": request.reminded})
            return
        logger.info("request %s: reminded %s of expiry (%s before)", request.id, request.slack_user_id, due)

    def reconcile(self) -> list[str]:
        """Compare IAM under the bot's path with the store: remove orphans, close lost records, report strangers."""
        findings: list[str] = []
        # The store first: a request approved while IAM is listed then shows up as live, never as lost.
        live = {r.iam_user_name.lower(): r for r in self.store.in_states(OPEN_STATES)}
        try:
            users = iam.list_users_under_path(self.d.iam, self.settings.iam_path)
        except iam.IamError as e:
            logger.error("reconcile: cannot list IAM users: %s %s", e.step, e.code)
            return findings
        present = {u.user_name.lower() for u in users}
        for user in users:
            if iam.TAG_SLACK_USER not in user.tags:
                findings.append(
                    f"IAM user `{user.user_name}` is under `{self.settings.iam_path}` without amplify-dev's "
                    "tags: not created by the bot, left untouched."
                )
                continue
            request = live.get(user.user_name.lower())
            if request is not None and request.id == user.tags.get(iam.TAG_REQUEST):
                continue
            if request is not None and request.state == State.APPROVED:
                continue  # being provisioned right now
            try:
                iam.revoke_developer_user(self.d.iam, user.user_name, self.settings.iam_path)
                findings.append(
                    f"IAM user `{user.user_name}` (for {msg.mention(user.tags.get(iam.TAG_SLACK_USER))}) "
                    "had no active request: removed."
                )
            except iam.IamError as e:
                findings.append(
                    f"IAM user `{user.user_name}` has no active request; removing it failed at `{e.step}` ({e.code})."
                )
        for name, request in live.items():
            if request.state == State.ACTIVE and name not in present and self._user_is_gone(request):
                closed = self.store.compare_and_set(
                    request.id,
                    {"state": State.ACTIVE},
                    {"state": State.REVOKED, "error": "IAM user was deleted outside amplify-dev"},
                )
                if closed:
                    self._audit(
                        "removed", None, closed, outcome="missing", detail="IAM user deleted outside amplify-dev"
                    )
                    findings.append(
                        f"{msg.mention(request.slack_user_id)}'s IAM user `{request.iam_user_name}` "
                        "was gone from IAM: record closed."
                    )
        for finding in findings:
            logger.warning("reconcile: %s", finding)
        new = [f for f in findings if f not in self._reported]
        self._reported.update(new)
        if new:
            self._channel_notice(":mag: Drift between IAM and amplify-dev's records:\n• " + "\n• ".join(new))
        return findings

    def _user_is_gone(self, request: Request) -> bool:
        """Ask IAM directly (ListUsers can lag behind a user created seconds ago)."""
        try:
            return iam.get_managed_user(self.d.iam, request.iam_user_name, self.settings.iam_path) is None
        except iam.IamError:
            return False  # not ours, or IAM did not answer: not proof that it is gone

    # --- extensions ---------------------------------------------------------------------------------

    def request_extension(self, actor: str, request_id: str) -> msg.Reply | None:
        """The requester's Extend click: ask the leads for AMPLIFY_DEV_DEFAULT_DAYS more."""
        request = self.store.get(request_id)
        if request is None:
            return msg.text_reply("I don't know that request; nothing was changed.")
        decision = may_use_credentials(actor, request.slack_user_id)
        if not decision.allowed:
            return msg.text_reply("Only the person whose access this is can ask to extend it.")
        if request.state != State.ACTIVE or request.expires_at is None:
            return msg.text_reply(f"There is nothing to extend: {msg.describe_request(request)}")
        days = self.settings.default_days
        asked = self.store.compare_and_set(
            request.id, {"state": State.ACTIVE, "extension_days": None}, {"extension_days": days}
        )
        if asked is None:
            return msg.text_reply("You already asked for an extension; the leads will decide on it.")
        message = msg.extension_request_message(asked)
        try:
            ts = self.d.slack.post_message(self.settings.approval_channel, message.text, message.blocks)
        except SlackCallFailed as e:
            self.store.compare_and_set(request.id, {"extension_days": days}, {"extension_days": None})
            return msg.text_reply(f"I couldn't ask the leads (Slack said `{e.error}`); try again later.")
        self.store.compare_and_set(request.id, {"extension_days": days}, {"extension_ts": ts})
        logger.info("request %s: extension of %s days asked by %s", request.id, days, actor)
        return msg.text_reply(f"Asked the leads for {days} more days; I'll DM you when one of them decides.")

    def decide_extension(self, actor: str, request_id: str, *, approve: bool) -> msg.Reply | None:
        """An approver's decision on an extension: the store, the tag and the inline policy move together."""
        request, refusal = self._decision_refusal(actor, request_id)
        if request is None:
            return refusal
        if request.extension_days is None or request.state != State.ACTIVE:
            return msg.text_reply("There is no extension waiting on this request; nothing was changed.")
        days = request.extension_days
        if not approve:
            denied = self.store.compare_and_set(
                request.id,
                {"extension_days": days},
                {"extension_days": None, "extension_ts": None, "extension_approvals": ""},
            )
            if denied is None:
                return self._already_handled(request.id)
            self._update_extension_message(request, f":no_entry: Extension denied by {msg.mention(actor)}.")
            self._dm(
                request.slack_user_id,
                f":no_entry: {msg.mention(actor)} denied your extension; your access "
                f"still ends {msg.slack_date(request.expires_at)}.",
            )
            return None
        required = self.settings.required_approvals
        approvers = [a for a in request.extension_approvals.split(",") if a]
        if actor in approvers:
            return msg.text_reply("You already approved this extension; another lead has to approve it too.")
        if len(approvers) + 1 < required:  # the same two-person rule as for the request itself
            counted = self.store.compare_and_set(
                request.id,
                {"extension_days": days, "extension_approvals": request.extension_approvals},
                {"extension_approvals": ",".join([*approvers, actor])},
            )
            if counted is None:
                return self._already_handled(request.id)
            self._audit("approved", actor, counted, detail=f"extension {len(approvers) + 1} of {required}")
            return msg.text_reply(f"Your approval of the extension is recorded; {required} leads must approve it.")
        now = self.d.clock()
        new_expiry = max(request.expires_at or now, now) + timedelta(days=days)
        if self.settings.max_days:
            new_expiry = min(new_expiry, now + timedelta(days=self.settings.max_days))
        extended = self.store.compare_and_set(
            request.id,
            {"state": State.ACTIVE, "extension_days": days, "extension_approvals": request.extension_approvals},
            {
                "extension_days": None,
                "extension_ts": None,
                "extension_approvals": "",
                "expires_at": new_expiry,
                "reminded": None,
            },
        )
        if extended is None:
            return self._already_handled(request.id)
        try:
            user = iam.get_managed_user(self.d.iam, request.iam_user_name, self.settings.iam_path)
            if user is None:
                raise iam.IamError("GetUser", "NoSuchEntity", rolled_back=True)
            iam.set_expiry(self.d.iam, user, new_expiry)
        except iam.IamError as e:
            # Keep the store telling the truth: the old expiry is what AWS still enforces.
            self.store.compare_and_set(
                request.id, {"expires_at": new_expiry}, {"expires_at": request.expires_at, "reminded": request.reminded}
            )
            logger.error("request %s: extension failed at %s: %s", request.id, e.step, e.code)
            return msg.text_reply(
                f"AWS refused the extension (`{e.step}`: {e.code}); the access still ends "
                f"{msg.slack_date(request.expires_at)}."
            )
        self._audit("extended", actor, extended, detail=f"by {days} days to {iam.format_expiry(new_expiry)}")
        self._update_extension_message(
            request,
            f":white_check_mark: Extended by {msg.mention(actor)}: access now ends {msg.slack_date(new_expiry)}.",
        )
        self._dm(
            request.slack_user_id,
            f":white_check_mark: {msg.mention(actor)} extended your AWS Amplify access: "
            f"it now ends {msg.slack_date(new_expiry)}.",
        )
        return None

    def _update_extension_message(self, request: Request, outcome: str) -> None:
        if not request.extension_ts:
            self._channel_notice(outcome)
            return
        notice = msg.channel_notice(f"{msg.mention(request.slack_user_id)}'s extension: {outcome}")
        try:
            self.d.slack.update_message(
                self.settings.approval_channel, request.extension_ts, notice.text, notice.blocks
            )
        except SlackCallFailed as e:
            logger.warning("request %s: could not update the extension message: %s", request.id, e.error)
            self._channel_notice(notice.text)

    # --- off-boarding -------------------------------------------------------------------------------

    def offboard(self, user_id: str) -> None:
        """Slack says the user was deactivated: revoke their access at once, withdraw what is pending."""
        request = self.store.open_request_for(user_id)
        # Slack sends this event once: if the user is being provisioned right now, wait for that to finish.
        deadline = time.monotonic() + OFFBOARD_WAIT_SECONDS
        while request is not None and request.state == State.APPROVED and time.monotonic() < deadline:
            time.sleep(0.5)
            request = self.store.open_request_for(user_id)
        if request is None:
            return
        logger.info("request %s: %s was deactivated in Slack; revoking", request.id, user_id)
        if request.state == State.PENDING:
            cancelled = self.store.compare_and_set(request.id, {"state": State.PENDING}, {"state": State.CANCELLED})
            if cancelled:
                self._audit("cancelled", None, cancelled, detail="Slack account deactivated")
                self._update_approval_message(cancelled, f":wave: Withdrawn: {msg.mention(user_id)} was deactivated.")
            return
        revoking = self.store.compare_and_set(
            request.id, {"state": (State.ACTIVE, State.REVOKING)}, {"state": State.REVOKING, "closed_by": None}
        )
        if revoking is not None:
            self._revoke(revoking, None, user_id, why="revoked because their Slack account was deactivated")

    def _expire_pending(self, request: Request) -> None:
        expired = self.store.compare_and_set(
            request.id, {"state": State.PENDING}, {"state": State.EXPIRED, "closed_by": None}
        )
        if expired is None:  # decided in the meantime
            return
        self._audit("expired", None, expired, detail=f"pending over {self.settings.pending_hours} hours")
        self._update_approval_message(
            expired,
            f":hourglass: Expired: nobody decided within {self.settings.pending_hours} hours. "
            f"{msg.mention(expired.slack_user_id)} was told and may ask again.",
        )
        self._dm(
            expired.slack_user_id,
            f":hourglass: Your AWS Amplify access request `{expired.id}` expired: no lead decided within "
            f"{self.settings.pending_hours} hours. Ask again with `{msg.COMMAND}` if you still need it.",
        )

    def recover(self) -> int:
        """At start-up, finish or roll back every request a crash left mid-way; returns how many were touched."""
        touched = 0
        for request in self.store.in_states([State.PENDING, State.APPROVED, State.ACTIVE, State.REVOKING]):
            try:
                if self._recover_one(request):
                    touched += 1
            except Exception:  # one bad request must not keep the bot from starting
                logger.exception("recovery of request %s failed; it stays %s", request.id, request.state)
        logger.info("start-up recovery: %d request(s) needed attention", touched)
        return touched

    def _recover_one(self, request: Request) -> bool:
        if request.state == State.PENDING and not request.approval_ts:
            logger.warning("recovery: request %s was never posted to the approvers; posting it now", request.id)
            message = msg.approval_request_message(request)
            try:
                ts = self.d.slack.post_message(self.settings.approval_channel, message.text, message.blocks)
            except SlackCallFailed as e:
                logger.error("recovery: request %s still cannot be posted: %s", request.id, e.error)
                return True
            self.store.compare_and_set(request.id, {"state": State.PENDING}, {"approval_ts": ts})
            return True
        if request.state == State.APPROVED:
            # Provisioning was cut short. create_developer_user resumes a user tagged with this request id
            # (or creates it), so running it again finishes the job or rolls it back.
            logger.warning("recovery: request %s was approved but not provisioned; finishing", request.id)
            reply = self._provision(request)
            if reply:
                logger.info("recovery: request %s: %s", request.id, reply.text)
            return True
        if request.state == State.ACTIVE and request.credentials == Credentials.MINTING:
            # We cannot know whether the ephemeral reached the requester: a key nobody saw must not live.
            logger.warning("recovery: request %s was showing credentials; deleting what was minted", request.id)
            self._delete_all_keys(request, keep=None)
            if request.console:
                self._discard_minted(request, None, console=True)
            self._release(request, Credentials.MINTING, Credentials.NONE)
            self._dm(
                request.slack_user_id,
                ":warning: I restarted while showing you your AWS credentials, so I deleted them to be safe. "
                "Click *Show credentials* again (in this DM, or via `/amplify-dev status`) for fresh ones.",
            )
            return True
        if request.state == State.ACTIVE and request.credentials == Credentials.ROTATING:
            logger.warning("recovery: request %s was rotating its key; keeping the previous key", request.id)
            self._delete_all_keys(request, keep=request.access_key_id)
            self._release(request, Credentials.ROTATING, Credentials.SHOWN)
            self._dm(
                request.slack_user_id,
                ":warning: I restarted while rotating your AWS key. Your previous key still works; run "
                f"`{msg.COMMAND} rotate` again for a new one.",
            )
            return True
        if request.state == State.ACTIVE and not request.dm_ts:
            logger.warning("recovery: request %s was provisioned but the requester was not told; DMing", request.id)
            try:
                dm = msg.approved_dm(request)
                channel, ts = self.d.slack.send_dm(request.slack_user_id, dm.text, dm.blocks)
            except SlackCallFailed as e:
                logger.error("recovery: request %s: DM failed again: %s", request.id, e.error)
                return True
            self.store.compare_and_set(request.id, {"state": State.ACTIVE}, {"dm_channel": channel, "dm_ts": ts})
            return True
        if request.state == State.ACTIVE and request.extension_days is not None and not request.extension_ts:
            logger.warning("recovery: request %s asked for an extension the leads never saw; clearing it", request.id)
            self.store.compare_and_set(
                request.id,
                {"extension_ts": None, "extension_days": request.extension_days},
                {"extension_days": None, "extension_approvals": ""},
            )
            self._dm(
                request.slack_user_id,
                ":warning: I restarted before your extension request reached the leads; click *Extend* again.",
            )
            return True
        if request.state == State.REVOKING:
            logger.warning("recovery: request %s was being removed; finishing the removal", request.id)
            self._finish_revoking(request)
            return True
        return False

    def _finish_revoking(self, request: Request) -> None:
        """Retry a removal that stopped part-way; closed_by None means the bot started it (expiry, off-boarding)."""
        expired = request.expires_at is not None and request.expires_at <= self.d.clock()
        why = "expired" if request.closed_by is None and expired else "removed"
        self._revoke(request, request.closed_by, request.slack_user_id, why=why)

    def _delete_all_keys(self, request: Request, *, keep: str | None) -> None:
        try:
            for key_id in iam.list_access_key_ids(self.d.iam, request.iam_user_name):
                if key_id != keep:
                    iam.delete_access_key(self.d.iam, request.iam_user_name, key_id)
        except iam.IamError as e:
            logger.error("request %s: could not clean up access keys: %s %s", request.id, e.step, e.code)

    # --- looking ------------------------------------------------------------------------------------

    def status(self, actor: str) -> msg.Reply:
        """The caller's open request, or their latest one."""
        return msg.status_reply(self.store.open_request_for(actor) or self.store.latest_for(actor))

    def list_requests(self, actor: str) -> msg.Reply:
        """Pending requests and active users, for approvers only."""
        if not self.is_approver(actor):
            return msg.text_reply("Only the leads configured for amplify-dev can list requests.")
        pending = self.store.in_states([State.PENDING])
        active = self.store.in_states([State.APPROVED, State.ACTIVE, State.REVOKING])
        return msg.list_reply(pending, active)

    # --- helpers ------------------------------------------------------------------------------------

    def _refresh_approval_request(self, request: Request) -> None:
        """Redraw a still-pending approval message (buttons kept) to show who approved so far."""
        if not (request.approval_channel and request.approval_ts):
            return
        message = msg.approval_request_message(request, required=self.settings.required_approvals)
        try:
            self.d.slack.update_message(request.approval_channel, request.approval_ts, message.text, message.blocks)
        except SlackCallFailed as e:
            logger.warning("request %s: could not update the approval message: %s", request.id, e.error)

    def _update_approval_message(self, request: Request, outcome: str) -> None:
        if not (request.approval_channel and request.approval_ts):
            current = self.store.get(request.id)
            request = current or request
        if not (request.approval_channel and request.approval_ts):
            self._channel_notice(f"Request `{request.id}` from {msg.mention(request.slack_user_id)}: {outcome}")
            return
        message = msg.approval_outcome_message(request, outcome)
        try:
            self.d.slack.update_message(request.approval_channel, request.approval_ts, message.text, message.blocks)
        except SlackCallFailed as e:
            logger.error("request %s: could not update the approval message: %s", request.id, e.error)
            self._channel_notice(f"Request `{request.id}` from {msg.mention(request.slack_user_id)}: {outcome}")

    def _channel_notice(self, text: str) -> None:
        notice = msg.channel_notice(text)
        try:
            self.d.slack.post_message(self.settings.approval_channel, notice.text, notice.blocks)
        except SlackCallFailed as e:
            logger.error("could not post to the approvers' channel: %s", e.error)

    def _audit(self, event: str, actor: str | None, request: Request, outcome: str = "ok", detail: str = "") -> None:
        """Append one audit event (never a secret), log it as one line, and post it to the audit channel if set."""
        record = AuditEvent(
            at=self.d.clock(),
            event=event,
            actor=actor,
            subject=request.slack_user_id,
            request_id=request.id,
            iam_user=request.iam_user_name,
            outcome=outcome,
            detail=detail,
        )
        logger.info(
            "audit %s: request %s by %s for %s (%s) %s%s",
            event,
            request.id,
            actor or "amplify-dev",
            request.slack_user_id,
            request.iam_user_name,
            outcome,
            f" {detail}" if detail else "",
            extra={"event": event, "request_id": request.id, "actor": actor, "subject": request.slack_user_id},
        )
        if self.d.audit is not None:
            try:
                self.d.audit.append(record)
            except Exception:  # the audit trail must not stop access from being granted or removed
                logger.exception("could not write the audit event for request %s", request.id)
        if self.settings.audit_channel:
            line = msg.audit_line(record)
            try:
                self.d.slack.post_message(self.settings.audit_channel, line, None)
            except SlackCallFailed as e:
                logger.warning("could not post to the audit channel: %s", e.error)

    def tell(self, user_id: str, reply: msg.Reply) -> None:
        """Send a reply to a user by DM when there is no response_url to answer through."""
        try:
            self.d.slack.send_dm(user_id, reply.text, reply.blocks)
        except SlackCallFailed as e:
            logger.error("could not DM %s: %s", user_id, e.error)

    def _dm(self, user_id: str, text: str) -> None:
        notice = msg.notice_dm(text)
        try:
            self.d.slack.send_dm(user_id, notice.text, notice.blocks)
        except SlackCallFailed as e:
            logger.error("could not DM %s: %s", user_id, e.error)
