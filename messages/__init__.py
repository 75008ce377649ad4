"""Every message and modal the bot shows, built by small named functions that do no I/O.

User-typed text (the reason) is shown as plain_text, so it can never ping `<!channel>`, disguise a link
or pick up mrkdwn formatting; anything else interpolated into mrkdwn goes through `escape`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from audit import AuditEvent
from sandbox_label import sandbox_label
from store import Credentials, Request, RevokeReason, State

APPROVE_ACTION = "amplify_dev_approve"
DENY_ACTION = "amplify_dev_deny"
SHOW_CREDENTIALS_ACTION = "amplify_dev_show_credentials"
EXTEND_ACTION = "amplify_dev_extend"
EXTEND_APPROVE_ACTION = "amplify_dev_extend_approve"
EXTEND_DENY_ACTION = "amplify_dev_extend_deny"
REQUEST_VIEW = "amplify_dev_request"
REASON_BLOCK, REASON_INPUT = "reason", "reason_input"
CONSOLE_BLOCK, CONSOLE_INPUT = "console", "console_input"
DAYS_BLOCK, DAYS_INPUT = "days", "days_input"
PROJECT_BLOCK, PROJECT_INPUT = "project", "project_input"
REASON_MAX = 1000
CLI_PROFILE = "amplify-dev"
COMMAND = "/amplify-dev"


@dataclass(frozen=True)
class Reply:
    """What to tell the person who acted: text plus optional blocks, always shown only to them."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def to_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for respond()/ack()/chat.postEphemeral."""
        text, blocks = labelled(self.text, self.blocks if self.blocks else None)
        kwargs: dict[str, Any] = {"text": text}
        if blocks:
            kwargs["blocks"] = [b.to_dict() if isinstance(b, Block) else b for b in blocks]
        return kwargs


@dataclass(frozen=True)
class Message:
    """A channel or DM message: notification text plus blocks."""

    text: str
    blocks: list[Block]


def labelled(text: str, blocks: Sequence[Block | dict] | None) -> tuple[str, list[Block | dict] | None]:
    """In sandbox mode, mark a message loudly as such (text and a first block); otherwise leave it as it is."""
    label = sandbox_label()
    if not label:
        return text, list(blocks) if blocks is not None else None
    marker = ContextBlock(elements=[MarkdownTextObject(text=label.rstrip(" —"))])
    return label + text, [marker, *(blocks or [])] if blocks is not None else None


def escape(text: str) -> str:
    """Escape the three characters Slack treats as control sequences in mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(user_id: str | None) -> str:
    """A user mention, or a placeholder when nobody is known."""
    return f"<@{user_id}>" if user_id else "someone"


def slack_date(when: datetime | None) -> str:
    """A timestamp every reader sees in their own time zone, with an ISO fallback."""
    if when is None:
        return "an unknown time"
    epoch = int(when.timestamp())
    return f"<!date^{epoch}^{{date_short_pretty}} at {{time}}|{when.isoformat(timespec='seconds')}>"


def clip_reason(reason: str) -> str:
    """The reason as stored: whitespace-trimmed and capped so every block stays inside Slack's limits."""
    reason = reason.strip()
    return reason if len(reason) <= REASON_MAX else reason[: REASON_MAX - 1] + "…"


def duration_text(request: Request) -> str:
    """How long the access lasts: the expiry once approved, the asked-for days before."""
    if request.expires_at is not None:
        return f"until {slack_date(request.expires_at)}"
    if request.days:
        return f"{request.days} day{'s' if request.days != 1 else ''} from approval"
    return "no expiry"


def _reason_block(reason: str) -> SectionBlock:
    return SectionBlock(text=PlainTextObject(text=reason or "(no reason given)", emoji=False))


def project_label(name: str, description: str = "") -> str:
    """A project as people read it: `name`, and its one-line description if it has one."""
    return f"`{escape(name)}`" + (f" ({escape(description)})" if description else "")


def _request_fields(request: Request, project: str = "") -> SectionBlock:
    extra = [MarkdownTextObject(text=f"*Project*\n{project}")] if project else []
    return SectionBlock(
        fields=[
            *extra,
            MarkdownTextObject(text=f"*Requester*\n{mention(request.slack_user_id)}"),
            MarkdownTextObject(text=f"*Console access*\n{'yes' if request.console else 'no'}"),
            MarkdownTextObject(text=f"*IAM user*\n`{escape(request.iam_user_name)}`"),
            MarkdownTextObject(text=f"*Request*\n`{escape(request.id)}`"),
            MarkdownTextObject(text=f"*Duration*\n{duration_text(request)}"),
        ]
    )


