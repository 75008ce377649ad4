"""The requester's DM: approved (with Show credentials), shown, denied, removed, reminded before expiry."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    SectionBlock,
)

from store import Request, RevokeReason

from .basics import COMMAND, EXTEND_ACTION, Message, escape, mention, slack_date
from .credentials import show_credentials_button


def approved_dm(request: Request, sandbox: list[Block] | None = None, *, click: str | None = None) -> Message:
    """Tells the requester who approved, with the Show credentials button that mints their key (and `sandbox`:
    the Amplify sandbox identifier to use, messages/oncall.py); `click`: what the button does, when it is not a key
    (messages/signin.py)."""
    console = " and a console password" if request.console else ""
    click = click or (
        f"Click *Show credentials* when you are ready to copy them: the access key{console} "
        "is created at that moment and shown to you once, only here."
    )
    return Message(
        text=f"Your amplify-dev access was approved by {mention(request.decided_by)}",
        blocks=[
            SectionBlock(
                text=(
                    f":white_check_mark: {mention(request.decided_by)} approved your access to the AWS Amplify "
                    f"project. Your IAM user `{escape(request.iam_user_name)}` is ready.\n{click}"
                )
            ),
            ActionsBlock(block_id="credentials", elements=[show_credentials_button(request)]),
            *(sandbox or []),
        ],
    )


def credentials_shown_dm(request: Request, when: datetime, sandbox: list[Block] | None = None) -> Message:
    """The DM after the credentials were shown: the button is gone, rotate is how to get a new key; the sandbox
    advice stays."""
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
            ),
            *(sandbox or []),
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


def removed_dm(request: Request, *, why: RevokeReason = RevokeReason.REMOVED, ended: str | None = None) -> Message:
    """Tells a developer that their access ended without them asking: removed by a lead, expired, off-boarded.

    `ended` says what happened at AWS (default: the IAM user and its keys are deleted).
    """
    if why == RevokeReason.EXPIRED:
        opening = f":hourglass: Your AWS Amplify access reached its end date ({slack_date(request.expires_at)})"
    elif request.closed_by:
        opening = f":wave: {mention(request.closed_by)} removed your AWS Amplify access"
    else:
        opening = f":wave: Your AWS Amplify access was {why.sentence}"
    ended = ended or f"IAM user `{escape(request.iam_user_name)}` and its keys are deleted."
    text = f"{opening}: {ended} Ask again with `{COMMAND}` if you need it."
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


def notice_dm(text: str) -> Message:
    """A plain DM notice (failures the requester must hear about)."""
    return Message(text=text, blocks=[SectionBlock(text=text)])
