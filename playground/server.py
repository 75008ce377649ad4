"""The playground page and its JSON API, in front of the bot's own WSGI app on the same port.

Every action is sent to the bot exactly as Slack would send it: a signed request to POST /slack/events over
HTTP. The API answers once the bot has acknowledged it and finished the work it started (see Settle), so a
script can read the result with the next GET /playground/api/state.
"""

from __future__ import annotations

import json
import mimetypes
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs

from playground import personas
from playground.world import PlaygroundSlack, ResponseTarget, dm_channel

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
STATIC = Path(__file__).resolve().parent / "static"
API = "/playground/api/"
SETTLE_SECONDS = 15.0
BANNER = (
    "PLAYGROUND: Slack is this page and AWS is a fake in the bot's memory; every key shown is fake and works nowhere."
)


class Settle(Protocol):
    """Waits until the bot has no work in progress (playground.run.TrackingExecutor)."""

    def wait_idle(self, timeout: float) -> bool: ...


class ApiError(Exception):
    """A request the API refuses: HTTP status and a message for the caller."""

    def __init__(self, status: int, message: str) -> None:
        """`status` is the HTTP status to answer with."""
        super().__init__(message)
        self.status = status


class Playground:
    """Acts as the personas: builds Slack's payloads, signs them and posts them to the bot."""

    def __init__(self, slack: PlaygroundSlack, signing_secret: str, events_url: str, settle: Settle) -> None:
        """`events_url` is the bot's own POST /slack/events; `settle` tells when its background work is done."""
        self.slack = slack
        self.world = slack.world
        self.events_url = events_url
        self._signing_secret = signing_secret
        self._settle = settle
        self._response_keys = iter(range(1, 1 << 62))

    # --- the four actions of the JSON API (and opening the Home tab) ------------------------------------

    def command(self, user: str, text: str) -> dict[str, Any]:
        """`user` types `/amplify-dev <text>` in their DM with the bot."""
        channel = dm_channel(user)
        self.world.note(channel, user, f"{personas.COMMAND} {text}".strip())
        body = personas.command_body(
            user,
            text,
            channel=channel,
            response_url=self._response_url(ResponseTarget(user, channel)),
            trigger_id=self._trigger_for(user),
        )
        result = self._send(body, settle=False)
        # What the bot answers in the ack (help, status, usage) Slack shows at once, only to the person who typed
        # it (unless the answer says in_channel): before anything the lazy half posts afterwards.
        if result["ok"] and isinstance(result["response"], dict):
            self.world.show_reply(channel, user, result["response"])
        self._settle.wait_idle(SETTLE_SECONDS)
        return result

    def click(self, user: str, action_id: str, *, channel: str | None = None, ts: str | None = None,
              view_id: str | None = None, value: str | None = None) -> dict[str, Any]:  # fmt: skip
        """`user` clicks a button on a message (channel and ts) or on their Home tab (view_id)."""
        trigger_id = self._trigger_for(user)
        if view_id is not None:
            home = self.world.home(user)
            if home is None or home.get("id") != view_id:
                raise ApiError(404, f"{user} has no Home tab {view_id!r} open")
            button = self._button(home.get("blocks") or [], action_id, value)
            return self._send(personas.block_actions_body(user, button, trigger_id=trigger_id, view=home))
        if not channel or not ts:
            raise ApiError(400, 'a click needs "channel" and "ts" (or "view_id" for a Home-tab button)')
        message = self.world.find_message(user, channel, ts)
        if message is None:
            raise ApiError(404, f"{user} sees no message {ts} in {channel}")
        button = self._button(message.blocks, action_id, value)
        response_url = self._response_url(ResponseTarget(user, channel, ts))
        body = personas.block_actions_body(
            user, button, trigger_id=trigger_id, message=message.to_json(), response_url=response_url
        )
        return self._send(body)

    def submit(self, user: str, view_id: str, values: dict[str, Any]) -> dict[str, Any]:
        """`user` submits the modal open in front of them; Slack closes it unless the bot answers errors."""
        view = self.world.modal(user)
        if view is None or view.get("id") != view_id:
            raise ApiError(404, f"{user} has no modal {view_id!r} open")
        result = self._send(personas.view_submission_body(user, view, values), settle=False)
        answer = result.get("response") if isinstance(result.get("response"), dict) else {}
        if answer.get("response_action") == "errors":
            result["errors"] = answer.get("errors", {})
        elif answer.get("response_action") in ("update", "push") and isinstance(answer.get("view"), dict):
            self.world.set_modal(user, {**answer["view"], "id": view_id})
        else:
            self.world.set_modal(user, None)
        self._settle.wait_idle(SETTLE_SECONDS)
        return result

    def close(self, user: str, view_id: str) -> dict[str, Any]:
        """`user` cancels their modal (the bot asked for no view_closed, so Slack tells it nothing)."""
        view = self.world.modal(user)
        if view is not None and view.get("id") == view_id:
            self.world.set_modal(user, None)
        return {"ok": True}

    def open_home(self, user: str) -> dict[str, Any]:
        """`user` opens the bot's Home tab: Slack sends app_home_opened."""
        body = personas.app_home_opened_body(user, self.slack.bot_user_id)
        return self._send(body, content_type="application/json")

    def state(self, user: str) -> dict[str, Any]:
        """What `user` sees, plus what the page needs to draw it."""
        return {
            "ok": True,
            "banner": BANNER,
            "personas": [p.to_json() for p in personas.PERSONAS],
            **self.world.visible_to(user),
        }

    # --- plumbing -----------------------------------------------------------------------------------------

    def _trigger_for(self, user: str) -> str:
        trigger_id = personas.new_trigger_id()
        self.world.expect_trigger(trigger_id, user)
        return trigger_id

    def _response_url(self, target: ResponseTarget) -> str:
        key = f"playground-{next(self._response_keys)}"
        self.world.expect_response_url(key, target)
        return self.slack.response_url(key)

    @staticmethod
    def _button(blocks: list[dict[str, Any]], action_id: str, value: str | None) -> tuple[str, dict[str, Any]]:
        try:
            return personas.find_button(blocks, action_id, value)
        except personas.PayloadError as e:
            raise ApiError(404, str(e)) from None

    def _send(self, body: str, *, content_type: str = personas.FORM, settle: bool = True) -> dict[str, Any]:
        headers = personas.signed_headers(self._signing_secret, body, content_type=content_type)
        request = urllib.request.Request(self.events_url, data=body.encode(), headers=headers, method="POST")  # noqa: S310
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:  # noqa: S310 - the bot on loopback
                status, raw = reply.status, reply.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        ack_ms = round((time.monotonic() - started) * 1000)
        if settle:
            self._settle.wait_idle(SETTLE_SECONDS)
        text = raw.decode("utf-8", "replace")
        try:
            response: Any = json.loads(text) if text else None
        except ValueError:
            response = text
        return {"ok": 200 <= status < 300, "status": status, "ack_ms": ack_ms, "response": response}