# --- The approvers' channel ---------------------------------------------------------------------


def decision_buttons(
    request: Request, block_id: str, approve_action: str, deny_action: str, title: str
) -> ActionsBlock:
    """Approve (primary) and Deny (danger, with a confirm dialog); the buttons carry only the request id.

    block_id None where several of these share one view (the Home tab's queue).
    """
    return ActionsBlock(
        block_id=block_id,
        elements=[
            ButtonElement(text="Approve", action_id=approve_action, value=request.id, style="primary"),
            ButtonElement(
                text="Deny",
                action_id=deny_action,
                value=request.id,
                style="danger",
                confirm=ConfirmObject(
                    title=title,
                    text=f"{mention(request.slack_user_id)} will be told by DM.",
                    confirm="Deny",
                    deny="Cancel",
                ),
            ),
        ],
    )


def show_credentials_button(request: Request) -> ButtonElement:
    """The requester's Show credentials button: the click mints the key (the button carries only the id)."""
    return ButtonElement(text="Show credentials", action_id=SHOW_CREDENTIALS_ACTION, value=request.id, style="primary")


def approval_request_message(request: Request, *, required: int = 1, project: str = "") -> Message:
    """The request as the leads see it until decided, with Approve and Deny (and who approved so far).

    `project`: the project's label (project_label) when the bot serves several, else empty.
    """
    buttons = decision_buttons(request, "decision", APPROVE_ACTION, DENY_ACTION, "Deny this request?")
    return Message(
        text=f"{mention(request.slack_user_id)} asks for access to the AWS Amplify project"
        + (f" {project}" if project else ""),
        blocks=[
            *_request_summary(request, "asks", project),
            *_approvals_so_far(request, required),
            buttons,
        ],
    )


def _request_summary(request: Request, verb: str, project: str = "") -> list[Block]:
    """Who asks, the facts the leads decide on, and the reason (plain text)."""
    which = f" {project}" if project else ""
    return [
        SectionBlock(
            text=f":key: {mention(request.slack_user_id)} {verb} for access to the AWS Amplify project{which}."
        ),
        _request_fields(request, project),
        ContextBlock(elements=[MarkdownTextObject(text="*Reason*")]),
        _reason_block(request.reason),
    ]


def _approvals_so_far(request: Request, required: int) -> list[Block]:
    approvers = list(request.approvals)
    if required <= 1:
        return []
    who = ", ".join(mention(a) for a in approvers) or "nobody yet"
    return [
        ContextBlock(elements=[MarkdownTextObject(text=f"Approved so far by {who} ({len(approvers)} of {required})")])
    ]


def approval_outcome_message(request: Request, outcome: str, *, project: str = "") -> Message:
    """The approvers' message after a decision: who decided, when, and what happened; no buttons."""
    return Message(
        text=f"Access request from {mention(request.slack_user_id)}: {request.state}",
        blocks=[
            *_request_summary(request, "asked", project),
            DividerBlock(),
            SectionBlock(text=outcome),
        ],
    )


def decided_line(request: Request) -> str:
    """'Approved by @x on <date>' for the state the request is in."""
    verb = {
        State.DENIED: ":no_entry: Denied",
        State.CANCELLED: ":leftwards_arrow_with_hook: Withdrawn",
    }.get(request.state, ":white_check_mark: Approved")
    who = request.closed_by if request.state == State.CANCELLED else request.decided_by
    when = request.updated_at if request.state == State.CANCELLED else request.decided_at
    approvers = list(request.approvals)
    by = " and ".join(mention(a) for a in approvers) if len(approvers) > 1 else mention(who)
    return f"{verb} by {by} on {slack_date(when)}."


def provisioned_outcome(request: Request) -> str:
    """Outcome text once the IAM user exists."""
    return f"{decided_line(request)} IAM user `{escape(request.iam_user_name)}` created."


def channel_notice(text: str) -> Message:
    """A one-line notice for the approvers' channel."""
    return Message(text=text, blocks=[SectionBlock(text=text)])


# --- The requester's DM -------------------------------------------------------------------------


