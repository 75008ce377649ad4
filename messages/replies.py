"""Replies to the person who ran a command: usage, status, list, and several projects' replies in one."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    DividerBlock,
    MarkdownTextObject,
    SectionBlock,
)

from store import Credentials, Request, State

from .basics import COMMAND, IAM_USER, Granted, Reply, duration_text, escape, mention, slack_date, text_reply
from .breakglass import approved_by, breakglass_usage_line
from .credentials import show_credentials_button
from .oncall import last_reminded_line


def usage_reply(note: str | None = None, *, breakglass_hours: int | None = None) -> Reply:
    """How to use the command (`breakglass_hours`: break-glass is on, at most this long, in some project)."""
    lines = [
        f"*{COMMAND}*: ask for access to the team's AWS Amplify project; a lead approves it.",
        f"• `{COMMAND}`: open the request form",
        f"• `{COMMAND} request [--console] [--days N] <reason>`: ask for access (`--console` adds AWS console "
        "sign-in; `--days` how long, within the limit the operator set)",
        f"• `{COMMAND} status`: your request or access",
        f"• `{COMMAND} rotate`: new credentials (a new access key, or with console sign-in a new temporary "
        "password), shown once in your DM with me",
        f"• `{COMMAND} remove`: end your access now (leads: `{COMMAND} remove @someone`)",
        f"• `{COMMAND} list`: pending requests and active users (leads only)",
        f"• `{COMMAND} review`: who holds access and when they last used it, with flags (leads only)",
        *([breakglass_usage_line(breakglass_hours)] if breakglass_hours else []),
        "With several projects, `request`, `remove`, `rotate`, `status` and `list` take `--project NAME`"
        + (" (and `breakglass`)." if breakglass_hours else "."),
    ]
    text = "\n".join(([note, ""] if note else []) + lines)
    return Reply(text=text, blocks=[SectionBlock(text=text)])


def describe_request(request: Request, granted: Granted = IAM_USER) -> str:
    """One sentence on where a request stands, for status and 'you already asked' replies."""
    match request.state:
        case State.PENDING:
            return f"Your request `{escape(request.id)}` from {slack_date(request.created_at)} is waiting for a lead."
        case State.APPROVED:
            return f"Your request was {approved_by(request)}; {granted.what(request)} is being created."
        case State.ACTIVE if request.credentials == Credentials.NONE and granted.keys:
            return (
                f"You have access {granted.holding(request)} ({approved_by(request)}, "
                f"{duration_text(request)}), but have not fetched your credentials yet: use *Show credentials*."
            )
        case State.ACTIVE:
            return (
                f"You have access {granted.holding(request)} ({approved_by(request)} on "
                f"{slack_date(request.decided_at)}), {duration_text(request)}. "
                + (
                    f"`{COMMAND} rotate` sets a new temporary password; "
                    if granted.sign_in
                    else f"`{COMMAND} rotate` replaces your key; "
                    if granted.keys
                    else ""
                )
                + f"`{COMMAND} remove` ends access."
            )
        case State.REVOKING:
            return (
                f"Removal of {granted.what(request)} started but did not finish; run `{COMMAND} remove` to finish it."
            )
        case State.REVOKED:
            return f"Your access {granted.as_name(request)} was removed by {mention(request.closed_by)}. `{COMMAND}` asks again."
        case State.DENIED:
            return f"Your last request was denied by {mention(request.decided_by)}. `{COMMAND}` asks again."
        case State.FAILED:
            return f"Your last request failed: {request.error or 'unknown error'}. `{COMMAND}` asks again."
        case State.CANCELLED:
            return f"You withdrew your last request. `{COMMAND}` asks again."
        case _:
            return f"Your last request has {request.state}. `{COMMAND}` asks again."


def status_reply(request: Request | None, granted: Granted = IAM_USER) -> Reply:
    """`status`: the caller's request or access, with the Show credentials button if it is still due."""
    if request is None:
        return text_reply(f"You have no amplify-dev access and no pending request. `{COMMAND}` asks for access.")
    blocks: list[Block] = [SectionBlock(text=describe_request(request, granted))]
    if granted.keys and request.state == State.ACTIVE and request.credentials == Credentials.NONE:
        blocks.append(ActionsBlock(elements=[show_credentials_button(request)]))
    waiting = _waiting_on_leads(request)
    if waiting:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=waiting)]))
    return Reply(text=describe_request(request, granted) + (f" {waiting}" if waiting else ""), blocks=blocks)


def _waiting_on_leads(request: Request) -> str:
    """What still waits on the leads (the request, or an extension of it) and when they were last reminded."""
    reminded = last_reminded_line(request.last_reminded_at, request.reminders_sent)
    if request.state == State.PENDING:
        return reminded
    if request.state == State.ACTIVE and request.extension_days is not None:
        days = request.extension_days
        return f"Your extension by {days} day{'s' if days != 1 else ''} is waiting for a lead. {reminded}"
    return ""


def list_reply(pending: list[Request], active: list[Request], granted: Granted = IAM_USER) -> Reply:
    """`list`: pending requests and active users, for approvers."""
    blocks: list[Block] = [SectionBlock(text=f"*Pending requests* ({len(pending)})")]
    for r in pending[:20]:
        blocks.append(
            SectionBlock(
                text=(
                    f"{mention(r.slack_user_id)} for {granted.short(r)}"
                    f"{' with console' if r.console else ''}, {duration_text(r)}, since {slack_date(r.created_at)}"
                )
            )
        )
    blocks.append(SectionBlock(text=f"*Active users* ({len(active)})"))
    for r in active[:20]:
        blocks.append(
            SectionBlock(
                text=(
                    f"{mention(r.slack_user_id)} {granted.as_name(r)} ({r.state}), approved by "
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
