"""The approvers' channel: a request and an extension as the leads see them, their outcome, notices, and the
audit channel's line."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from audit import AuditEvent
from store import Request, State

from .basics import (
    APPROVE_ACTION,
    DENY_ACTION,
    EXTEND_APPROVE_ACTION,
    EXTEND_DENY_ACTION,
    IAM_USER,
    Granted,
    Message,
    duration_text,
    escape,
    mention,
    slack_date,
)
from .grant import grant_blocks


def _reason_block(reason: str) -> SectionBlock:
    return SectionBlock(text=PlainTextObject(text=reason or "(no reason given)", emoji=False))


def _request_fields(request: Request, project: str = "", granted: Granted = IAM_USER) -> SectionBlock:
    extra = [MarkdownTextObject(text=f"*Project*\n{project}")] if project else []
    return SectionBlock(
        fields=[
            *extra,
            MarkdownTextObject(text=f"*Requester*\n{mention(request.slack_user_id)}"),
            MarkdownTextObject(text=f"*Console access*\n{'yes' if request.console else 'no'}"),
            MarkdownTextObject(text=f"*{granted.field}*\n{granted.value(request)}"),
            MarkdownTextObject(text=f"*Request*\n`{escape(request.id)}`"),
            MarkdownTextObject(text=f"*Duration*\n{duration_text(request)}"),
        ]
    )


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
                    style="danger",  # the dialog's button is as red as the one that opened it
                ),
            ),
        ],
    )


def approval_request_message(
    request: Request, *, required: int = 1, project: str = "", granted: Granted = IAM_USER
) -> Message:
    """The request as the leads see it until decided, with Approve and Deny (and who approved so far).

    `project`: the project's label (project_label) when the bot serves several, else empty.
    """
    buttons = decision_buttons(request, "decision", APPROVE_ACTION, DENY_ACTION, "Deny this request?")
    return Message(
        text=f"{mention(request.slack_user_id)} asks for access to the AWS Amplify project"
        + (f" {project}" if project else ""),
        blocks=[
            *_request_summary(request, "asks", project, granted),
            *_approvals_so_far(request, required),
            buttons,
        ],
    )


def _request_summary(request: Request, verb: str, project: str = "", granted: Granted = IAM_USER) -> list[Block]:
    """Who asks, the facts the leads decide on, and the reason (plain text)."""
    which = f" {project}" if project else ""
    return [
        SectionBlock(
            text=f":key: {mention(request.slack_user_id)} {verb} for access to the AWS Amplify project{which}."
        ),
        _request_fields(request, project, granted),
        *_grant_blocks(granted),
        ContextBlock(elements=[MarkdownTextObject(text="*Reason*")]),
        _reason_block(request.reason),
    ]


def _grant_blocks(granted: Granted) -> list[Block]:
    """What approving grants (informed approval), when the grant kind describes it."""
    return grant_blocks(granted.grant) if granted.grant is not None else []


def _approvals_so_far(request: Request, required: int) -> list[Block]:
    approvers = list(request.approvals)
    if required <= 1:
        return []
    who = ", ".join(mention(a) for a in approvers) or "nobody yet"
    return [
        ContextBlock(elements=[MarkdownTextObject(text=f"Approved so far by {who} ({len(approvers)} of {required})")])
    ]


def approval_outcome_message(
    request: Request, outcome: str, *, project: str = "", granted: Granted = IAM_USER
) -> Message:
    """The approvers' message after a decision: who decided, when, and what happened; no buttons."""
    return Message(
        text=f"Access request from {mention(request.slack_user_id)}: {request.state}",
        blocks=[
            *_request_summary(request, "asked", project, granted),
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


def extension_request_message(request: Request, granted: Granted = IAM_USER) -> Message:
    """An extension as the leads see it, with what it keeps granted, decided like a normal request."""
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
            *_grant_blocks(granted),
            decision_buttons(request, "extension", EXTEND_APPROVE_ACTION, EXTEND_DENY_ACTION, "Deny this extension?"),
        ],
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