def approved_dm(request: Request) -> Message:
    """Tells the requester who approved, with the Show credentials button that mints their key."""
    console = " and a console password" if request.console else ""
    return Message(
        text=f"Your amplify-dev access was approved by {mention(request.decided_by)}",
        blocks=[
            SectionBlock(
                text=(
                    f":white_check_mark: {mention(request.decided_by)} approved your access to the AWS Amplify "
                    f"project. Your IAM user `{escape(request.iam_user_name)}` is ready.\n"
                    f"Click *Show credentials* when you are ready to copy them: the access key{console} "
                    "is created at that moment and shown to you once, only here."
                )
            ),
            ActionsBlock(block_id="credentials", elements=[show_credentials_button(request)]),
        ],
    )


def credentials_shown_dm(request: Request, when: datetime) -> Message:
    """The DM after the credentials were shown: the button is gone, rotate is how to get a new key."""
    return Message(
        text="Your amplify-dev credentials were shown",
        blocks=[
            SectionBlock(
                text=(
                    f":white_check_mark: Access approved by {mention(request.decided_by)}. Your credentials for "
                    f"`{escape(request.iam_user_name)}` were shown on {slack_date(when)} and are not stored "
                    f"anywhere. Lost them? Run `{COMMAND} rotate` for a new access key; "
                    f"`{COMMAND} remove` ends your access."
                )
            )
        ],
    )


def denied_dm(request: Request) -> Message:
    """Tells the requester their request was denied and that they may ask again."""
    text = (
        f":no_entry: {mention(request.decided_by)} denied your request for AWS Amplify access "
        f"(request `{escape(request.id)}`). Talk to them if you are unsure why; you can ask again with "
        f"`{COMMAND}`."
    )
    return Message(text="Your amplify-dev request was denied", blocks=[SectionBlock(text=text)])


def removed_dm(request: Request, *, why: RevokeReason = RevokeReason.REMOVED) -> Message:
    """Tells a developer that their access ended without them asking: removed by a lead, expired, off-boarded."""
    if why == RevokeReason.EXPIRED:
        opening = f":hourglass: Your AWS Amplify access reached its end date ({slack_date(request.expires_at)})"
    elif request.closed_by:
        opening = f":wave: {mention(request.closed_by)} removed your AWS Amplify access"
    else:
        opening = f":wave: Your AWS Amplify access was {why.sentence}"
    text = (
        f"{opening}: IAM user `{escape(request.iam_user_name)}` and its keys are deleted. "
        f"Ask again with `{COMMAND}` if you need it."
    )
    return Message(text="Your amplify-dev access ended", blocks=[SectionBlock(text=text)])


def reminder_dm(request: Request) -> Message:
    """Before expiry: when access ends, with an Extend button that asks the leads for more time."""
    text = (
        f":hourglass_flowing_sand: Your AWS Amplify access as `{escape(request.iam_user_name)}` ends "
        f"{slack_date(request.expires_at)}. Need longer? *Extend* asks the leads for more time."
    )
    return Message(
        text="Your amplify-dev access expires soon",
        blocks=[
            SectionBlock(text=text),
            ActionsBlock(
                block_id="extend",
                elements=[ButtonElement(text="Extend", action_id=EXTEND_ACTION, value=request.id, style="primary")],
            ),
        ],
    )


def extension_request_message(request: Request) -> Message:
    """An extension as the leads see it, decided like a normal request."""
    days = request.extension_days or 0
    return Message(
        text=f"{mention(request.slack_user_id)} asks to extend their AWS Amplify access",
        blocks=[
            SectionBlock(
                text=(
                    f":hourglass_flowing_sand: {mention(request.slack_user_id)} asks to extend their access as "
                    f"`{escape(request.iam_user_name)}` by {days} day{'s' if days != 1 else ''} "
                    f"(now ends {slack_date(request.expires_at)})."
                )
            ),
            decision_buttons(request, "extension", EXTEND_APPROVE_ACTION, EXTEND_DENY_ACTION, "Deny this extension?"),
        ],
    )


def notice_dm(text: str) -> Message:
    """A plain DM notice (failures the requester must hear about)."""
    return Message(text=text, blocks=[SectionBlock(text=text)])


@dataclass(frozen=True)
class CredentialsShown:
    """What the credentials ephemeral shows. The secret fields are revealed only inside blocks."""

    user_name: str
    access_key_id: str
    secret_access_key: str
    region: str
    console_password: str | None = None
    signin_url: str | None = None
    amplify_app_id: str | None = None  # the project's Amplify app: the exact `amplify pull` to run
    amplify_env: str | None = None

    def __repr__(self) -> str:  # a stray log of this object must not print the secrets
        return f"CredentialsShown(user_name={self.user_name!r}, access_key_id={self.access_key_id!r}, ***)"


