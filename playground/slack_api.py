"""A local HTTP stand-in for the Slack Web API, for slack_sdk's ``WebClient(base_url=...)``.

It plays Slack in ``python bot.py --playground`` (see playground.world) and in the tests, which use it
in-process (``with FakeSlack() as slack: ...``) and assert on the calls it recorded. Benchmarks run it as its
own process: ``python -m playground.slack_api --port 0`` prints ``READY <base_url>`` and serves until killed;
its control endpoints (``GET /_calls``, ``POST /_reset``, ...) are listed in playground.web_api_control.
"""

from __future__ import annotations

import argparse
import itertools
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from playground.local_server import BackgroundServer
from playground.web_api_control import handle_control
from playground.web_api_http import (
    FakeSlackServer,
    Params,
    Reply,
    bearer_token,
    parse_params,
    serve_until_signalled,
)
from playground.web_api_http import error as _error
from playground.web_api_methods import HEADERS_KEY, TOKEN_AWARE, WebApiMethods

RESPONSE_URL_METHOD = "response_url"
API_PREFIX = "/api/"
RESPONSE_URL_PREFIX = "/response/"
# What auth.test reports in its x-oauth-scopes header unless a test says otherwise: the manifest's bot scopes.
DEFAULT_SCOPES = ("commands", "chat:write", "im:write", "users:read", "usergroups:read")


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


class FakeSlack(BackgroundServer, WebApiMethods):
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
        self._methods = self.method_table()

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        """Start serving on a background thread and return self."""
        self._refuse_if_running()
        self._stopping.clear()
        self._serve(FakeSlackServer((self._host, self._port), self), "fake-slack")
        return self

    def stop(self) -> None:
        """Stop serving; delayed answers still in flight are cut short."""
        self._stopping.set()
        super().stop()

    @property
    def root_url(self) -> str:
        """The server's address, e.g. http://127.0.0.1:54321."""
        return self._base_url()

    @property
    def url(self) -> str:
        """Base URL for WebClient(base_url=...), ending in /api/."""
        return self.root_url + API_PREFIX

    def response_url(self, key: str = "r") -> str:
        """A response_url on this server; POSTs to it are recorded as Call(method="response_url")."""
        return self.root_url + RESPONSE_URL_PREFIX + quote(key, safe="")

    # --- failures set up by tests ----------------------------------------------------------------

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
            params = parse_params(parts.query, content_type, body)
        except ValueError:
            return 200, {}, _error("invalid_json")
        token = bearer_token(headers.get("Authorization"))
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
        result = handler(method, params, token) if method in TOKEN_AWARE else handler(method, params)
        headers = result.pop(HEADERS_KEY, {})
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
        return handle_control(self, verb, path, params)


def main(argv: list[str] | None = None, fake_class: type[FakeSlack] = FakeSlack) -> None:
    """Serve a FakeSlack (or a subclass) until SIGTERM/SIGINT, after printing `READY <base_url>`."""
    parser = argparse.ArgumentParser(description="Local fake of the Slack Web API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args(argv)

    serve_until_signalled(fake_class(host=args.host, port=args.port).start())


if __name__ == "__main__":
    main()
