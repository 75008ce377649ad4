"""The Web API methods the fake Slack answers, as Slack answers them (a mixin of FakeSlack)."""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any

from playground.web_api_http import Params
from playground.web_api_http import error as _error

_TS_BASE_SECONDS = 1_700_000_000
# A handler may return this key with extra HTTP response headers (e.g. auth.test's x-oauth-scopes).
HEADERS_KEY = "_headers"
_HEADERS_KEY = HEADERS_KEY
# Methods whose handler also receives the caller's token.
TOKEN_AWARE = frozenset({"apps.connections.open"})

Handler = Any


class WebApiMethods:
    """chat.*, conversations.*, users.*, usergroups.*, views.* and auth.test, on the fake's state."""

    team_id: str
    bot_user_id: str
    bot_id: str
    _cond: threading.Condition
    _scopes: list[str]
    _channels: dict[str, dict[str, Any]]
    _users: dict[str, dict[str, Any]]
    _usergroups: dict[str, list[str]]
    _ts_counter: itertools.count[int]
    _view_counter: itertools.count[int]

    def method_table(self) -> dict[str, Handler]:
        """Web API method name -> handler."""
        return {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.delete": self._chat_delete,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "users.info": self._users_info,
            "usergroups.users.list": self._usergroups_users_list,
            "views.open": self._views,
            "views.update": self._views,
            "views.publish": self._views,
            "views.push": self._views,
            "apps.connections.open": self._apps_connections_open,
        }

    # --- state the methods answer from (set up by tests and the playground) -----------------

    def add_user(
        self,
        user_id: str,
        *,
        name: str = "",
        real_name: str = "",
        display_name: str = "",
        team_id: str | None = None,
        deleted: bool = False,
        is_bot: bool = False,
        is_restricted: bool = False,
        is_ultra_restricted: bool = False,
        email: str | None = None,
    ) -> None:
        """Make users.info know this user (is_restricted: a multi-channel guest; ultra: single-channel)."""
        with self._cond:
            self._users[user_id] = {
                "id": user_id,
                "team_id": team_id or self.team_id,
                "name": name,
                "real_name": real_name,
                "deleted": deleted,
                "is_bot": is_bot,
                "is_restricted": is_restricted,
                "is_ultra_restricted": is_ultra_restricted,
                "profile": {
                    "real_name": real_name,
                    "display_name": display_name,
                    **({"email": email} if email else {}),
                },
            }

    def set_usergroup(self, group_id: str, members: list[str]) -> None:
        """Make usergroups.users.list return these members for the group."""
        with self._cond:
            self._usergroups[group_id] = list(members)

    def set_scopes(self, scopes: list[str]) -> None:
        """Make auth.test report these bot scopes (x-oauth-scopes) and conversations.info honour them."""
        with self._cond:
            self._scopes = list(scopes)

    def set_channel(
        self,
        channel_id: str,
        *,
        name: str = "",
        is_member: bool = True,
        is_private: bool = False,
        is_archived: bool = False,
    ) -> None:
        """Make conversations.info know this channel; once any is set, unknown ones are channel_not_found."""
        with self._cond:
            self._channels[channel_id] = {
                "id": channel_id,
                "name": name or channel_id.lower(),
                "is_channel": not is_private,
                "is_group": is_private,
                "is_private": is_private,
                "is_member": is_member,
                "is_archived": is_archived,
            }

    def accept_only_tokens(self, *tokens: str) -> None:
        """Answer invalid_auth to any other token (by default every token is accepted)."""
        with self._cond:
            self._valid_tokens = set(tokens)

    # --- the methods ---------------------------------------------------------------------------

    def next_ts(self) -> str:
        """A fresh message ts, increasing like Slack's."""
        micros = next(self._ts_counter) * 100
        return f"{_TS_BASE_SECONDS + micros // 1_000_000}.{micros % 1_000_000:06d}"

    @staticmethod
    def _dm_channel(channel: str) -> str:
        # Posting to a user ID lands in the bot's DM with that user, as on real Slack.
        return "D" + channel if channel[:1] in ("U", "W") else channel

    def _auth_test(self, method: str, params: Params) -> dict[str, Any]:
        with self._cond:
            scopes = ",".join(self._scopes)
        return {
            _HEADERS_KEY: {"x-oauth-scopes": scopes},
            "url": "https://fake-slack.example.com/",
            "team": "Fake Team",
            "team_id": self.team_id,
            "user": "amplify-dev",
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _message(self, params: Params, ts: str) -> dict[str, Any]:
        message = {
            "type": "message",
            "text": params.get("text", ""),
            "blocks": params.get("blocks") or [],
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "ts": ts,
        }
        if "metadata" in params:
            message["metadata"] = params["metadata"]
        return message

    def _chat_post_message(self, method: str, params: Params) -> dict[str, Any]:
        if not params.get("channel"):
            return _error("channel_not_found")
        if not any(params.get(key) for key in ("text", "blocks", "attachments")):
            return _error("no_text")
        ts = self.next_ts()
        channel = self._dm_channel(params["channel"])
        return {"channel": channel, "ts": ts, "message": self._message(params, ts)}

    def _chat_update(self, method: str, params: Params) -> dict[str, Any]:
        if not params.get("channel"):
            return _error("channel_not_found")
        if not params.get("ts"):
            return _error("message_not_found")
        return {
            "channel": params["channel"],
            "ts": params["ts"],
            "text": params.get("text", ""),
            "message": self._message(params, params["ts"]),
        }

    def _chat_post_ephemeral(self, method: str, params: Params) -> dict[str, Any]:
        if not params.get("channel"):
            return _error("channel_not_found")
        if not params.get("user"):
            return _error("user_not_in_channel")
        return {"message_ts": self.next_ts()}

    def _chat_delete(self, method: str, params: Params) -> dict[str, Any]:
        if not params.get("channel"):
            return _error("channel_not_found")
        if not params.get("ts"):
            return _error("message_not_found")
        return {"channel": params["channel"], "ts": params["ts"]}

    def _conversations_open(self, method: str, params: Params) -> dict[str, Any]:
        if params.get("channel"):
            return {"channel": {"id": params["channel"]}}
        users = params.get("users")
        if isinstance(users, list):
            users = ",".join(users)
        if not users:
            return _error("users_list_not_supplied")
        return {"channel": {"id": "D" + users.split(",")[0].strip()}}

    def _conversations_info(self, method: str, params: Params) -> dict[str, Any]:
        channel = params.get("channel")
        if not channel:
            return _error("channel_not_found")
        with self._cond:
            scopes = set(self._scopes)
            known = self._channels.get(channel)
            registry_in_use = bool(self._channels)
        if known is None and registry_in_use:
            return _error("channel_not_found")
        info = known or {"id": channel, "name": channel.lower(), "is_member": True, "is_channel": True}
        # As on Slack: public channels need channels:read, private ones groups:read.
        needed = "groups:read" if info.get("is_private") else "channels:read"
        if needed not in scopes:
            return {**_error("missing_scope"), "needed": needed, "provided": ",".join(sorted(scopes))}
        if info.get("is_private") and not info.get("is_member"):
            return _error("channel_not_found")  # a private channel is invisible to non-members
        return {"channel": dict(info)}

    def _users_info(self, method: str, params: Params) -> dict[str, Any]:
        with self._cond:
            user = self._users.get(params.get("user", ""))
        if user is None:
            return _error("user_not_found")
        return {"user": json.loads(json.dumps(user))}

    def _usergroups_users_list(self, method: str, params: Params) -> dict[str, Any]:
        with self._cond:
            members = self._usergroups.get(params.get("usergroup", ""))
        if members is None:
            return _error("no_such_subteam")
        return {"users": list(members)}

    def _views(self, method: str, params: Params) -> dict[str, Any]:
        view = params.get("view")
        if not isinstance(view, dict):
            return _error("invalid_arguments")
        if method == "views.update" and params.get("view_id"):
            view_id = params["view_id"]
        else:
            view_id = f"V{next(self._view_counter):08d}"
        return {"view": {**view, "id": view_id, "team_id": self.team_id, "hash": f"{view_id}.hash"}}

    def _apps_connections_open(self, method: str, params: Params, token: str) -> dict[str, Any]:
        # Only an app-level token may open a Socket Mode connection.
        if not token.startswith("xapp-"):
            return _error("not_allowed_token_type")
        return {"url": "ws://127.0.0.1:1/"}