def credentials_ephemeral(shown: CredentialsShown, *, rotated: bool = False) -> Reply:
    """The one and only message that carries the secret key (and console password)."""
    key_id, secret, region = (
        escape(shown.access_key_id),
        escape(shown.secret_access_key),
        escape(shown.region),
    )
    title = "Your new AWS access key" if rotated else "Your AWS credentials"
    blocks: list[Block] = [
        SectionBlock(
            text=(
                f":key: *{title} for amplify-dev*. Shown once, only to you, never stored: copy them now. "
                f"Lost them? Run `{COMMAND} rotate`."
            )
        ),
        SectionBlock(
            fields=[
                MarkdownTextObject(text=f"*Access key ID*\n`{key_id}`"),
                MarkdownTextObject(text=f"*Secret access key*\n`{secret}`"),
                MarkdownTextObject(text=f"*Region*\n`{region}`"),
                MarkdownTextObject(text=f"*IAM user*\n`{escape(shown.user_name)}`"),
            ]
        ),
        SectionBlock(
            text=(
                "*AWS CLI profile*\n```"
                f"aws configure set aws_access_key_id {key_id} --profile {CLI_PROFILE}\n"
                f"aws configure set aws_secret_access_key {secret} --profile {CLI_PROFILE}\n"
                f"aws configure set region {region} --profile {CLI_PROFILE}```"
            )
        ),
        SectionBlock(text=_amplify_commands(shown)),
    ]
    if shown.console_password and shown.signin_url:
        blocks.append(
            SectionBlock(
                text=(
                    f"*AWS console*\nSign in at {escape(shown.signin_url)}\n"
                    f"User name: `{escape(shown.user_name)}`\n"
                    f"Temporary password: `{escape(shown.console_password)}`\n"
                    "You must choose a new password when you first sign in."
                )
            )
        )
    # The notification text is what phones and previews show: it never carries a secret.
    return Reply(text=f"{title} for amplify-dev (shown once)", blocks=blocks)


def _amplify_commands(shown: CredentialsShown) -> str:
    """How to use the profile with Amplify: the exact `amplify pull` when the project names its app."""
    if shown.amplify_app_id:
        pull = f"amplify pull --appId {escape(shown.amplify_app_id)}" + (
            f" --envName {escape(shown.amplify_env)}" if shown.amplify_env else ""
        )
        return (
            f"*Amplify*\nGen 2: `npx ampx sandbox --profile {CLI_PROFILE}`\n"
            f"Amplify CLI (Gen 1): `{pull}`, choose *AWS profile*, then `{CLI_PROFILE}`."
        )
    return (
        f"*Amplify*\nGen 2: `npx ampx sandbox --profile {CLI_PROFILE}`\n"
        f"Amplify CLI (Gen 1): run `amplify init` or `amplify pull`, choose *AWS profile*, "
        f"then `{CLI_PROFILE}`."
    )


def audit_line(event: AuditEvent) -> str:
    """One line for the audit channel (never a secret)."""
    actor = mention(event.actor) if event.actor else "amplify-dev"
    outcome = "" if event.outcome == "ok" else f" — {escape(event.outcome)}"
    detail = f" ({escape(event.detail)})" if event.detail else ""
    return (
        f"`{event.event}` by {actor} for {mention(event.subject)}: IAM user `{escape(event.iam_user or '-')}`, "
        f"request `{escape(event.request_id or '-')}`{detail}{outcome}"
    )


# --- Replies to the person who acted --------------------------------------------------------------


def usage_reply(note: str | None = None) -> Reply:
    """How to use the command."""
    lines = [
        f"*{COMMAND}*: ask for access to the team's AWS Amplify project; a lead approves it.",
        f"• `{COMMAND}`: open the request form",
        f"• `{COMMAND} request [--console] [--days N] <reason>`: ask for access (`--console` adds AWS console "
        "sign-in; `--days` how long, within the limit the operator set)",
        f"• `{COMMAND} status`: your request or access",
        f"• `{COMMAND} rotate`: replace your access key (the new one is shown once in your DM with me)",
        f"• `{COMMAND} remove`: end your access now (leads: `{COMMAND} remove @someone`)",
        f"• `{COMMAND} list`: pending requests and active users (leads only)",
        f"• `{COMMAND} review`: who holds access and when they last used it, with flags (leads only)",
        "With several projects, `request`, `remove`, `rotate`, `status` and `list` take `--project NAME`.",
    ]
    text = "\n".join(([note, ""] if note else []) + lines)
    return Reply(text=text, blocks=[SectionBlock(text=text)])


