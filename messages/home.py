"""The App Home tab: the person's own access and its actions; approvers also see the queue and active users."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from sandbox_label import sandbox_label
from store import Credentials, Request, State

from .basics import APPROVE_ACTION, COMMAND, DENY_ACTION, clip_reason, escape, mention, slack_date
from .credentials import show_credentials_button
from .grant import grant_line
from .home_state import OLD_KEY_DAYS, HomeState, describe_age
from .oncall import last_reminded_line
from .replies import describe_request
from .requests import decision_buttons

HOME_VIEW = "amplify_dev_home"
HOME_REQUEST_ACTION = "amplify_dev_home_request"
HOME_ROTATE_ACTION = "amplify_dev_home_rotate"
HOME_REMOVE_ACTION = "amplify_dev_home_remove"  # value: the Slack user id whose access to remove (a target only)
HOME_BLOCKS_MAX = 100  # Slack's limit for a Home view
# Own state takes at most 5 blocks, each pending request 3, each active user 1, headers and notes 7:
# 5 + 3 * 15 + 25 + 7 = 82, inside the limit whatever the queue holds.
HOME_PENDING_SHOWN = 15
HOME_ACTIVE_SHOWN = 25


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
                        f"{slack_date(request.created_at)} is waiting for a lead. "
                        + last_reminded_line(request.last_reminded_at, request.reminders_sent)
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
                        f":gear: {mention(request.decided_by)} approved your request; "
                        f"{state.granted.what(request)} is being created. I'll DM you when it is ready."
                    )
                )
            ]
        case State.ACTIVE:
            return _home_active_own_blocks(state, request)
        case State.REVOKING:
            return [
                SectionBlock(
                    text=(
                        f":warning: Removal of {state.granted.what(request)} started but did not "
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
                            "Your IAM user and everything attached to it are deleted."
                            if state.granted.keys
                            else f"{state.granted.deleted(request)}.",
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
    granted = state.granted
    remove = _home_remove_button(
        state.user_id, "Remove my access", "Remove your access?", f"{granted.deleted(request)}."
    )
    approved = MarkdownTextObject(
        text=f"*Approved by*\n{mention(request.decided_by)} on {slack_date(request.decided_at)}"
    )
    if not granted.keys:  # nothing to show, rotate or age: signing in is in their DM
        fields = [MarkdownTextObject(text=f"*{granted.field}*\n{granted.value(request)}"), approved]
        return _own_access_blocks(state, fields, [remove])
    if granted.sign_in:
        return _home_sign_in_blocks(state, request, remove, approved)
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
        approved,
    ]
    credentials = _credentials_button(
        request,
        "Rotate access key",
        "Rotate your access key?",
        "A new key is shown once in your DM with me; your current key is deleted right after.",
        "Rotate",
    )
    return _own_access_blocks(state, fields, [credentials, remove])


def _home_sign_in_blocks(
    state: HomeState, request: Request, remove: ButtonElement, approved: MarkdownTextObject
) -> list[Block]:
    """A sign-in grant (no access key): the temporary password is shown once, `rotate` sets a new one."""
    if request.credentials in (Credentials.CLAIMED, Credentials.MINTING, Credentials.ROTATING):
        how = "a temporary password is being set right now: look in your DM with me"
    elif request.credentials == Credentials.NONE:
        how = "*Show credentials* sets a temporary password and shows it once, with the `aws login` steps"
    else:
        how = "console sign-in, then `aws login --profile amplify-dev`; no access key"
    fields = [
        MarkdownTextObject(text=f"*IAM user*\n`{escape(request.iam_user_name)}`"),
        MarkdownTextObject(text=f"*Sign-in*\n{how}"),
        approved,
    ]
    credentials = _credentials_button(
        request,
        "New temporary password",
        "Set a new password?",
        "A new temporary password is shown once in your DM with me; every `aws login` session you have is ended.",
        "Set it",
    )
    return _own_access_blocks(state, fields, [credentials, remove])


def _credentials_button(request: Request, text: str, title: str, body: str, confirm: str) -> ButtonElement:
    """Show credentials while none were minted, else the kind's rotate (with its confirmation)."""
    if request.credentials == Credentials.NONE:
        return show_credentials_button(request)
    return ButtonElement(
        text=text,
        action_id=HOME_ROTATE_ACTION,
        value=request.id,
        confirm=ConfirmObject(title=title, text=body, confirm=confirm, deny="Cancel"),
    )


def _own_access_blocks(state: HomeState, fields: list[MarkdownTextObject], buttons: list[ButtonElement]) -> list[Block]:
    """The requester's own access: its fields (and when it expires) and its buttons."""
    if state.expires_at is not None:
        fields = [*fields, MarkdownTextObject(text=f"*Expires*\n{slack_date(state.expires_at)}")]
    return [
        SectionBlock(text=":white_check_mark: You have access to the AWS Amplify project.", fields=fields),
        ActionsBlock(block_id="home_own", elements=buttons),
    ]


def _home_pending_blocks(state: HomeState) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text=f"Pending requests ({len(state.pending)})")]
    if not state.pending:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text="Nothing is waiting for a decision.")]))
    grant = state.granted.grant
    for request in state.pending[:HOME_PENDING_SHOWN]:
        console = " with console access" if request.console else ""
        blocks.append(
            SectionBlock(
                text=(
                    f"{mention(request.slack_user_id)} asks for {state.granted.what(request)}{console}, "
                    f"since {slack_date(request.created_at)}. Request `{escape(request.id)}`."
                    + (f"\n{grant_line(grant)}" if grant is not None else "")
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
            f"{mention(request.slack_user_id)} {state.granted.as_name(request)}"
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
            whose = f"{mention(request.slack_user_id)}'s "
            accessory = _home_remove_button(
                request.slack_user_id,
                "Remove",
                "Remove this access?",
                f"{state.granted.deleted(request, whose=whose)}; they are told by DM.",
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
        confirm=ConfirmObject(title=title, text=text, confirm=confirm, deny="Cancel", style="danger"),
    )
