"""Talking to the bot as Slack does (signed requests built by playground/personas), and reading back what the
fakes recorded (moto's IAM call counts, the fake Slack's calls)."""

from __future__ import annotations

import contextlib
import http.client
import math
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bench.processes import Stack, http_json
from bench.workspace import CHANNEL, GENERAL, QUIET, SIGNING_SECRET, TEAM
from messages import APPROVE_ACTION
from playground import personas


@dataclass
class Sent:
    """One signed request sent to the bot."""

    status: int
    ack: float  # seconds from sending to the complete answer
    sent_at: float  # time.monotonic() when it was sent (comparable with the fake's Call.at)
    body: bytes = b""


@dataclass
class Snapshot:
    """How many calls the fakes had seen at one moment."""

    n: int  # Slack calls recorded so far (an index into the fake's list)
    slack: Counter[str]
    iam: Counter[str]


class Client:
    """The benchmark's side of the wire: Slack's requests out, the fakes' records in."""

    def __init__(self, stack: Stack) -> None:
        """`stack` tells where the bot and the fakes listen (the bot's port changes at every start)."""
        self.stack = stack
        self._seq = 0
        self._seq_lock = threading.Lock()

    # --- requests, as Slack sends them ------------------------------------------------------------------------

    def post(self, body: str, port: int | None = None) -> Sent:
        """POST a signed request to /slack/events (of the bot, or of the server on `port`) on a new connection;
        time it until the answer is read."""
        headers = personas.signed_headers(SIGNING_SECRET, body)
        conn = http.client.HTTPConnection("127.0.0.1", port or self.stack.bot_port, timeout=30)
        try:
            sent_at = time.monotonic()
            started = time.perf_counter()
            conn.request("POST", "/slack/events", body=body.encode(), headers=headers)
            response = conn.getresponse()
            answer = response.read()
            ack = time.perf_counter() - started
        except OSError:
            return Sent(status=0, ack=math.nan, sent_at=math.nan)
        finally:
            conn.close()
        return Sent(status=response.status, ack=ack, sent_at=sent_at, body=answer)

    def burst(
        self, bodies: Sequence[tuple[str, str]], concurrency: int, floor_port: int | None = None
    ) -> tuple[dict[str, Sent], dict[str, Sent]]:
        """Send every (key, body) to the bot with `concurrency` requests in flight at a time; {key: Sent}.

        With `floor_port`, each client thread sends the same body to that do-nothing server right after the bot
        answered it: the floor's requests are spread over the whole burst, so they meet the same machine (the
        bot's lazy work, moto, the fake Slack) and differ only in what the bot's own process adds to an ack.
        """

        def send(body: str) -> tuple[Sent, Sent | None]:
            return self.post(body), self.post(body, floor_port) if floor_port else None

        with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="bench") as pool:
            sent = list(pool.map(lambda item: send(item[1]), bodies))
        bot = {key: s for (key, _), (s, _) in zip(bodies, sent, strict=True)}
        floor = {key: f for (key, _), (_, f) in zip(bodies, sent, strict=True) if f is not None}
        return bot, floor

    def key(self, prefix: str, user: str) -> str:
        """A response_url key nobody used yet in this run."""
        with self._seq_lock:
            self._seq += 1
            return f"{prefix}-{user}-{self._seq}"

    def command_body(self, user: str, text: str, key: str) -> str:
        """`/amplify-dev <text>` typed by `user`; its response_url is recorded by the fake under `key`."""
        return personas.command_body(
            user,
            text,
            channel=GENERAL,
            response_url=f"{self.stack.slack_root}/response/{key}",
            trigger_id=f"trigger-{key}",
            team=TEAM,
        )

    def click_body(self, user: str, action_id: str, value: str, channel: str) -> str:
        """`user` clicks the bot's button `action_id` carrying `value` on a message in `channel`."""
        return personas.block_actions_body(
            user,
            personas.plain_button(action_id, value),
            trigger_id=f"trigger-{user}",
            message={"ts": "1.0", "channel": channel, "text": "…"},
            response_url=f"{self.stack.slack_root}/response/click-{user}-{value}",
            team=TEAM,
        )

    # --- what the fakes recorded --------------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The calls both fakes have counted so far."""
        slack = http_json(f"{self.stack.slack_root}/_bench/counts")
        moto = self.stack.moto
        iam = http_json(f"{moto.url}/_bench/iam_calls") if moto else {"counts": {}}
        return Snapshot(n=slack["n"], slack=Counter(slack["counts"]), iam=Counter(iam["counts"]))

    def wait_quiet(self, limit: float = 120.0) -> tuple[Snapshot, float]:
        """Wait until the fakes see no new call for QUIET seconds (the bot's start-up sweep runs in the
        background); (the counts then, seconds from the bot's start to its last call)."""
        last = self.snapshot()
        deadline = time.perf_counter() + limit
        quiet_since = time.perf_counter()
        while time.perf_counter() < deadline:
            time.sleep(0.1)
            now = self.snapshot()
            if now.n != last.n or now.iam != last.iam:
                last, quiet_since = now, time.perf_counter()
            elif time.perf_counter() - quiet_since >= QUIET:
                break
        return last, quiet_since - self.stack.bot_started

    def wait(self, method: str, since: int, count: int = 1, timeout: float = 10.0, **filters: str) -> list[float]:
        """Block (in the fake, no busy polling) until `count` matching Slack calls arrived; return their times."""
        query = urlencode({"method": method, "since": since, "count": count, "timeout": timeout, **filters})
        answer = http_json(f"{self.stack.slack_root}/_bench/wait?{query}", timeout=timeout + 10)
        if not answer["ok"]:
            raise RuntimeError(
                f"waited {timeout:.0f}s for {count} {method} {filters or ''} call(s); got {answer['matched']}:\n"
                f"{self.stack.bot_tail()}"
            )
        return answer["at"]

    def calls_since(self, since: int) -> list[dict[str, Any]]:
        """The Slack calls recorded from index `since`, without their bodies (bench/fake_slack.py)."""
        return http_json(f"{self.stack.slack_root}/_bench/calls?since={since}", timeout=30)["calls"]

    def add_users(self, ids: Sequence[str]) -> None:
        """Give the fake Slack these people (users.info answers for them)."""
        users = [{"id": u, "name": u.lower(), "real_name": f"Bench {u}", "display_name": u.lower()} for u in ids]
        http_json(f"{self.stack.slack_root}/_bench/users", {"users": users})

    def request_ids(self, since: int) -> dict[str, str]:
        """{request id: requester} for the approval messages posted since `since`, read off their Approve buttons."""
        ids = [
            value
            for call in self.calls_since(since)
            if call["method"] == "chat.postMessage" and call["channel"] == CHANNEL
            for action_id, value in call["buttons"]
            if action_id == APPROVE_ACTION
        ]
        owners = self.owners()
        return {request_id: owners[request_id] for request_id in ids}

    def owners(self) -> dict[str, str]:
        """{request id: requester} of every stored request (bench/replicas_burst.py reads its DynamoDB table)."""
        return dict(self.query("SELECT id, slack_user_id FROM requests"))

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows from the bot's SQLite store, opened read-only."""
        with contextlib.closing(sqlite3.connect(f"file:{self.stack.db_path}?mode=ro", uri=True)) as db:
            return db.execute(sql).fetchall()
