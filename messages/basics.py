"""What every message is made of: Reply and Message, the sandbox label, escaping, mentions, dates, and the
action IDs the handlers route on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from sandbox_label import sandbox_label
from store import Request

APPROVE_ACTION = "amplify_dev_approve"
DENY_ACTION = "amplify_dev_deny"
SHOW_CREDENTIALS_ACTION = "amplify_dev_show_credentials"
EXTEND_ACTION = "amplify_dev_extend"
EXTEND_APPROVE_ACTION = "amplify_dev_extend_approve"
EXTEND_DENY_ACTION = "amplify_dev_extend_deny"
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


def project_label(name: str, description: str = "") -> str:
    """A project as people read it: `name`, and its one-line description if it has one."""
    return f"`{escape(name)}`" + (f" ({escape(description)})" if description else "")


def text_reply(text: str) -> Reply:
    """A one-paragraph reply."""
    return Reply(text=text, blocks=[SectionBlock(text=text)])


# The kinds of grant (workflow/grants/): the plain value every builder chooses its words by.
IAM_USER_KIND = "iam_user"
IDENTITY_CENTER_KIND = "identity_center"
SIGN_IN_KIND = "sign_in"  # an IAM user without an access key: console sign-in and `aws login` (AMPLIFY_DEV_CREDENTIALS)
GRANT_KINDS = (IAM_USER_KIND, IDENTITY_CENTER_KIND, SIGN_IN_KIND)


@dataclass(frozen=True)
class Granted:
    """What a request grants, in the words messages use: an IAM user (the default, with an access key; or with
    console sign-in and `aws login`, no key), or an Identity Center account assignment of a permission set. The project's grant kind (workflow/grants/) supplies it; builders read `kind`."""

    kind: str = IAM_USER_KIND
    assignment: str = ""  # "permission set `X` in account N"; only for an assignment
    sso: Any = None  # messages.identity_center.SsoAccess: where and how to sign in (an assignment)
    session: timedelta | None = None  # how long a session lasts, if known (an assignment)
    path: str = ""  # the IAM path the bot's users live under (an IAM user)
    grant: Any = None  # messages.grant.GrantDescription: what approving grants, shown where a lead decides

    def __post_init__(self) -> None:
        # A new kind of grant adds its value here and its words in messages/grants.py.
        if self.kind not in GRANT_KINDS:
            raise ValueError(f"unknown kind of grant: {self.kind!r}")

    @property
    def keys(self) -> bool:
        """The grant is an IAM user with credentials to show once and rotate (an access key, or a sign-in password)."""
        return self.kind in (IAM_USER_KIND, SIGN_IN_KIND)

    @property
    def access_key(self) -> bool:
        """The developer holds a long-lived access key (key age, "rotate replaces your key")."""
        return self.kind == IAM_USER_KIND

    @property
    def sign_in(self) -> bool:
        """The developer signs in (console password, `aws login`): no access key, sessions revoked on removal."""
        return self.kind == SIGN_IN_KIND

    @property
    def noun(self) -> str:
        """ "creating your <noun> failed"."""
        return "IAM user" if self.keys else "account assignment"

    @property
    def field(self) -> str:
        """The field title on the leads' message."""
        return "IAM user" if self.keys else "Access"

    @property
    def service(self) -> str:
        """Whose records the drift check compares with amplify-dev's."""
        return "IAM" if self.keys else "IAM Identity Center"

    def value(self, request: Request) -> str:
        """The field's value: "`alice`", or the assignment and whom it is for."""
        if self.sign_in:
            return f"`{escape(request.iam_user_name)}` (console sign-in and `aws login`, no access key)"
        if self.keys:
            return f"`{escape(request.iam_user_name)}`"
        if request.identity_store_user_id:  # resolved when filed: the leads approve this very user
            return f"assignment of {self.assignment} to Identity Center user `{escape(request.identity_store_user_id)}`"
        return f"assignment of {self.assignment} to the Identity Store user matched by email"

    def what(self, request: Request) -> str:
        """ "IAM user `alice`", or "the assignment of permission set `X` in account N to …"."""
        if self.keys:
            return f"IAM user `{escape(request.iam_user_name)}`"
        return f"the assignment of {self.assignment} to the Identity Store user matched by email"

    def holding(self, request: Request) -> str:
        """How someone has access: "as IAM user `alice`", "through the assignment of …"."""
        return f"as {self.what(request)}" if self.keys else f"through the assignment of {self.assignment}"

    def as_name(self, request: Request) -> str:
        """Short, for lists: "as `alice`", "through permission set `X` in account N"."""
        return f"as `{escape(request.iam_user_name)}`" if self.keys else f"through {self.assignment}"

    def short(self, request: Request) -> str:
        """Short, for lists: "`alice`", "permission set `X` in account N"."""
        return f"`{escape(request.iam_user_name)}`" if self.keys else self.assignment

    def deleted(self, request: Request, whose: str = "") -> str:
        """ "IAM user `alice` and its keys are deleted at once" (`whose`: "<@U>'s " before it)."""
        if self.sign_in:
            return (
                f"{whose}IAM user `{escape(request.iam_user_name)}` is deleted at once and its `aws login` "
                "sessions are ended"
            )
        if self.keys:
            return f"{whose}IAM user `{escape(request.iam_user_name)}` and its keys are deleted at once"
        return f"{whose or 'The '}assignment of {self.assignment} is deleted at once"


IAM_USER = Granted()  # the IAM-user mode's words: every builder's default
