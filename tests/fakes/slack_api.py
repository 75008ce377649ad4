"""A local HTTP stand-in for the Slack Web API, for slack_sdk's ``WebClient(base_url=...)``.

Tests use it in-process (``with FakeSlack() as slack: ...``) and assert on the calls it recorded.
Benchmarks run it as its own process: ``python -m tests.fakes.slack_api --port 0`` prints
``READY <base_url>`` and serves until killed. Control endpoints for that mode:

- ``GET /_calls``: ``{"counts": {method: n}, "calls": [...]}``
- ``POST /_reset``: clear calls and pending failures
- ``POST /_users`` with ``{"id": "U1", "name": ..., ...}``: same as ``add_user``
- ``POST /_usergroups`` with ``{"id": "S1", "members": [...]}``: same as ``set_usergroup``
- ``POST /_fail`` with ``{"method": ..., "error": ..., ...}``: same as ``fail``
- ``POST /_scopes`` with ``{"scopes": [...]}``: same as ``set_scopes``
- ``POST /_channels`` with ``{"id": "C1", "is_member": false, ...}``: same as ``set_channel``
- ``POST /_tokens`` with ``{"tokens": [...]}``: same as ``accept_only_tokens``
"""

import argparse
import contextlib
import itertools
import json
import signal
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

RESPONSE_URL_METHOD = "response_url"
# slack_sdk sends these as JSON strings inside form bodies; tests want to assert on their structure.
JSON_ENCODED_PARAMS = ("blocks", "attachments", "view", "metadata")
API_PREFIX = "/api/"
RESPONSE_URL_PREFIX = "/response/"
_TS_BASE_SECONDS = 1_700_000_000
# What auth.test reports in its x-oauth-scopes header unless a test says otherwise: the manifest's bot scopes.
DEFAULT_SCOPES = ("commands", "chat:write", "im:write", "users:read", "usergroups:read")
# A handler may return this key with extra HTTP response headers (e.g. auth.test's x-oauth-scopes).
_HEADERS_KEY = "_headers"

Params = dict[str, Any]
Reply = tuple[int, dict[str, str], dict[str, Any]]


@dataclass
class Call:
    """One request the fake received."""

    method: str
    params: dict[str, Any]
    token: str | None
    at: float


@dataclass
class _Failure:
    error: str | None
    status: int | None
    retry_after: int | None
    delay: float | None
    remaining: int