def playground_wsgi(playground: Playground, bot: WsgiApp) -> WsgiApp:
    """The page at /, its files, the JSON API under /playground/api/, and everything else to the bot."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, verb = environ.get("PATH_INFO") or "/", environ.get("REQUEST_METHOD")
        if path.startswith(API):
            status, payload = _api(playground, verb, path[len(API) :], environ)
            return _reply(start_response, status, json.dumps(payload).encode(), "application/json")
        if verb == "GET" and (path == "/" or path.startswith("/static/")):
            name = "index.html" if path == "/" else path[len("/static/") :]
            file = (STATIC / name).resolve()
            if file.parent != STATIC or not file.is_file():
                return _reply(start_response, 404, b"not found\n", "text/plain")
            kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            return _reply(start_response, 200, file.read_bytes(), kind)
        return bot(environ, start_response)

    return application


def _api(playground: Playground, verb: str | None, name: str, environ: dict[str, Any]) -> tuple[int, Any]:
    try:
        if verb == "GET" and name == "state":
            query = parse_qs(environ.get("QUERY_STRING") or "")
            return 200, playground.state(_persona(query.get("user", [""])[0]))
        if verb != "POST":
            raise ApiError(405, "use POST (or GET /playground/api/state?user=U…)")
        body = _json_body(environ)
        user = _persona(body.get("user"))
        if name == "command":
            return 200, playground.command(user, _text(body, "text", required=False))
        if name == "click":
            fields = {k: _text(body, k, required=False) or None for k in ("channel", "ts", "view_id", "value")}
            return 200, playground.click(user, _text(body, "action_id"), **fields)
        if name == "submit":
            values = body.get("values") or {}
            if not isinstance(values, dict):
                raise ApiError(400, '"values" must be an object: {action_id: value}')
            return 200, playground.submit(user, _text(body, "view_id"), values)
        if name == "close":
            return 200, playground.close(user, _text(body, "view_id"))
        if name == "home":
            return 200, playground.open_home(user)
        raise ApiError(404, f"no such API: {name}")
    except ApiError as e:
        return e.status, {"ok": False, "error": str(e)}


def _persona(user: Any) -> str:
    if user not in personas.BY_ID:
        raise ApiError(400, f'"user" must be one of {", ".join(personas.BY_ID)}')
    return str(user)


def _text(body: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = body.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise ApiError(400, f'"{key}" must be a non-empty string')
    return value


def _json_body(environ: dict[str, Any]) -> dict[str, Any]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    try:
        body = json.loads(environ["wsgi.input"].read(length) or b"{}")
    except ValueError:
        raise ApiError(400, "the body must be JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    return body


def _reply(start_response: Callable[..., Any], status: int, data: bytes, kind: str) -> list[bytes]:
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}.get(status, "Error")
    start_response(
        f"{status} {reason}",
        [("Content-Type", kind), ("Content-Length", str(len(data))), ("Cache-Control", "no-store")],
    )
    return [data]
