"""The access review as data (one row per active grant, with its flags) and as Block Kit; no I/O.

The rows are read by workflow/review.py; `python bot.py review` renders the same rows as text, CSV or JSON lines
(ops/review_export.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from .basics import COMMAND, Message, Reply, escape, mention, slack_date
from .home_state import describe_age
from .oncall import sandbox_review_blocks

REVIEW_REMOVE_ACTION = "amplify_dev_review_remove"  # value: the Slack user id whose access to remove, nothing else
# Slack allows 50 blocks a message: a header, a context line, the rows, and a "more" line.
REVIEW_ROWS_SHOWN = 45
SANDBOX_DEVELOPERS_SHOWN = 5  # of the rows' room: flagged sandboxes of people without access

NEVER_USED_AFTER = timedelta(days=7)
UNUSED_FOR = timedelta(days=30)
KEY_MAX_AGE = timedelta(days=90)  # AWS's rotation advice
EXPIRING_WITHIN = timedelta(days=3)
# The key-age column of a sign-in grant (AMPLIFY_DEV_CREDENTIALS=sign-in): there is no key to age.
KEY_AGE_NOT_APPLICABLE = "not applicable (sign-in, no access key)"


class Flag(StrEnum):
    """Something about a grant a lead can act on."""

    NEVER_USED = "never_used"  # nothing used 7 days after the credentials were shown (or approval, if never fetched)
    UNUSED = "unused_30_days"  # last used more than 30 days ago
    OLD_KEY = "old_key"  # the key in use is older than 90 days
    EXPIRING = "expiring"  # access ends within 3 days
    BREAKGLASS = "breakglass_unacknowledged"  # taken by break-glass, no lead has pressed Acknowledge yet

    @property
    def label(self) -> str:
        """The flag in words."""
        return {
            Flag.NEVER_USED: "never used",
            Flag.UNUSED: "not used for 30 days",
            Flag.OLD_KEY: "key older than 90 days",
            Flag.EXPIRING: "expires within 3 days",
            Flag.BREAKGLASS: "break-glass, not yet acknowledged",
        }[self]


@dataclass(frozen=True)
class ReviewRow:
    """One active grant as the review shows it. Times are None when AWS reports nothing (never used)."""

    request_id: str
    developer: str  # Slack user id
    iam_user: str
    state: str
    console: bool
    approved_by: str | None
    approved_at: datetime | None
    expires_at: datetime | None
    key_id: str | None  # the key in use (an identifier, never a secret)
    key_created_at: datetime | None
    last_used_at: datetime | None  # the latest use of any of the user's keys
    last_used_service: str | None
    last_used_region: str | None
    password_last_used: datetime | None  # console users only
    flags: tuple[Flag, ...] = ()
    note: str = ""  # what AWS did not tell the bot (an IAM error, or a grant kind without last-used data)
    signin_last_used: datetime | None = None  # sign-in: the latest use of the `aws login` sessions (None: none)
    keys: bool = True  # False: sign-in, the developer holds no access key, so the key age does not apply

    @property
    def ended(self) -> bool:
        """The access has ended (a break-glass grant listed only until a lead acknowledges it)."""
        return self.state in ("revoked", "expired")

    def key_age(self, now: datetime) -> timedelta | None:
        """How old the key in use is at `now`."""
        return None if self.key_created_at is None else max(now - self.key_created_at, timedelta(0))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ISO 8601 UTC times (null when unknown or never), flags as a list of codes."""
        return {
            "request_id": self.request_id,
            "developer": self.developer,
            "iam_user": self.iam_user,
            "state": self.state,
            "console": self.console,
            "approved_by": self.approved_by,
            "approved_at": _iso(self.approved_at),
            "expires_at": _iso(self.expires_at),
            "key_id": self.key_id,
            "key_created_at": _iso(self.key_created_at) if self.keys else KEY_AGE_NOT_APPLICABLE,
            "last_used_at": _iso(self.last_used_at),
            "last_used_service": self.last_used_service,
            "last_used_region": self.last_used_region,
            "password_last_used": _iso(self.password_last_used),
            "flags": [str(f) for f in self.flags],
            "note": self.note,
            "signin_last_used": _iso(self.signin_last_used),
            "keys": self.keys,
        }


@dataclass(frozen=True)
class Review:
    """The review of one project at one moment."""

    project: str
    generated_at: datetime
    rows: tuple[ReviewRow, ...]
    # AMPLIFY_DEV_SANDBOX_REPORT: (developer, their sandbox stacks) of people without access; or why none could be read
    sandboxes: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    sandbox_failure: str = ""

    @property
    def flagged(self) -> tuple[ReviewRow, ...]:
        """Rows with at least one flag."""
        return tuple(r for r in self.rows if r.flags)


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.astimezone(UTC).isoformat(timespec="seconds")


def ago(when: datetime | None, now: datetime, *, never: str = "never") -> str:
    """'3 days ago', or `never`."""
    return never if when is None else f"{describe_age(max(now - when, timedelta(0)))} ago"


