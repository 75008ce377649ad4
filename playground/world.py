"""What each person in the playground sees, kept from the Web API calls the bot makes (and nothing else).

Slack keeps conversations, ephemeral messages, Home tabs and modals; here PlaygroundSlack (the fake Web API)
hands every successful call to SlackWorld.apply(), and the page reads SlackWorld.visible_to(user). An
ephemeral message is stored with the one person allowed to see it and never shown to anyone else.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from playground.slack_api import RESPONSE_URL_METHOD, FakeSlack
from playground.web_api_http import Params, Reply


@dataclass
class Message:
    """One message in a conversation; `only_for` is set on an ephemeral message (its one reader)."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    user: str
    only_for: str | None = None
    thread_ts: str | None = None  # a reply in the thread of that message (a reminder to the leads)

    def to_json(self) -> dict[str, Any]:
        """The message as the state API returns it."""
        return {
            "channel": self.channel,
            "ts": self.ts,
            "user": self.user,
            "text": self.text,
            "blocks": copy.deepcopy(self.blocks),
            "ephemeral": self.only_for is not None,
            "thread_ts": self.thread_ts,
        }


@dataclass(frozen=True)
class ResponseTarget:
    """Where a response_url's answers land: the person who acted, their conversation, the message acted on."""

    user: str
    channel: str
    message_ts: str | None = None


@dataclass
class Conversation:
    """A channel or a DM with the bot."""

    id: str
    name: str
    members: frozenset[str] | None  # None: everyone may read it (a public channel)
    messages: list[Message] = field(default_factory=list)


def dm_channel(channel_or_user: str) -> str:
    """The bot's DM with a user, as the fake names it (posting to a user ID lands there, as on Slack)."""
    return "D" + channel_or_user if channel_or_user[:1] in ("U", "W") else channel_or_user