def _error(code: str) -> dict[str, Any]:
    return {"ok": False, "error": code}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], fake: "FakeSlack") -> None:
        super().__init__(address, _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out (see fail(delay=...)) has closed its socket: that is expected, not noise.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        """Serve a GET request."""
        self._serve()

    def do_POST(self) -> None:
        """Serve a POST request."""
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, payload = self.server.fake._handle_http(
            self.command, self.path, self.headers.get("Content-Type", ""), self.headers, body
        )
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def _parse_params(query: str, content_type: str, body: bytes) -> Params:
    """Merge query-string, form and JSON parameters the way Slack reads them."""
    params: Params = dict(parse_qsl(query, keep_blank_values=True))
    text = body.decode("utf-8") if body else ""
    if text:
        # A form body never starts with "{"; this also lets `curl -d '{...}'` drive the control endpoints.
        if "json" in content_type or text.lstrip().startswith("{"):
            decoded = json.loads(text)
            if isinstance(decoded, dict):
                params.update(decoded)
        else:
            params.update(parse_qsl(text, keep_blank_values=True))
    for key in JSON_ENCODED_PARAMS:
        value = params.get(key)
        if isinstance(value, str):
            # A string that is not JSON stays as sent, so a test asserting on it shows the bad value.
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params


def _bearer_token(authorization: str | None) -> str | None:
    if not authorization or not authorization.lower().startswith("bearer "):
        return None
    return authorization[len("bearer ") :].strip() or None


class FakeSlack:
    """A Slack Web API server on 127.0.0.1 that records every call and can be told to fail."""

    def __init__(
        self,
        team_id: str = "T0TEAM",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        """Configure the fake; call start() (or use it as a context manager) to serve."""
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.calls: list[Call] = []
        self._host = host
        self._port = port
        self._cond = threading.Condition()
        self._failures: dict[str, list[_Failure]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._usergroups: dict[str, list[str]] = {}
        self._scopes: list[str] = list(DEFAULT_SCOPES)
        self._channels: dict[str, dict[str, Any]] = {}
        self._valid_tokens: set[str] | None = None
        self._ts_counter = itertools.count(1)
        self._view_counter = itertools.count(1)
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._methods = {
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

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> "FakeSlack":
        """Start serving on a background thread and return self."""
        if self._server is not None:
            raise RuntimeError("FakeSlack is already running")
        self._stopping.clear()
        self._server = _Server((self._host, self._port), self)
        # A short poll interval makes stop() (shutdown waits for the next poll) quick between tests.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-slack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; delayed answers still in flight are cut short."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> "FakeSlack":
        """Start the server."""
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        """Stop the server."""
        self.stop()

    @property
    def root_url(self) -> str:
        """The server's address, e.g. http://127.0.0.1:54321."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not running; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """Base URL for WebClient(base_url=...), ending in /api/."""
        return self.root_url + API_PREFIX

    def response_url(self, key: str = "r") -> str:
        """A response_url on this server; POSTs to it are recorded as Call(method="response_url")."""
        return self.root_url + RESPONSE_URL_PREFIX + quote(key, safe="")

    # --- state set up by tests -------------------------------------------------------------------

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
    ) -> None:
        """Make users.info know this user."""
        with self._cond:
            self._users[user_id] = {
                "id": user_id,
                "team_id": team_id or self.team_id,
                "name": name,
                "real_name": real_name,
                "deleted": deleted,
                "is_bot": is_bot,
                "profile": {"real_name": real_name, "display_name": display_name},
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

    def fail(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int | None = None,
        retry_after: int | None = None,
        delay: float | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls to `method` fail with an error, an HTTP status and/or a delay."""
        if error is None and status is None and delay is None:
            raise ValueError("fail() needs error, status or delay")
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._cond:
            self._failures.setdefault(method, []).append(
                _Failure(error=error, status=status, retry_after=retry_after, delay=delay, remaining=times)
            )

    def reset(self) -> None:
        """Forget recorded calls and pending failures; users and user groups stay."""
        with self._cond:
            self.calls.clear()
            self._failures.clear()

    # --- assertions ------------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        """The recorded calls to `method`, oldest first."""
        with self._cond:
            return [call for call in self.calls if call.method == method]

    def counts(self) -> dict[str, int]:
        """How many calls each method received."""
        with self._cond:
            return dict(Counter(call.method for call in self.calls))

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until `count` calls to `method` were recorded and return them; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [call for call in self.calls if call.method == method]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = dict(Counter(call.method for call in self.calls))
                    raise AssertionError(
                        f"expected {count} call(s) to {method} within {timeout}s, got {len(found)}; "
                        f"calls so far: {seen or 'none'}"
                    )
                self._cond.wait(remaining)

    # --- request handling ------------------------------------------------------------------------

    def _handle_http(self, verb: str, raw_path: str, content_type: str, headers: Any, body: bytes) -> Reply:
        parts = urlsplit(raw_path)
        path = parts.path
        try:
            params = _parse_params(parts.query, content_type, body)
        except ValueError:
            return 200, {}, _error("invalid_json")
        token = _bearer_token(headers.get("Authorization"))
        if token is None and isinstance(params.get("token"), str):
            token = params["token"] or None
        params.pop("token", None)

        if path.startswith(API_PREFIX):
            return self._handle_call(path[len(API_PREFIX) :], params, token)
        if path.startswith(RESPONSE_URL_PREFIX):
            params["_key"] = unquote(path[len(RESPONSE_URL_PREFIX) :])
            return self._handle_call(RESPONSE_URL_METHOD, params, token)
        return self._handle_control(verb, path, params)

    def _handle_call(self, method: str, params: Params, token: str | None) -> Reply:
        with self._cond:
            self.calls.append(Call(method=method, params=params, token=token, at=time.monotonic()))
            self._cond.notify_all()
            failure = self._take_failure(method)
        if failure is not None:
            if failure.delay:
                self._stopping.wait(failure.delay)
            if failure.status is not None:
                headers: dict[str, str] = {}
                if failure.status == 429:
                    headers["Retry-After"] = str(1 if failure.retry_after is None else failure.retry_after)
                default_error = "ratelimited" if failure.status == 429 else "internal_error"
                return failure.status, headers, _error(failure.error or default_error)
            if failure.error is not None:
                return 200, {}, _error(failure.error)
        if method == RESPONSE_URL_METHOD:
            return 200, {}, {"ok": True}
        if not token:
            return 200, {}, _error("not_authed")
        with self._cond:
            valid_tokens = self._valid_tokens
        if valid_tokens is not None and token not in valid_tokens:
            return 200, {}, _error("invalid_auth")
        handler = self._methods.get(method)
        if handler is None:
            return 200, {}, _error("unknown_method")
        result = handler(method, params, token) if method in _TOKEN_AWARE else handler(method, params)
        headers = result.pop(_HEADERS_KEY, {})
        if "ok" not in result:
            result = {"ok": True, **result}
        return 200, headers, result

    def _take_failure(self, method: str) -> _Failure | None:
        pending = self._failures.get(method)
        if not pending:
            return None
        failure = pending[0]
        failure.remaining -= 1
        if failure.remaining <= 0:
            pending.pop(0)
        return failure

    def _handle_control(self, verb: str, path: str, params: Params) -> Reply:
        if verb == "GET" and path == "/_calls":
            with self._cond:
                calls = [asdict(call) for call in self.calls]
            return 200, {}, {"counts": self.counts(), "calls": calls}
        if verb == "POST" and path == "/_reset":
            self.reset()
            return 200, {}, {"ok": True}
        try:
            if verb == "POST" and path == "/_users":
                user_id = params.pop("id")
                self.add_user(user_id, **params)
                return 200, {}, {"ok": True}
            if verb == "POST" and path == "/_usergroups":
                self.set_usergroup(params["id"], params.get("members", []))
                return 200, {}, {"ok": True}
            if verb == "POST" and path == "/_fail":
                self.fail(params.pop("method"), **params)
                return 200, {}, {"ok": True}
            if verb == "POST" and path == "/_scopes":
                self.set_scopes(list(params["scopes"]))
                return 200, {}, {"ok": True}
            if verb == "POST" and path == "/_channels":
                self.set_channel(params.pop("id"), **params)
                return 200, {}, {"ok": True}
            if verb == "POST" and path == "/_tokens":
                self.accept_only_tokens(*params["tokens"])
                return 200, {}, {"ok": True}
        except (KeyError, TypeError, ValueError) as exc:
            return 400, {}, {"ok": False, "error": "bad_request", "detail": repr(exc)}
        return 404, {}, _error("not_found")

    # --- Web API methods -------------------------------------------------------------------------

    def _next_ts(self) -> str:
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
        ts = self._next_ts()
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
        return {"message_ts": self._next_ts()}

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


_TOKEN_AWARE = frozenset({"apps.connections.open"})


def main(argv: list[str] | None = None, fake_class: type[FakeSlack] = FakeSlack) -> None:
    """Serve a FakeSlack (or a subclass) until SIGTERM/SIGINT, after printing `READY <base_url>`."""
    parser = argparse.ArgumentParser(description="Local fake of the Slack Web API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args(argv)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    fake = fake_class(host=args.host, port=args.port).start()
    try:
        print(f"READY {fake.url}", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