def text_reply(text: str) -> Reply:
    """A one-paragraph reply."""
    return Reply(text=text, blocks=[SectionBlock(text=text)])


def describe_request(request: Request) -> str:
    """One sentence on where a request stands, for status and 'you already asked' replies."""
    user = f"`{escape(request.iam_user_name)}`"
    match request.state:
        case State.PENDING:
            return f"Your request `{escape(request.id)}` from {slack_date(request.created_at)} is waiting for a lead."
        case State.APPROVED:
            return f"Your request was approved by {mention(request.decided_by)}; IAM user {user} is being created."
        case State.ACTIVE if request.credentials == Credentials.NONE:
            return (
                f"You have access as IAM user {user} (approved by {mention(request.decided_by)}, "
                f"{duration_text(request)}), but have not fetched your credentials yet: use *Show credentials*."
            )
        case State.ACTIVE:
            return (
                f"You have access as IAM user {user} (approved by {mention(request.decided_by)} on "
                f"{slack_date(request.decided_at)}), {duration_text(request)}. `{COMMAND} rotate` replaces your "
                f"key; `{COMMAND} remove` ends access."
            )
        case State.REVOKING:
            return f"Removal of IAM user {user} started but did not finish; run `{COMMAND} remove` to finish it."
        case State.REVOKED:
            return f"Your access as {user} was removed by {mention(request.closed_by)}. `{COMMAND}` asks again."
        case State.DENIED:
            return f"Your last request was denied by {mention(request.decided_by)}. `{COMMAND}` asks again."
        case State.FAILED:
            return f"Your last request failed: {request.error or 'unknown error'}. `{COMMAND}` asks again."
        case State.CANCELLED:
            return f"You withdrew your last request. `{COMMAND}` asks again."
        case _:
            return f"Your last request has {request.state}. `{COMMAND}` asks again."


def status_reply(request: Request | None) -> Reply:
    """`status`: the caller's request or access, with the Show credentials button if it is still due."""
    if request is None:
        return text_reply(f"You have no amplify-dev access and no pending request. `{COMMAND}` asks for access.")
    blocks: list[Block] = [SectionBlock(text=describe_request(request))]
    if request.state == State.ACTIVE and request.credentials == Credentials.NONE:
        blocks.append(ActionsBlock(elements=[show_credentials_button(request)]))
    return Reply(text=describe_request(request), blocks=blocks)


def list_reply(pending: list[Request], active: list[Request]) -> Reply:
    """`list`: pending requests and active users, for approvers."""
    blocks: list[Block] = [SectionBlock(text=f"*Pending requests* ({len(pending)})")]
    for r in pending[:20]:
        blocks.append(
            SectionBlock(
                text=(
                    f"{mention(r.slack_user_id)} for `{escape(r.iam_user_name)}`"
                    f"{' with console' if r.console else ''}, {duration_text(r)}, since {slack_date(r.created_at)}"
                )
            )
        )
    blocks.append(SectionBlock(text=f"*Active users* ({len(active)})"))
    for r in active[:20]:
        blocks.append(
            SectionBlock(
                text=(
                    f"{mention(r.slack_user_id)} as `{escape(r.iam_user_name)}` ({r.state}), approved by "
                    f"{mention(r.decided_by)} on {slack_date(r.decided_at)}, {duration_text(r)}"
                )
            )
        )
    if len(pending) > 20 or len(active) > 20:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text="Showing the first 20 of each.")]))
    return Reply(text=f"{len(pending)} pending, {len(active)} active", blocks=blocks[:50])


def by_project(parts: list[tuple[str, Reply]]) -> Reply:
    """Several projects' replies in one: a heading per project (its label), then its reply's blocks."""
    blocks: list[Block] = []
    for label, reply in parts:
        blocks.append(SectionBlock(text=f"*Project* {label}"))
        blocks.extend(reply.blocks or [SectionBlock(text=reply.text)])
        blocks.append(DividerBlock())
    text = "\n".join(f"{label}: {reply.text}" for label, reply in parts)
    return Reply(text=text[:3000], blocks=blocks[:-1][:50])


# --- The request form -----------------------------------------------------------------------------


