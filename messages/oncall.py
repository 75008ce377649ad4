"""Reaching the leads and on-call work: the reminder reply in a request's thread, the "leads last reminded" line,
break-glass (the channel posts with Acknowledge, the DM to every approver, the acknowledged state), and Amplify
sandboxes (the DM's identifier advice, the removal notice's stack lines, the review's flag). No I/O."""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from .basics import CLI_PROFILE, Message, escape, mention, slack_date
from .grant import GrantDescription, grant_blocks

BREAKGLASS_ACK_ACTION = "amplify_dev_breakglass_ack"  # value: the break-glass request's id, nothing else
SANDBOX_WITHOUT_ACCESS = "sandbox of someone without access"  # the access review's flag
SANDBOX_STACKS_SHOWN = 5  # per developer: keeps a section inside Slack's 3,000 characters


# --- reminders --------------------------------------------------------------------------------------------


def approvers_mention(user_ids: Sequence[str], group_ids: Sequence[str]) -> str:
    """Who is asked to decide: the configured user groups (one mention each), then the approvers listed by ID."""
    mentions = [f"<!subteam^{g}>" for g in sorted(group_ids)] + [mention(u) for u in sorted(user_ids)]
    return ", ".join(mentions) or "the leads"


def reminder_reply(
    *,
    requester: str,
    approver_user_ids: Sequence[str],
    approver_group_ids: Sequence[str],
    filed_at: datetime,
    number: int,
    of: int = 4,
    extension: bool = False,
) -> Message:
    """The reply in the request's thread re-announcing an undecided request (or extension) to its approvers."""
    what = "extension" if extension else "access request"
    text = (
        f":bell: {approvers_mention(approver_user_ids, approver_group_ids)}: {mention(requester)}'s {what} "
        f"from {slack_date(filed_at)} is still waiting for a decision. Approve or deny it above."
    )
    return Message(
        text=text,
        blocks=[
            SectionBlock(text=text),
            ContextBlock(elements=[MarkdownTextObject(text=f"Reminder {number} of {of}.")]),
        ],
    )


def last_reminded_line(last_reminded_at: datetime | None, reminders_sent: int, *, of: int = 4) -> str:
    """For the requester's `status`: when the leads were last reminded of their request."""
    if last_reminded_at is None or reminders_sent <= 0:
        return "The leads have not been reminded yet."
    return f"Leads last reminded {slack_date(last_reminded_at)} ({reminders_sent} of {of} reminders)."


# --- break-glass ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BreakGlassUse:
    """One use of break-glass, as every post about it tells it."""

    request_id: str
    user_id: str
    reason: str  # user text: shown as plain_text only
    hours: int
    expires_at: datetime
    grant: GrantDescription
    approval_channel: str  # where the post with Acknowledge is


@dataclass(frozen=True)
class Acknowledgement:
    """Which lead acknowledged a break-glass use, and when."""

    by: str
    at: datetime


def _breakglass_summary(use: BreakGlassUse) -> list[Block]:
    hours = f"{use.hours} hour{'s' if use.hours != 1 else ''}"
    return [
        SectionBlock(
            text=(
                f":rotating_light: *Break-glass:* {mention(use.user_id)} took access to `{escape(use.grant.project)}` "
                f"*without approval*, for {hours} (until {slack_date(use.expires_at)}). Request `{escape(use.request_id)}`."
            )
        ),
        ContextBlock(elements=[MarkdownTextObject(text="*Reason*")]),
        SectionBlock(text=PlainTextObject(text=use.reason or "(no reason given)", emoji=False)),
        *grant_blocks(use.grant),
    ]


def breakglass_post(use: BreakGlassUse, acknowledged: Acknowledgement | None = None) -> Message:
    """The approval channel's (and audit channel's) post: loud, with Acknowledge until a lead presses it."""
    if acknowledged is not None:
        return breakglass_acknowledged_post(use, acknowledged)
    button = ButtonElement(
        text="Acknowledge",
        action_id=BREAKGLASS_ACK_ACTION,
        value=use.request_id,
        style="primary",
        confirm=ConfirmObject(
            title="Acknowledge this break-glass?",
            text="You confirm a lead has seen it; the access review stops flagging it. It stays in the audit trail.",
            confirm="Acknowledge",
            deny="Cancel",
        ),
    )
    return Message(
        text=f"Break-glass: {mention(use.user_id)} took access to {use.grant.project} without approval",
        blocks=[
            *_breakglass_summary(use),
            ContextBlock(elements=[MarkdownTextObject(text="Not yet acknowledged by a lead.")]),
            ActionsBlock(block_id="breakglass", elements=[button]),
        ],
    )


def breakglass_acknowledged_post(use: BreakGlassUse, acknowledged: Acknowledgement) -> Message:
    """The same post once a lead acknowledged it: who and when, no button."""
    return Message(
        text=f"Break-glass by {mention(use.user_id)}: acknowledged by {mention(acknowledged.by)}",
        blocks=[
            *_breakglass_summary(use),
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f":white_check_mark: Acknowledged by {mention(acknowledged.by)} on {slack_date(acknowledged.at)}."
                    )
                ]
            ),
        ],
    )


