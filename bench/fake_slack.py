"""The project's fake Slack Web API (playground/slack_api.py), with a few cheap read-outs for the benchmark.

python bench/fake_slack.py [--port 0]    prints `READY <base_url>`, serves until SIGTERM

Everything the fake does is unchanged (GET /_calls, POST /_reset, /_users, ...). Added, because /_calls returns
every recorded call with its blocks and gets large in a 500-request burst:
- GET  /_bench/counts                    {"n": calls so far, "counts": {method: n}}
- GET  /_bench/calls?since=I             calls from index I, without bodies: method, at, channel, user,
                                          response_url key, and the button values in the blocks
- GET  /_bench/wait?method=M&count=N&since=I[&channel=C][&user=U][&key=K][&timeout=S]
                                          blocks until N matching calls from index I were recorded (at most S
                                          seconds), then returns their `at` (time.monotonic() of this process,
                                          which on Linux is the same clock as every other process's)
- POST /_bench/users {"users": [{"id": ..., "name": ...}, ...]}   many add_user() at once
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground import slack_api
from playground.slack_api import Call, FakeSlack

MAX_WAIT_SECONDS = 300.0


def _button_values(node: Any, found: list[list[str]]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("action_id"), str) and "value" in node:
            found.append([node["action_id"], str(node["value"])])
        for value in node.values():
            _button_values(value, found)
    elif isinstance(node, list):
        for item in node:
            _button_values(item, found)


def light(index: int, call: Call) -> dict[str, Any]:
    """A recorded call without its body: enough to tell who it was for and when it happened."""
    buttons: list[list[str]] = []
    _button_values(call.params.get("blocks"), buttons)
    return {
        "i": index,
        "method": call.method,
        "at": call.at,
        "channel": call.params.get("channel"),
        "user": call.params.get("user") or call.params.get("users"),
        "key": call.params.get("_key"),
        "buttons": buttons,
    }


class BenchFakeSlack(FakeSlack):
    """FakeSlack plus the /_bench read-outs."""

    def _handle_control(self, verb: str, path: str, params: dict[str, Any]) -> Any:
        if path == "/_bench/counts" and verb == "GET":
            return 200, {}, {"ok": True, "n": len(self.calls), "counts": self.counts()}
        if path == "/_bench/calls" and verb == "GET":
            since = int(params.get("since", 0))
            with self._cond:
                calls = list(enumerate(self.calls))[since:]
            return 200, {}, {"ok": True, "calls": [light(i, c) for i, c in calls]}
        if path == "/_bench/wait" and verb == "GET":
            return 200, {}, self._wait(params)
        if path == "/_bench/users" and verb == "POST":
            for user in params.get("users", []):
                user = dict(user)
                self.add_user(user.pop("id"), **user)
            return 200, {}, {"ok": True}
        return super()._handle_control(verb, path, params)

    def _wait(self, params: dict[str, Any]) -> dict[str, Any]:
        method = params["method"]
        wanted = int(params.get("count", 1))
        filters = {name: params[name] for name in ("channel", "user", "key") if params.get(name)}
        deadline = time.monotonic() + min(float(params.get("timeout", 10)), MAX_WAIT_SECONDS)
        position = int(params.get("since", 0))
        matched: list[float] = []
        with self._cond:
            while True:
                # Only the calls recorded since the last look are scanned: waiting costs O(calls), not O(calls²).
                for call in self.calls[position:]:
                    if call.method == method and all(
                        self._field(call, name) == value for name, value in filters.items()
                    ):
                        matched.append(call.at)
                position = max(position, len(self.calls))
                remaining = deadline - time.monotonic()
                if len(matched) >= wanted or remaining <= 0:
                    return {"ok": len(matched) >= wanted, "matched": len(matched), "at": matched, "n": position}
                self._cond.wait(remaining)

    @staticmethod
    def _field(call: Call, name: str) -> Any:
        if name == "key":
            return call.params.get("_key")
        return call.params.get(name)


def main(argv: list[str] | None = None) -> None:
    """Serve the fake until SIGTERM, after printing `READY <base_url>` (the test fake's own serve loop)."""
    slack_api.main(argv, fake_class=BenchFakeSlack)


if __name__ == "__main__":
    main()