def request_modal(
    *,
    allow_console: bool,
    private_metadata: dict[str, str],
    default_days: int = 30,
    max_days: int = 90,
    projects: Sequence[tuple[str, str]] = (),
) -> View:
    """The form `/amplify-dev` opens: a required reason and, if allowed, a console-access checkbox.

    `projects`: (name, label) of each project when there are several: the form then starts with a select.
    """
    blocks: list[Block] = []
    if projects:
        blocks.append(
            InputBlock(
                block_id=PROJECT_BLOCK,
                label="Which project?",
                element=StaticSelectElement(
                    action_id=PROJECT_INPUT,
                    placeholder="Choose a project",
                    options=[Option(value=name, text=label.replace("`", "")[:75]) for name, label in projects],
                ),
            )
        )
    blocks += [
        InputBlock(
            block_id=REASON_BLOCK,
            label="Why do you need access?",
            element=PlainTextInputElement(
                action_id=REASON_INPUT,
                multiline=True,
                min_length=1,
                max_length=REASON_MAX,
                placeholder="e.g. Working on the checkout feature this sprint",
            ),
        )
    ]
    limit = f"at most {max_days}" if max_days else "0 for no expiry"
    blocks.append(
        InputBlock(
            block_id=DAYS_BLOCK,
            label=f"For how many days? ({limit})",
            element=NumberInputElement(
                action_id=DAYS_INPUT,
                is_decimal_allowed=False,
                initial_value=str(default_days),
                min_value="0" if not max_days else "1",
                max_value=str(max_days) if max_days else None,
            ),
        )
    )
    if allow_console:
        blocks.append(
            InputBlock(
                block_id=CONSOLE_BLOCK,
                label="AWS console",
                optional=True,
                element=CheckboxesElement(
                    action_id=CONSOLE_INPUT,
                    options=[
                        Option(
                            value="console",
                            text="Also give me console sign-in (new password required at first sign-in)",
                        )
                    ],
                ),
            )
        )
    return View(
        type="modal",
        callback_id=REQUEST_VIEW,
        title="Amplify access",
        submit="Request",
        close="Cancel",
        private_metadata=json.dumps(private_metadata),
        blocks=blocks,
    )


# --- App Home -------------------------------------------------------------------------------------


HOME_VIEW = "amplify_dev_home"
HOME_REQUEST_ACTION = "amplify_dev_home_request"
HOME_ROTATE_ACTION = "amplify_dev_home_rotate"
HOME_REMOVE_ACTION = "amplify_dev_home_remove"  # value: the Slack user id whose access to remove (a target only)
HOME_BLOCKS_MAX = 100  # Slack's limit for a Home view
# Own state takes at most 5 blocks, each pending request 3, each active user 1, headers and notes 7:
# 5 + 3 * 15 + 25 + 7 = 82, inside the limit whatever the queue holds.
HOME_PENDING_SHOWN = 15
HOME_ACTIVE_SHOWN = 25
OLD_KEY_DAYS = 90


@dataclass(frozen=True)
class HomeState:
    """Everything the Home tab shows one person, read at one moment (by the workflow; rendered here)."""

    user_id: str
    now: datetime
    request: Request | None = None  # their open request, else their latest one, else None
    key_age: timedelta | None = None  # age of the access key in use; None when there is none or it is unknown
    key_age_unknown: bool = False  # IAM could not be asked (or answered oddly): show "unknown"
    expires_at: datetime | None = None  # when their access ends, if requests carry an expiry
    is_approver: bool = False
    pending: tuple[Request, ...] = ()  # approvers only: the queue, oldest first
    active: tuple[Request, ...] = ()  # approvers only: who holds access now, oldest first


def describe_age(age: timedelta | None) -> str:
    """A key's age in words: 'less than a minute', '5 minutes', '3 hours', '12 days' (or 'unknown')."""
    if age is None:
        return "unknown"
    seconds = int(age.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return "less than a minute"


def home_view(state: HomeState) -> View:
    """The App Home tab: the person's own access and its actions; approvers also see the queue and active users."""
    blocks: list[Block] = [HeaderBlock(text="Your AWS Amplify access"), *_home_own_blocks(state)]
    if sandbox_label():
        blocks.insert(0, ContextBlock(elements=[MarkdownTextObject(text=sandbox_label().rstrip(" —"))]))
    if state.is_approver:
        blocks += [DividerBlock(), *_home_pending_blocks(state), DividerBlock(), *_home_active_blocks(state)]
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(text=f"`{COMMAND} help` lists every command. Updated {slack_date(state.now)}.")
            ]
        )
    )
    return View(type="home", callback_id=HOME_VIEW, blocks=blocks[:HOME_BLOCKS_MAX])


