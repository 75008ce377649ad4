"""Every message and modal the bot shows, built by small named functions that do no I/O.

User-typed text (the reason) is shown as plain_text, so it can never ping `<!channel>`, disguise a link
or pick up mrkdwn formatting; anything else interpolated into mrkdwn goes through `escape`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from store import Credentials, Request, State

APPROVE_ACTION = "amplify_dev_approve"
DENY_ACTION = "amplify_dev_deny"
SHOW_CREDENTIALS_ACTION = "amplify_dev_show_credentials"
REQUEST_VIEW = "amplify_dev_request"
REASON_BLOCK, REASON_INPUT = "reason", "reason_input"
CONSOLE_BLOCK, CONSOLE_INPUT = "console", "console_input"
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
        kwargs: dict[str, Any] = {"text": self.text}
        if self.blocks:
            kwargs["blocks"] = [b.to_dict() for b in self.blocks]
        return kwargs


@dataclass(frozen=True)
class Message:
    """A channel or DM message: notification text plus blocks."""

    text: str
    blocks: list[Block]


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


def _reason_block(reason: str) -> SectionBlock:
    return SectionBlock(text=PlainTextObject(text=reason or "(no reason given)", emoji=False))


def _request_fields(request: Request) -> SectionBlock:
    return SectionBlock(
        fields=[
            MarkdownTextObject(text=f"*Requester*\n{mention(request.slack_user_id)}"),
            MarkdownTextObject(text=f"*Console access*\n{'yes' if request.console else 'no'}"),
            MarkdownTextObject(text=f"*IAM user*\n`{escape(request.iam_user_name)}`"),
            MarkdownTextObject(text=f"*Request*\n`{escape(request.id)}`"),
        ]
    )


# --- The approvers' channel ---------------------------------------------------------------------


def approval_request_message(request: Request) -> Message:
    """The request as the leads first see it, with Approve and Deny."""
    buttons = ActionsBlock(
        block_id="decision",
        elements=[
            ButtonElement(text="Approve", action_id=APPROVE_ACTION, value=request.id, style="primary"),
            ButtonElement(
                text="Deny",
                action_id=DENY_ACTION,
                value=request.id,
                style="danger",
                confirm=ConfirmObject(
                    title="Deny this request?",
                    text=f"{mention(request.slack_user_id)} will be told by DM.",
                    confirm="Deny",
                    deny="Cancel",
                ),
            ),
        ],
    )
    return Message(
        text=f"{mention(request.slack_user_id)} asks for access to the AWS Amplify project",
        blocks=[
            SectionBlock(text=f":key: {mention(request.slack_user_id)} asks for access to the AWS Amplify project."),
            _request_fields(request),
            ContextBlock(elements=[MarkdownTextObject(text="*Reason*")]),
            _reason_block(request.reason),
            buttons,
        ],
    )


def approval_outcome_message(request: Request, outcome: str) -> Message:
    """The approvers' message after a decision: who decided, when, and what happened; no buttons."""
    return Message(
        text=f"Access request from {mention(request.slack_user_id)}: {request.state}",
        blocks=[
            SectionBlock(text=f":key: {mention(request.slack_user_id)} asked for access to the AWS Amplify project."),
            _request_fields(request),
            ContextBlock(elements=[MarkdownTextObject(text="*Reason*")]),
            _reason_block(request.reason),
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
    return f"{verb} by {mention(who)} on {slack_date(when)}."


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
            ActionsBlock(
                block_id="credentials",
                elements=[
                    ButtonElement(
                        text="Show credentials",
                        action_id=SHOW_CREDENTIALS_ACTION,
                        value=request.id,
                        style="primary",
                    )
                ],
            ),
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


def removed_dm(request: Request) -> Message:
    """Tells a developer that someone else removed their access."""
    text = (
        f":wave: {mention(request.closed_by)} removed your AWS Amplify access: IAM user "
        f"`{escape(request.iam_user_name)}` and its keys are deleted. Ask again with `{COMMAND}` if you need it."
    )
    return Message(text="Your amplify-dev access was removed", blocks=[SectionBlock(text=text)])


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
        SectionBlock(
            text=(
                f"*Amplify*\nGen 2: `npx ampx sandbox --profile {CLI_PROFILE}`\n"
                f"Amplify CLI (Gen 1): run `amplify init` or `amplify pull`, choose *AWS profile*, "
                f"then `{CLI_PROFILE}`."
            )
        ),
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


# --- Replies to the person who acted --------------------------------------------------------------


def usage_reply(note: str | None = None) -> Reply:
    """How to use the command."""
    lines = [
        f"*{COMMAND}*: ask for access to the team's AWS Amplify project; a lead approves it.",
        f"• `{COMMAND}`: open the request form",
        f"• `{COMMAND} request [--console] <reason>`: ask for access (`--console` adds AWS console sign-in)",
        f"• `{COMMAND} status`: your request or access",
        f"• `{COMMAND} rotate`: replace your access key (the new one is shown once in your DM with me)",
        f"• `{COMMAND} remove`: end your access now (leads: `{COMMAND} remove @someone`)",
        f"• `{COMMAND} list`: pending requests and active users (leads only)",
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
                f"You have access as IAM user {user} (approved by {mention(request.decided_by)}), "
                "but have not fetched your credentials yet: use *Show credentials*."
            )
        case State.ACTIVE:
            return (
                f"You have access as IAM user {user} (approved by {mention(request.decided_by)} on "
                f"{slack_date(request.decided_at)}). `{COMMAND} rotate` replaces your key; "
                f"`{COMMAND} remove` ends access."
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
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Show credentials",
                        action_id=SHOW_CREDENTIALS_ACTION,
                        value=request.id,
                        style="primary",
                    )
                ]
            )
        )
    return Reply(text=describe_request(request), blocks=blocks)


def list_reply(pending: list[Request], active: list[Request]) -> Reply:
    """`list`: pending requests and active users, for approvers."""
    blocks: list[Block] = [SectionBlock(text=f"*Pending requests* ({len(pending)})")]
    for r in pending[:20]:
        blocks.append(
            SectionBlock(
                text=(
                    f"{mention(r.slack_user_id)} for `{escape(r.iam_user_name)}`"
                    f"{' with console' if r.console else ''}, since {slack_date(r.created_at)}"
                )
            )
        )
    blocks.append(SectionBlock(text=f"*Active users* ({len(active)})"))
    for r in active[:20]:
        blocks.append(
            SectionBlock(
                text=(
                    f"{mention(r.slack_user_id)} as `{escape(r.iam_user_name)}` ({r.state}), approved by "
                    f"{mention(r.decided_by)} on {slack_date(r.decided_at)}"
                )
            )
        )
    if len(pending) > 20 or len(active) > 20:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text="Showing the first 20 of each.")]))
    return Reply(text=f"{len(pending)} pending, {len(active)} active", blocks=blocks[:50])


# --- The request form -----------------------------------------------------------------------------


def request_modal(*, allow_console: bool, private_metadata: dict[str, str]) -> View:
    """The form `/amplify-dev` opens: a required reason and, if allowed, a console-access checkbox."""
    blocks: list[Block] = [
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