class SlackWorld:
    """Conversations, Home tabs and open modals, per person; thread-safe."""

    def __init__(self, bot_user_id: str, next_ts: Callable[[], str]) -> None:
        """An empty world; `next_ts` mints message timestamps (the fake's own counter)."""
        self.bot_user_id = bot_user_id
        self._next_ts = next_ts
        self._lock = threading.RLock()
        self._conversations: dict[str, Conversation] = {}
        self._homes: dict[str, dict[str, Any]] = {}
        self._modals: dict[str, dict[str, Any]] = {}
        self._triggers: dict[str, str] = {}
        self._response_urls: dict[str, ResponseTarget] = {}

    # --- set-up and bookkeeping by the playground ---------------------------------------------------

    def add_conversation(self, channel: str, name: str, members: frozenset[str] | None = None) -> None:
        """Make a channel (members None: readable by everyone) or a DM (members: its one person) exist."""
        with self._lock:
            self._conversations.setdefault(channel, Conversation(channel, name, members))

    def expect_trigger(self, trigger_id: str, user: str) -> None:
        """A modal opened with this trigger_id is `user`'s."""
        with self._lock:
            self._triggers[trigger_id] = user

    def expect_response_url(self, key: str, target: ResponseTarget) -> None:
        """Answers posted to the response_url with this key go to `target`."""
        with self._lock:
            self._response_urls[key] = target

    def note(self, channel: str, user: str, text: str) -> None:
        """Show `user` (only) what they typed, as Slack shows a sent slash command to its sender."""
        self._add(Message(channel, self._next_ts(), text, [], user, only_for=user))

    def show_reply(self, channel: str, user: str, answer: dict[str, Any]) -> None:
        """Show the bot's direct answer to `user`'s slash command, as Slack does: to them alone unless in_channel."""
        if not (answer.get("text") or answer.get("blocks")):
            return
        in_channel = answer.get("response_type") == "in_channel"
        self._add(self._bot_message(channel, self._next_ts(), answer, None if in_channel else user))

    # --- reading ------------------------------------------------------------------------------------

    def find_message(self, user: str, channel: str, ts: str) -> Message | None:
        """The message `user` sees in `channel` at `ts`, if any."""
        with self._lock:
            conversation = self._conversations.get(channel)
            if conversation is None or not _may_read(conversation, user):
                return None
            for message in conversation.messages:
                if message.ts == ts and message.only_for in (None, user):
                    return copy.deepcopy(message)
        return None

    def home(self, user: str) -> dict[str, Any] | None:
        """`user`'s Home tab as last published."""
        with self._lock:
            return copy.deepcopy(self._homes.get(user))

    def modal(self, user: str) -> dict[str, Any] | None:
        """The modal open in front of `user`."""
        with self._lock:
            return copy.deepcopy(self._modals.get(user))

    def set_modal(self, user: str, view: dict[str, Any] | None) -> None:
        """Replace or (None) close `user`'s modal: what Slack does with a view_submission's answer."""
        with self._lock:
            if view is None:
                self._modals.pop(user, None)
            else:
                self._modals[user] = copy.deepcopy(view)

    def visible_to(self, user: str) -> dict[str, Any]:
        """Everything `user` sees: readable conversations (ephemerals only their own), Home tab and modal."""
        with self._lock:
            conversations = [
                {
                    "id": c.id,
                    "name": c.name,
                    "kind": "dm" if c.members is not None else "channel",
                    "messages": [m.to_json() for m in c.messages if m.only_for in (None, user)],
                }
                for c in self._conversations.values()
                if _may_read(c, user)
            ]
            return {"user": user, "conversations": conversations, "home": self.home(user), "modal": self.modal(user)}

    # --- what the bot's Web API calls change --------------------------------------------------------

    def apply(self, method: str, params: Params, result: dict[str, Any]) -> None:
        """Record the effect of a Web API call Slack answered with `result` (ok)."""
        with self._lock:
            if method == "chat.postMessage":
                self._add(self._bot_message(result["channel"], result["ts"], params))
            elif method == "chat.postEphemeral":
                channel = dm_channel(str(params["channel"]))
                self._add(self._bot_message(channel, result["message_ts"], params, only_for=str(params["user"])))
            elif method == "chat.update":
                self._replace(dm_channel(str(params["channel"])), str(params["ts"]), params, only_for=None)
            elif method == "chat.delete":
                self._delete(dm_channel(str(params["channel"])), str(params["ts"]), only_for=None)
            elif method == "views.publish":
                self._homes[str(params["user_id"])] = result["view"]
            elif method == "views.open":
                user = self._triggers.pop(str(params.get("trigger_id")), None)
                if user is not None:
                    self._modals[user] = result["view"]
            elif method in ("views.update", "views.push"):
                self._update_view(params, result["view"])
            elif method == RESPONSE_URL_METHOD:
                self._respond(params)

    def _bot_message(self, channel: str, ts: str, params: Params, only_for: str | None = None) -> Message:
        blocks = params.get("blocks") if isinstance(params.get("blocks"), list) else []
        thread = str(params["thread_ts"]) if params.get("thread_ts") else None
        return Message(channel, ts, str(params.get("text") or ""), blocks or [], self.bot_user_id, only_for, thread)

    def _add(self, message: Message) -> None:
        with self._lock:
            conversation = self._conversations.get(message.channel)
            if conversation is None:  # a conversation the playground did not set up: a DM with someone new
                user = message.channel[1:]
                conversation = Conversation(message.channel, "amplify-dev", frozenset({user}))
                self._conversations[message.channel] = conversation
            conversation.messages.append(message)

    def _replace(self, channel: str, ts: str, params: Params, *, only_for: str | None) -> None:
        for message in self._messages(channel):
            if message.ts == ts and message.only_for == only_for:
                message.text = str(params.get("text") or "")
                message.blocks = params.get("blocks") if isinstance(params.get("blocks"), list) else []

    def _delete(self, channel: str, ts: str, *, only_for: str | None) -> None:
        conversation = self._conversations.get(channel)
        if conversation is not None:
            conversation.messages = [m for m in conversation.messages if not (m.ts == ts and m.only_for == only_for)]

    def _messages(self, channel: str) -> list[Message]:
        conversation = self._conversations.get(channel)
        return conversation.messages if conversation else []

    def _update_view(self, params: Params, view: dict[str, Any]) -> None:
        view_id = params.get("view_id") or view.get("id")
        for user, modal in list(self._modals.items()):
            if modal.get("id") == view_id:
                self._modals[user] = view

    def _respond(self, params: Params) -> None:
        target = self._response_urls.get(str(params.get("_key")))
        if target is None:
            return
        # A message acted on is ephemeral when its reader is the actor; otherwise it is the shared message.
        source = next(
            (m for m in self._messages(target.channel) if m.ts == target.message_ts and m.only_for == target.user),
            None,
        )
        only_for = target.user if source is not None else None
        if params.get("delete_original") and target.message_ts:
            self._delete(target.channel, target.message_ts, only_for=only_for)
        elif params.get("replace_original") and target.message_ts:
            self._replace(target.channel, target.message_ts, params, only_for=only_for)
        else:
            in_channel = params.get("response_type") == "in_channel"
            self._add(self._bot_message(target.channel, self._next_ts(), params, None if in_channel else target.user))


def _may_read(conversation: Conversation, user: str) -> bool:
    return conversation.members is None or user in conversation.members


class PlaygroundSlack(FakeSlack):
    """The fake Web API, keeping a SlackWorld of what its calls showed whom."""

    def __init__(self, **kwargs: Any) -> None:
        """A FakeSlack (same arguments) with an empty world."""
        super().__init__(**kwargs)
        self.world = SlackWorld(self.bot_user_id, self.next_ts)

    def _handle_call(self, method: str, params: Params, token: str | None) -> Reply:
        status, headers, payload = super()._handle_call(method, params, token)
        if status == 200 and payload.get("ok"):
            self.world.apply(method, params, payload)
        return status, headers, payload