def projects_home_view(states: Sequence[tuple[str, HomeState]]) -> View:
    """The Home tab of a bot with several projects: per project (its label) the person's own access, and the
    queue and active users of the projects they lead."""
    blocks: list[Block] = [HeaderBlock(text="Your AWS Amplify access")]
    if sandbox_label():
        blocks.insert(0, ContextBlock(elements=[MarkdownTextObject(text=sandbox_label().rstrip(" —"))]))
    for index, (label, state) in enumerate(states):
        blocks.append(SectionBlock(text=f"*Project* {label}"))
        own = _home_own_blocks(state)
        for block in own:  # block ids must be unique within a view
            if isinstance(block, ActionsBlock) and block.block_id:
                block.block_id = f"{block.block_id}_{index}"
        blocks += own
        if state.is_approver:
            blocks += [*_home_pending_blocks(state), *_home_active_blocks(state)]
        blocks.append(DividerBlock())
    now = states[0][1].now if states else datetime.now()
    blocks.append(
        ContextBlock(
            elements=[MarkdownTextObject(text=f"`{COMMAND} help` lists every command. Updated {slack_date(now)}.")]
        )
    )
    return View(type="home", callback_id=HOME_VIEW, blocks=blocks[:HOME_BLOCKS_MAX])


def _home_own_blocks(state: HomeState) -> list[Block]:
    request = state.request
    if request is None:
        return [
            SectionBlock(text="You have no amplify-dev access and no pending request."),
            ActionsBlock(block_id="home_own", elements=[_home_request_button()]),
        ]
    match request.state:
        case State.PENDING:
            console = " with console access" if request.console else ""
            return [
                SectionBlock(
                    text=(
                        f":hourglass_flowing_sand: Your request `{escape(request.id)}`{console} from "
                        f"{slack_date(request.created_at)} is waiting for a lead."
                    )
                ),
                _home_reason(request),
                ActionsBlock(
                    block_id="home_own",
                    elements=[
                        _home_remove_button(
                            state.user_id,
                            "Withdraw request",
                            "Withdraw your request?",
                            "The leads will no longer see it; you can ask again at any time.",
                            confirm="Withdraw",
                        )
                    ],
                ),
            ]
        case State.APPROVED:
            return [
                SectionBlock(
                    text=(
                        f":gear: {mention(request.decided_by)} approved your request; IAM user "
                        f"`{escape(request.iam_user_name)}` is being created. I'll DM you when it is ready."
                    )
                )
            ]
        case State.ACTIVE:
            return _home_active_own_blocks(state, request)
        case State.REVOKING:
            return [
                SectionBlock(
                    text=(
                        f":warning: Removal of IAM user `{escape(request.iam_user_name)}` started but did not "
                        "finish; some access may remain."
                    )
                ),
                ActionsBlock(
                    block_id="home_own",
                    elements=[
                        _home_remove_button(
                            state.user_id,
                            "Finish removal",
                            "Finish removing your access?",
                            "Your IAM user and everything attached to it are deleted.",
                            confirm="Finish removal",
                        )
                    ],
                ),
            ]
        case _:
            return [
                SectionBlock(text=describe_request(request)),
                ActionsBlock(block_id="home_own", elements=[_home_request_button()]),
            ]


