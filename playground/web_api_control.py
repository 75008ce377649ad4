"""Control endpoints of the standalone fake Slack (``python -m playground.slack_api``), for benchmarks.

- ``GET /_calls``: ``{"counts": {method: n}, "calls": [...]}``
- ``POST /_reset``: clear calls and pending failures
- ``POST /_users`` with ``{"id": "U1", "name": ..., ...}``: same as ``add_user``
- ``POST /_usergroups`` with ``{"id": "S1", "members": [...]}``: same as ``set_usergroup``
- ``POST /_fail`` with ``{"method": ..., "error": ..., ...}``: same as ``fail``
- ``POST /_scopes`` with ``{"scopes": [...]}``: same as ``set_scopes``
- ``POST /_channels`` with ``{"id": "C1", "is_member": false, ...}``: same as ``set_channel``
- ``POST /_tokens`` with ``{"tokens": [...]}``: same as ``accept_only_tokens``
"""

from __future__ import annotations

import threading
from dataclasses import asdict
from typing import Any, Protocol

from playground.web_api_http import Params, Reply, error


class Controlled(Protocol):
    """What the control endpoints drive: the fake Web API (playground.slack_api.FakeSlack)."""

    _cond: threading.Condition
    calls: list[Any]

    def counts(self) -> dict[str, int]: ...
    def reset(self) -> None: ...
    def add_user(self, user_id: str, **kwargs: Any) -> None: ...
    def set_usergroup(self, group_id: str, members: list[str]) -> None: ...
    def fail(self, method: str, **kwargs: Any) -> None: ...
    def set_scopes(self, scopes: list[str]) -> None: ...
    def set_channel(self, channel_id: str, **kwargs: Any) -> None: ...
    def accept_only_tokens(self, *tokens: str) -> None: ...


def handle_control(fake: Controlled, verb: str, path: str, params: Params) -> Reply:
    """Answer one control request on `fake`."""
    if verb == "GET" and path == "/_calls":
        with fake._cond:
            calls = [asdict(call) for call in fake.calls]
        return 200, {}, {"counts": fake.counts(), "calls": calls}
    if verb == "POST" and path == "/_reset":
        fake.reset()
        return 200, {}, {"ok": True}
    try:
        if verb == "POST" and path == "/_users":
            user_id = params.pop("id")
            fake.add_user(user_id, **params)
            return 200, {}, {"ok": True}
        if verb == "POST" and path == "/_usergroups":
            fake.set_usergroup(params["id"], params.get("members", []))
            return 200, {}, {"ok": True}
        if verb == "POST" and path == "/_fail":
            fake.fail(params.pop("method"), **params)
            return 200, {}, {"ok": True}
        if verb == "POST" and path == "/_scopes":
            fake.set_scopes(list(params["scopes"]))
            return 200, {}, {"ok": True}
        if verb == "POST" and path == "/_channels":
            fake.set_channel(params.pop("id"), **params)
            return 200, {}, {"ok": True}
        if verb == "POST" and path == "/_tokens":
            fake.accept_only_tokens(*params["tokens"])
            return 200, {}, {"ok": True}
    except (KeyError, TypeError, ValueError) as exc:
        return 400, {}, {"ok": False, "error": "bad_request", "detail": repr(exc)}
    return 404, {}, error("not_found")
