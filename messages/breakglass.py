"""Break-glass words beyond the posts of messages/oncall.py: the audit channel's copy, what the person who broke the
glass is told, the refusals of a second use, the acknowledgement's answers, and the help line. No I/O."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, ContextBlock, MarkdownTextObject

from store import Request, State

from .basics import COMMAND, Message, Reply, escape, mention, slack_date, text_reply
from .oncall import BreakGlassUse, breakglass_post


def hours_text(hours: int) -> str:
    """'1 hour', '4 hours'."""
    return f"{hours} hour{'s' if hours != 1 else ''}"


def breakglass_usage_line(max_hours: int) -> str:
    """The help's line for the command, shown only where break-glass is on."""
    return (
        f"• `{COMMAND} breakglass [--console] [--hours N] <reason>`: on call, take access at once without approval "
        f"(at most {hours_text(max_hours)}; only the people the operator listed; every lead is told)"
    )


def approved_by(request: Request) -> str:
    """'approved by @lead', or for access taken by break-glass, that it was (nobody approved it)."""
    if request.breakglass:
        return "taken through break-glass, without approval"
    return f"approved by {mention(request.decided_by)}"


def breakglass_audit_post(use: BreakGlassUse) -> Message:
    """The audit channel's copy of the post: the same summary, pointing to the approval channel's Acknowledge."""
    post = breakglass_post(use)
    # The summary without "Not yet acknowledged" and the button: Acknowledge is pressed in the approval channel.
    summary = [b for b in post.blocks if not isinstance(b, ActionsBlock)][:-1]
    where = MarkdownTextObject(text=f"A lead acknowledges it on the post in <#{use.approval_channel}>.")
    return Message(text=post.text, blocks=[*summary, ContextBlock(elements=[where])])


def breakglass_taken(use: BreakGlassUse, *, announced: bool) -> Reply:
    """The answer to the person who broke the glass: what they have, until when, who was told."""
    told = (
        f"The leads were told in <#{use.approval_channel}> and by DM, and a lead will acknowledge it."
        if announced
        else f":warning: I couldn't post it to <#{use.approval_channel}>; tell the leads yourself."
    )
    return text_reply(
        f":rotating_light: Break-glass: you have access to `{escape(use.grant.project)}` *without approval* for "
        f"{hours_text(use.hours)} (until {slack_date(use.expires_at)}). {told} Your credentials are in my DM. "
        f"`{COMMAND} remove` ends the access as soon as you are done. Request `{escape(use.request_id)}`."
    )


def breakglass_open_request(existing: Request, description: str) -> Reply:
    """Break-glass refused because the person already has a request or access in this project."""
    todo = (
        f" If you need access now, withdraw it with `{COMMAND} remove` and use break-glass again."
        if existing.state == State.PENDING
        else ""
    )
    return text_reply(f"Break-glass was not used: you already have an open request. {description}{todo}")


def breakglass_failed_notice(request: Request, what: str) -> str:
    """The approval channel's notice when the access taken by break-glass could not be created."""
    return (
        f":rotating_light: Break-glass by {mention(request.slack_user_id)} (request `{escape(request.id)}`): "
        f"{what} Nothing was granted."
    )


def breakglass_failed_dm(what: str) -> str:
    """The DM to the person whose break-glass access could not be created."""
    return (
        f":x: Your break-glass access could not be created: {what} The leads have been told; ask one of them to "
        "approve a request instead."
    )


def not_breakglass() -> Reply:
    """Acknowledge pressed on something that is not a break-glass use (never the case for our own button)."""
    return text_reply("That request was not taken through break-glass, so there is nothing to acknowledge.")


def already_acknowledged(request: Request) -> Reply:
    """What the second lead to press Acknowledge is told."""
    return text_reply(
        f"This break-glass was already acknowledged by {mention(request.breakglass_acked_by)} on "
        f"{slack_date(request.breakglass_acked_at)}. Nothing was changed."
    )


def acknowledged_reply(request: Request) -> Reply:
    """For the lead who acknowledged, when the post itself could not be redrawn."""
    return text_reply(
        f"Acknowledged: {mention(request.slack_user_id)}'s break-glass is no longer flagged in the access review "
        "(it stays in the audit trail)."
    )
