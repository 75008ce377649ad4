"""Start `python bot.py --playground` as its own process (as a person would) and talk to its JSON API."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
# Settings that would break the bot, or reach a real workspace or account, if the playground read any of them.
HOSTILE_ENV = {
    "SLACK_BOT_TOKEN": "xoxb-real-looking-token-that-must-not-be-used",
    "SLACK_SIGNING_SECRET": "real-signing-secret",
    "SLACK_APP_TOKEN": "xapp-real-looking-app-token",
    "SLACK_API_URL": "http://127.0.0.1:9/api/",
    "AWS_PROFILE": "no-such-profile-anywhere",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_ACCESS_KEY_ID": "AKIAREALLOOKINGKEY00",
    "AWS_SECRET_ACCESS_KEY": "real-looking-secret",
}


class PlaygroundProcess:
    """A running playground: its base URL and its JSON API."""

    def __init__(self, url: str, output: list[str]) -> None:
        self.url = url.rstrip("/")
        self.output = output  # everything the process printed (its log), still growing

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=20) as reply:  # noqa: S310 - loopback
                return reply.status, reply.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def post(self, path: str, body: dict[str, Any] | str) -> tuple[int, Any]:
        data = (body if isinstance(body, str) else json.dumps(body)).encode()
        request = urllib.request.Request(self.url + path, data=data, headers={"Content-Type": "application/json"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310 - loopback
                return reply.status, json.load(reply)
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, json.loads(raw) if raw.startswith(b"{") else raw

    def api(self, name: str, **body: Any) -> dict[str, Any]:
        status, answer = self.post(f"/playground/api/{name}", body)
        assert status == 200 and answer["ok"], (name, status, answer)
        return answer

    def state(self, user: str) -> dict[str, Any]:
        status, raw = self.get(f"/playground/api/state?user={user}")
        assert status == 200, raw
        return json.loads(raw)

    def wait_state(self, user: str, ready: Callable[[dict[str, Any]], Any], timeout: float = 15.0) -> dict[str, Any]:
        """Poll `user`'s state until ready(state) is truthy (the API already waits for the bot's work)."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.state(user)
            if ready(state):
                return state
            if time.monotonic() > deadline:
                raise AssertionError(f"{user}'s state never became ready: {json.dumps(state)[:2000]}")
            time.sleep(0.1)


def conversation(state: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(c for c in state["conversations"] if c["kind"] == kind)


def message_with_button(state: dict[str, Any], kind: str, action_id: str) -> dict[str, Any] | None:
    for message in reversed(conversation(state, kind)["messages"]):
        if action_id in json.dumps(message["blocks"]):
            return message
    return None


@contextmanager
def running_playground(cwd: Path, extra_env: dict[str, str] | None = None) -> Iterator[PlaygroundProcess]:
    """`python bot.py --playground` on a free port, in `cwd` (which may hold a .env it must ignore)."""
    env = {**os.environ, **HOSTILE_ENV, "PORT": "0", "PYTHONUNBUFFERED": "1", **(extra_env or {})}
    process = subprocess.Popen(  # noqa: S603 - our own bot.py
        [sys.executable, str(REPO_ROOT / "bot.py"), "--playground"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        url = None
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            seen.append(line)
            found = re.search(r"open (http://\S+) in your browser", line)
            url = found.group(1) if found else None
        assert url, "the playground printed no URL:\n" + "".join(seen)
        # Keep reading its log, so a full pipe never blocks it (and the tests can look for secrets in it).
        drain = threading.Thread(target=lambda: seen.extend(process.stdout or []), daemon=True)
        drain.start()
        yield PlaygroundProcess(url, seen)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