def review_message(review: Review) -> Message:
    """The review in Slack: flagged rows first, each with Remove; at most REVIEW_ROWS_SHOWN rows."""
    now = review.generated_at
    rows = sorted(review.rows, key=lambda r: (not r.flags, r.developer))
    active = sum(1 for r in review.rows if not r.ended)
    summary = f"{active} active grant{'s' if active != 1 else ''}, {len(review.flagged)} flagged"
    if review.sandboxes:
        n = len(review.sandboxes)
        summary += f", {n} {'person' if n == 1 else 'people'} without access with Amplify sandboxes"
    blocks: list[Block] = [
        HeaderBlock(text="Access review"),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"{summary} (project `{escape(review.project)}`, {slack_date(now)}). Flags: never used 7 "
                    "days after the credentials were shown, not used for 30 days, a key older than 90 days, "
                    f"expiring within 3 days, break-glass not yet acknowledged. Last use can lag by hours (AWS). `{COMMAND} review` shows it again."
                )
            ]
        ),
    ]
    sandboxes = _sandbox_blocks(review)
    shown = REVIEW_ROWS_SHOWN - len(sandboxes)  # Slack's 50 blocks hold the rows and the sandbox flags together
    for row in rows[:shown]:
        accessory = _remove_button(row) if row.flags and not row.ended else None
        blocks.append(SectionBlock(text=review_row_text(row, now), accessory=accessory))
    if len(rows) > shown:
        more = f"…and {len(rows) - shown} more grants not shown here; `python bot.py review` lists all."
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    if not rows:
        blocks.append(SectionBlock(text="Nobody holds access right now."))
    blocks.extend(sandboxes)
    return Message(text=f"Access review: {summary}", blocks=blocks)


def _sandbox_blocks(review: Review) -> list[Block]:
    """The flag "sandbox of someone without access" (one block per developer, at most SANDBOX_DEVELOPERS_SHOWN),
    or that the stacks could not be listed."""
    if review.sandbox_failure:
        text = (
            f":grey_question: Could not look for Amplify sandboxes of people without access "
            f"({escape(review.sandbox_failure)}); `python bot.py check` says what is missing."
        )
        return [ContextBlock(elements=[MarkdownTextObject(text=text)])]
    blocks = sandbox_review_blocks(review.sandboxes[:SANDBOX_DEVELOPERS_SHOWN])
    if len(review.sandboxes) > SANDBOX_DEVELOPERS_SHOWN:
        more = f"…and {len(review.sandboxes) - SANDBOX_DEVELOPERS_SHOWN} more people without access have sandboxes."
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    return blocks


def review_reply(review: Review) -> Reply:
    """The review as an answer to `/amplify-dev review` (visible only to the lead who asked)."""
    message = review_message(review)
    return Reply(text=message.text, blocks=message.blocks)


def review_row_text(row: ReviewRow, now: datetime) -> str:
    """One grant in mrkdwn: who, as which IAM user, approved by whom, expiry, key age and last use, flags."""
    lines = [
        f"{mention(row.developer)} as `{escape(row.iam_user)}`{' with console access' if row.console else ''}"
        f"{' (removal did not finish)' if row.state == 'revoking' else ''}: approved by {mention(row.approved_by)} "
        f"on {slack_date(row.approved_at)}, "
        + (
            f"access {'expired' if row.state == 'expired' else 'removed'}"
            if row.ended
            else f"expires {slack_date(row.expires_at)}"
            if row.expires_at
            else "no expiry"
        )
    ]
    if row.key_id:
        where = ", ".join(x for x in (row.last_used_service, row.last_used_region) if x)
        lines.append(
            f"key `{escape(row.key_id)}` {describe_age(row.key_age(now))} old, last used {ago(row.last_used_at, now)}"
            + (f" ({escape(where)})" if where else "")
        )
    elif row.ended:
        pass
    elif not row.keys:
        lines.append(f"key age: {KEY_AGE_NOT_APPLICABLE}; `aws login` last used {ago(row.signin_last_used, now)}")
    elif not row.note:
        lines.append("no access key yet (credentials not fetched)")
    if row.console and not row.ended:
        lines.append(f"console sign-in: {ago(row.password_last_used, now)}")
    if row.note:
        lines.append(f"_{escape(row.note)}_")
    if row.flags:
        lines.append(":warning: " + ", ".join(f"*{f.label}*" for f in row.flags))
    return "\n".join(lines)


def _remove_button(row: ReviewRow) -> ButtonElement:
    return ButtonElement(
        text="Remove",
        action_id=REVIEW_REMOVE_ACTION,
        value=row.developer,
        style="danger",
        confirm=ConfirmObject(
            title="Remove this access?",
            text=f"{mention(row.developer)}'s IAM user `{escape(row.iam_user)}` "
            + ("and its keys are deleted at once" if row.keys else "is deleted at once, its `aws login` sessions ended")
            + "; they are told by DM.",
            confirm="Remove",
            deny="Cancel",
            style="danger",
        ),
    )


def rotate_suggestion_dm(row: ReviewRow, now: datetime) -> Message:
    """The developer of an old key is asked to rotate it (sent with the weekly review)."""
    text = (
        f":key: Your amplify-dev access key `{escape(row.key_id or '')}` is {describe_age(row.key_age(now))} old; AWS "
        f"advises rotating keys every 90 days. `{COMMAND} rotate` gives you a new one here and deletes the old one."
    )
    return Message(text=text, blocks=[SectionBlock(text=text)])
