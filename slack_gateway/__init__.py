"""The Slack Web API calls the workflow makes, behind one small class so tests can point it at a fake server."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.models.blocks import Block

from messages import labelled

logger = logging.getLogger(__name__)

USERGROUP_CACHE_SECONDS = 300.0


class SlackCallFailed(Exception):
    """A Slack Web API call failed; `error` is Slack's error code (or the HTTP problem), never a message body."""

    def __init__(self, method: str, error: str) -> None:
        super().__init__(f"Slack {method} failed: {error}")
        self.method = method
        self.error = error


@dataclass(frozen=True)
class SlackUser:
    """The parts of a Slack profile the bot uses."""

    id: str
    team_id: str | None
    names: tuple[str, ...]  # display name, real name, handle: best first, for the IAM user name
    deleted: bool
    is_bot: bool
    email: str | None = None  # profile.email: only with the users:read.email scope (Identity Center mode)
    is_restricted: bool = False  # a multi-channel guest
    is_ultra_restricted: bool = False  # a single-channel guest

    @property
    def is_guest(self) -> bool:
        """A single- or multi-channel guest of the workspace."""
        return self.is_restricted or self.is_ultra_restricted


def build_web_client(token: str, base_url: str, *, retry_server_errors: bool = False, timeout: int = 10) -> WebClient:
    """A WebClient for `base_url` that waits out 429s (Retry-After) and retries refused connections.

    With retry_server_errors it also retries HTTP 500/503: only for calls that are safe to repeat.
    """
    # A 429 or a refused connection means Slack did not process the call, so a retry is always safe.
    # A 5xx or a read timeout may come after Slack acted: repeating chat.postMessage could post twice.
    handlers: list[Any] = [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
    ]
    if retry_server_errors:
        handlers.append(ServerErrorRetryHandler(max_retry_count=2))
    return WebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=handlers)


class SlackGateway:
    """Posts, updates and looks up what the workflow needs; converts failures to SlackCallFailed."""

    def __init__(
        self, client: WebClient, *, idempotent: WebClient | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.client = client  # for calls that must not be repeated blindly (posts)
        self.idempotent = idempotent or client  # for reads and updates, which may be retried on 5xx
        self._clock = clock
        self._groups: dict[str, tuple[float, frozenset[str]]] = {}
        self._dm_channels: dict[str, str] = {}
        self._lock = threading.Lock()

    def _call(self, method: str, fn: Callable[..., Any], **kwargs: Any) -> Any:
        try:
            return fn(**kwargs)
        except SlackApiError as e:
            error = e.response.get("error") if e.response is not None else None
            status = getattr(e.response, "status_code", None)
            raise SlackCallFailed(method, error or f"HTTP {status}") from None
        except (SlackClientError, OSError) as e:
            raise SlackCallFailed(method, type(e).__name__) from None

    def auth_test(self) -> dict[str, Any]:
        """Who the bot is: team_id, user_id, bot_id."""
        return dict(self._call("auth.test", self.client.auth_test).data)

    def post_message(
        self, channel: str, text: str, blocks: Sequence[Block | dict] | None = None, *, thread_ts: str | None = None
    ) -> str:
        """Post a message (a reply in the thread of `thread_ts`, if given); returns its ts."""
        text, blocks = labelled(text, blocks)
        thread = {"thread_ts": thread_ts} if thread_ts else {}
        response = self._call(
            "chat.postMessage", self.client.chat_postMessage, channel=channel, text=text, blocks=blocks, **thread
        )
        return str(response["ts"])

    def update_message(self, channel: str, ts: str, text: str, blocks: Sequence[Block | dict] | None) -> None:
        """Replace a message the bot posted."""
        text, blocks = labelled(text, blocks)
        self._call("chat.update", self.idempotent.chat_update, channel=channel, ts=ts, text=text, blocks=blocks or [])

    def post_ephemeral(self, channel: str, user: str, text: str, blocks: Sequence[Block | dict] | None = None) -> None:
        """Show a message to one user only; Slack never stores it and it cannot be read back."""
        text, blocks = labelled(text, blocks)
        self._call(
            "chat.postEphemeral",
            self.client.chat_postEphemeral,
            channel=channel,
            user=user,
            text=text,
            blocks=blocks,
        )

    def open_dm(self, user_id: str) -> str:
        """The id of the bot's DM with this user (opened once, then remembered)."""
        with self._lock:
            cached = self._dm_channels.get(user_id)
        if cached:
            return cached
        response = self._call("conversations.open", self.idempotent.conversations_open, users=user_id)
        channel = str(response["channel"]["id"])
        with self._lock:
            self._dm_channels[user_id] = channel
        return channel

    def send_dm(self, user_id: str, text: str, blocks: Sequence[Block | dict] | None = None) -> tuple[str, str]:
        """Post a regular message in the user's DM with the bot; returns (channel, ts)."""
        channel = self.open_dm(user_id)
        return channel, self.post_message(channel, text, blocks)

    def user(self, user_id: str) -> SlackUser:
        """The user's profile (users.info)."""
        data = self._call("users.info", self.idempotent.users_info, user=user_id)["user"]
        profile = data.get("profile") or {}
        names = (
            profile.get("display_name"),
            profile.get("real_name"),
            data.get("real_name"),
            data.get("name"),
        )
        return SlackUser(
            id=data["id"],
            team_id=data.get("team_id"),
            names=tuple(n for n in names if n),
            deleted=bool(data.get("deleted")),
            is_bot=bool(data.get("is_bot")),
            is_restricted=bool(data.get("is_restricted")),
            is_ultra_restricted=bool(data.get("is_ultra_restricted")),
            email=profile.get("email") or None,
        )

    def usergroup_members(self, group_id: str) -> frozenset[str]:
        """Members of a user group, cached for a few minutes (usergroups.users.list is rate-limited tier 2)."""
        now = self._clock()
        with self._lock:
            hit = self._groups.get(group_id)
        if hit and now - hit[0] < USERGROUP_CACHE_SECONDS:
            return hit[1]
        response = self._call("usergroups.users.list", self.idempotent.usergroups_users_list, usergroup=group_id)
        members = frozenset(response.get("users") or [])
        with self._lock:
            self._groups[group_id] = (now, members)
        return members

    def publish_home(self, user_id: str, view: Any) -> None:
        """Publish `user_id`'s App Home tab."""
        self._call("views.publish", self.idempotent.views_publish, user_id=user_id, view=view)

    def forget_usergroups(self) -> None:
        """Drop the cached group members (Slack said a group changed)."""
        with self._lock:
            self._groups.clear()

    def open_view(self, trigger_id: str, view: Any) -> None:
        """Open a modal for the user who triggered `trigger_id` (valid 3 seconds, once)."""
        self._call("views.open", self.client.views_open, trigger_id=trigger_id, view=view)