def _home_active_own_blocks(state: HomeState, request: Request) -> list[Block]:
    if request.credentials in (Credentials.CLAIMED, Credentials.MINTING, Credentials.ROTATING):
        key = "being created right now: look in your DM with me"
    elif state.key_age_unknown:
        key = "age unknown (I couldn't ask AWS just now)"
    elif state.key_age is not None:
        key = f"{describe_age(state.key_age)} old"
        if state.key_age >= timedelta(days=OLD_KEY_DAYS):
            key += f"\n:warning: older than {OLD_KEY_DAYS} days: consider *Rotate access key*"
    elif request.credentials == Credentials.NONE:
        key = "none yet: *Show credentials* creates it and shows it once"
    else:
        key = "none found: *Rotate access key* creates a new one"
    fields = [
        MarkdownTextObject(text=f"*IAM user*\n`{escape(request.iam_user_name)}`"),
        MarkdownTextObject(text=f"*Access key*\n{key}"),
        MarkdownTextObject(text=f"*Console access*\n{'yes' if request.console else 'no'}"),
        MarkdownTextObject(text=f"*Approved by*\n{mention(request.decided_by)} on {slack_date(request.decided_at)}"),
    ]
    if state.expires_at is not None:
        fields.append(MarkdownTextObject(text=f"*Expires*\n{slack_date(state.expires_at)}"))
    buttons: list[ButtonElement] = []
    if request.credentials == Credentials.NONE:
        buttons.append(show_credentials_button(request))
    else:
        buttons.append(
            ButtonElement(
                text="Rotate access key",
                action_id=HOME_ROTATE_ACTION,
                value=request.id,
                confirm=ConfirmObject(
                    title="Rotate your access key?",
                    text="A new key is shown once in your DM with me; your current key is deleted right after.",
                    confirm="Rotate",
                    deny="Cancel",
                ),
            )
        )
    buttons.append(
        _home_remove_button(
            state.user_id,
            "Remove my access",
            "Remove your access?",
            f"IAM user `{escape(request.iam_user_name)}` and its keys are deleted at once.",
        )
    )
    return [
        SectionBlock(text=":white_check_mark: You have access to the AWS Amplify project.", fields=fields),
        ActionsBlock(block_id="home_own", elements=buttons),
    ]


def _home_pending_blocks(state: HomeState) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text=f"Pending requests ({len(state.pending)})")]
    if not state.pending:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text="Nothing is waiting for a decision.")]))
    for request in state.pending[:HOME_PENDING_SHOWN]:
        console = " with console access" if request.console else ""
        blocks.append(
            SectionBlock(
                text=(
                    f"{mention(request.slack_user_id)} asks for IAM user `{escape(request.iam_user_name)}`{console}, "
                    f"since {slack_date(request.created_at)}. Request `{escape(request.id)}`."
                )
            )
        )
        blocks.append(_home_reason(request))
        if request.slack_user_id == state.user_id:
            blocks.append(ContextBlock(elements=[MarkdownTextObject(text="Your own request: another lead decides.")]))
        else:
            blocks.append(decision_buttons(request, None, APPROVE_ACTION, DENY_ACTION, "Deny this request?"))
    blocks.extend(_home_more(len(state.pending), HOME_PENDING_SHOWN, "requests"))
    return blocks


def _home_active_blocks(state: HomeState) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text=f"Active users ({len(state.active)})")]
    if not state.active:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text="Nobody has access right now.")]))
    for request in state.active[:HOME_ACTIVE_SHOWN]:
        text = (
            f"{mention(request.slack_user_id)} as `{escape(request.iam_user_name)}`"
            f"{' with console access' if request.console else ''}, approved by {mention(request.decided_by)} on "
            f"{slack_date(request.decided_at)}"
        )
        expires_at = getattr(request, "expires_at", None)
        if isinstance(expires_at, datetime):
            text += f", expires {slack_date(expires_at)}"
        accessory: ButtonElement | None = None
        if request.state == State.APPROVED:
            text += " (being set up)"
        else:
            if request.state == State.REVOKING:
                text += " (removal did not finish)"
            accessory = _home_remove_button(
                request.slack_user_id,
                "Remove",
                "Remove this access?",
                f"{mention(request.slack_user_id)}'s IAM user `{escape(request.iam_user_name)}` and its keys are "
                "deleted at once; they are told by DM.",
            )
        blocks.append(SectionBlock(text=text, accessory=accessory))
    blocks.extend(_home_more(len(state.active), HOME_ACTIVE_SHOWN, "users"))
    return blocks


def _home_more(total: int, shown: int, what: str) -> list[Block]:
    if total <= shown:
        return []
    note = f"…and {total - shown} more {what} not shown here (oldest first above)."
    return [ContextBlock(elements=[MarkdownTextObject(text=note)])]


def _home_reason(request: Request) -> ContextBlock:
    # plain_text: a reason can never ping, link or format
    reason = clip_reason(request.reason) or "(no reason given)"
    return ContextBlock(elements=[PlainTextObject(text=f"Reason: {reason}", emoji=False)])


def _home_request_button() -> ButtonElement:
    return ButtonElement(text="Request access", action_id=HOME_REQUEST_ACTION, value="request", style="primary")


def _home_remove_button(target: str, label: str, title: str, text: str, *, confirm: str = "Remove") -> ButtonElement:
    return ButtonElement(
        text=label,
        action_id=HOME_REMOVE_ACTION,
        value=target,
        style="danger",
        confirm=ConfirmObject(title=title, text=text, confirm=confirm, deny="Cancel"),
    )