def breakglass_approver_dm(use: BreakGlassUse) -> Message:
    """The DM to every approver: who broke the glass, for how long, and where to acknowledge it."""
    text = (
        f":rotating_light: {mention(use.user_id)} used break-glass on `{escape(use.grant.project)}`: access without "
        f"approval until {slack_date(use.expires_at)}. Review it and press *Acknowledge* on the post in "
        f"<#{use.approval_channel}>; you can remove the access there or with `/amplify-dev remove`."
    )
    return Message(
        text=text,
        blocks=[
            SectionBlock(text=text),
            ContextBlock(elements=[MarkdownTextObject(text="*Reason*")]),
            SectionBlock(text=PlainTextObject(text=use.reason or "(no reason given)", emoji=False)),
        ],
    )


# --- Amplify sandboxes ------------------------------------------------------------------------------------


class SandboxStackLike(Protocol):
    """What the messages need of a sandbox stack (amplify_sandboxes.SandboxStack has it)."""

    @property
    def stack_name(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def created(self) -> datetime: ...
    @property
    def delete_command(self) -> str: ...


def sandbox_command(identifier: str | None, *, profile: str = CLI_PROFILE) -> str:
    """The command the developer runs for their sandbox, named so the leads can find it later (without an
    identifier: ampx's default, the OS user name)."""
    command = f"npx ampx sandbox --profile {shlex.quote(profile)}"
    return f"{command} --identifier {shlex.quote(identifier)}" if identifier else command


def sandbox_advice(
    identifier: str | None, *, identity_center: bool = False, profile: str = CLI_PROFILE, name: str | None = None
) -> str | None:
    """The DM's advice for Amplify Gen 2: use this identifier for the sandbox (None: no usable identifier).

    `identifier`: the IAM user name `name` (in the Identity Center mode the name derived from Slack), made valid for
    ampx (amplify_sandboxes.sandbox_identifier); when it had to be shortened, the advice says so.
    """
    if not identifier:
        return None
    source = "the name amplify-dev knows you by" if identity_center else "your IAM user name"
    if name and name != identifier:
        # Amplify's --identifier takes 1-15 of [a-zA-Z0-9-]; an IAM user name holds up to 64 of [A-Za-z0-9+=,.@_-].
        kept = re.sub(r"[^A-Za-z0-9-]", "", name)
        how = [
            *(["its other characters dropped"] if kept != name else []),
            *(["cut at the front, keeping the Slack ID at its end"] if len(kept) > 15 else []),
        ]
        source = (
            f"{source} `{escape(name)}` made to fit `ampx`, which takes at most 15 letters, digits and dashes: "
            + " and ".join(how or ["shortened"])
        )
    return (
        f"*Amplify Gen 2 sandbox*: use `{escape(identifier)}` as its identifier ({source}), so the leads can find it "
        f"and have it deleted when your access ends:\n`{escape(sandbox_command(identifier, profile=profile))}`"
    )


def sandbox_advice_block(
    identifier: str | None, *, identity_center: bool = False, profile: str = CLI_PROFILE, name: str | None = None
) -> list[Block]:
    """The advice as a block for the DM (none without an identifier)."""
    advice = sandbox_advice(identifier, identity_center=identity_center, profile=profile, name=name)
    return [SectionBlock(text=advice)] if advice else []


def sandbox_stack_line(stack: SandboxStackLike) -> str:
    """One stack: its name, where, since when, its state, and the command that deletes it."""
    return (
        f"• `{escape(stack.stack_name)}` ({escape(stack.region)}, created {slack_date(stack.created)}, "
        f"{escape(stack.status)}): `{escape(stack.delete_command)}`"
    )


def _stack_lines(stacks: Sequence[SandboxStackLike]) -> list[str]:
    lines = [sandbox_stack_line(s) for s in stacks[:SANDBOX_STACKS_SHOWN]]
    if len(stacks) > SANDBOX_STACKS_SHOWN:
        lines.append(f"• and {len(stacks) - SANDBOX_STACKS_SHOWN} more (`aws cloudformation list-stacks`)")
    return lines


def sandbox_notice_lines(developer: str, stacks: Sequence[SandboxStackLike]) -> list[str]:
    """For the removal notice to the leads: the developer's sandbox stacks, which the bot does not delete."""
    if not stacks:
        return []
    count = f"{len(stacks)} Amplify sandbox stack{'s' if len(stacks) != 1 else ''}"
    return [
        f":package: {mention(developer)} still has {count} (a cost until deleted; amplify-dev deletes nothing). "
        "Delete each with:",
        *_stack_lines(stacks),
    ]


def sandbox_listing_failed_line(developer: str, step: str, code: str) -> str:
    """When the stacks could not be listed: say so, rather than implying there are none."""
    return (
        f":grey_question: Could not look for {mention(developer)}'s Amplify sandbox stacks ({escape(step)}: "
        f"{escape(code)}); `python bot.py check` says what is missing."
    )


def sandbox_review_blocks(leftovers: Sequence[tuple[str, Sequence[SandboxStackLike]]]) -> list[Block]:
    """The access review's section for sandboxes of people without access: one block per developer, flagged."""
    blocks: list[Block] = []
    for developer, stacks in leftovers:
        if not stacks:
            continue
        lines = [f":warning: *{SANDBOX_WITHOUT_ACCESS}*: {mention(developer)}", *_stack_lines(stacks)]
        blocks.append(SectionBlock(text="\n".join(lines)))
    return blocks
