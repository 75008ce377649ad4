"""Benchmark amplify-dev end to end: acknowledgement times, time to the answer, API calls per flow, start-up, RSS.

    python bench/run.py            (under a minute on 2 cores; writes bench/RESULTS.md)

It starts three processes on 127.0.0.1: moto's IAM (bench/moto_server.py, which counts IAM calls), the
project's fake Slack Web API (bench/fake_slack.py, which records Slack calls) and the bot in HTTP mode
(bench/bot_local.py: `python bot.py` listening on the loopback interface only). Then it sends the bot signed
requests as Slack does and reads the answers back from what the fakes recorded. Nothing is asserted: the
targets are reported as met or missed. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

from messages import APPROVE_ACTION, COMMAND, SHOW_CREDENTIALS_ACTION  # noqa: E402

SIGNING_SECRET = "bench-signing-secret"  # noqa: S105 (the local benchmark's own throwaway secret)
TEAM = "T0TEAM"  # the fake's workspace; the bot refuses payloads from any other
CHANNEL = "C0APPROVE"
LEAD, GROUP_LEAD, LEADS_GROUP = "ULEAD", "UGLEAD", "SLEADS"
POLICY_ARNS = ("arn:aws:iam::aws:policy/AdministratorAccess-Amplify",)
ACCESS_DAYS = 30  # every request gets an end date (the bot's default), which AWS enforces with an inline policy

STARTUP_DEADLINE = 30.0
WAIT_DEADLINE = 240.0  # the longest any one wait for the bot's background work may take
SETTLE = 0.03  # after a flow's last expected call, before its calls are counted
QUIET = 0.5  # no new call for this long: the bot's background start-up work is done

# Targets from issue 4: measured and reported, never asserted.
TARGET_ACK_P99_MS = 100.0
TARGET_STARTUP_S = 1.0
TARGET_IDLE_RSS_MB = 80.0
TARGET_RATIO = 1.0

# The fewest calls each flow needs with the benchmark's settings (one policy, no group, no boundary, one approval,
# 30 days of access): what the flow must change or tell, plus the lookups nothing stored or cached can answer.
# The reasoning per call is in bench/README.md. Calls made once at start-up or at first use and then cached
# are reported separately.
IAM_DELETE_USER = (
    "GetUser",  # path and tags (GetUser returns the tags) prove the user is the bot's
    "ListAccessKeys",
    "DeleteAccessKey",  # the one key the developer has
    "DeleteLoginProfile",  # unconditional: cheaper than asking whether there is one
    "ListSigningCertificates",
    "ListSSHPublicKeys",
    "ListServiceSpecificCredentials",
    "ListMFADevices",
    "ListUserPolicies",
    "DeleteUserPolicy",  # the inline expiry policy
    "ListAttachedUserPolicies",
    "DetachUserPolicy",
    "ListGroupsForUser",
    "DeleteUser",
)
MINIMUM: dict[str, tuple[Counter[str], Counter[str]]] = {
    # flow: (IAM actions, Slack methods; "response_url" is the reply through the command's response_url)
    "request": (Counter(), Counter({"users.info": 1, "chat.postMessage": 1, "response_url": 1})),
    "approve": (
        # PutUserPolicy: the inline policy that denies everything after the end date.
        Counter({"CreateUser": 1, "PutUserPolicy": 1, "AttachUserPolicy": len(POLICY_ARNS)}),
        Counter({"conversations.open": 1, "chat.postMessage": 1, "chat.update": 1}),
    ),
    "show credentials": (Counter({"CreateAccessKey": 1}), Counter({"chat.postEphemeral": 1, "chat.update": 1})),
    "rotate": (
        # ListAccessKeys: "then deletes the older keys" — the store holds only the key last delivered, and a
        # stray key (a failed clean-up) must not outlive a rotation, so IAM is asked which keys exist.
        Counter({"ListAccessKeys": 1, "CreateAccessKey": 1, "DeleteAccessKey": 1}),
        Counter({"chat.postEphemeral": 1, "response_url": 1}),
    ),
    "remove": (Counter(IAM_DELETE_USER), Counter({"chat.postMessage": 1, "response_url": 1})),
    "request --console": (Counter(), Counter({"users.info": 1, "chat.postMessage": 1, "response_url": 1})),
    "approve (console)": (
        # One more attach with console access: IAMUserChangePassword.
        Counter({"CreateUser": 1, "PutUserPolicy": 1, "AttachUserPolicy": len(POLICY_ARNS) + 1}),
        Counter({"conversations.open": 1, "chat.postMessage": 1, "chat.update": 1}),
    ),
    "show credentials (console)": (
        # The account's password policy and alias are account settings: fetched once, then cached.
        Counter({"CreateAccessKey": 1, "CreateLoginProfile": 1}),
        Counter({"chat.postEphemeral": 1, "chat.update": 1}),
    ),
}


# Why a flow makes a call beyond the minimum (shown only when the run sees that extra call), and the fix.
EXPLAIN = {
    "ListAccessKeys": (
        "iam/credentials.py `create_access_key` lists the user's keys before every CreateAccessKey to refuse a "
        "third key, but CreateAccessKey itself answers LimitExceeded, which it already turns into AccessKeyLimit; "
        "`Workflow.rotate` also lists them once more itself, to know the old key, which the stored request holds "
        "(`access_key_id`)"
    ),
    "GetAccountPasswordPolicy": (
        "iam/credentials.py `create_console_login` reads the account password policy on every console "
        "credential; it is an account setting that could be cached like the sign-in URL "
        "(`Workflow._console_signin_url`)"
    ),
    "ListUserTags": (
        "iam/users.py `get_managed_user` calls ListUserTags after GetUser, whose answer already carries the "
        "user's tags (`User.Tags`)"
    ),
}

# --- small utilities ------------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p99 of 500 samples is the 495th smallest)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return "n/a" if math.isnan(seconds) else f"{seconds * 1000:.1f}"


def spread(values: Sequence[float]) -> str:
    """p50 / p99 / max in milliseconds."""
    return f"{ms(percentile(values, 50))} / {ms(percentile(values, 99))} / {ms(max(values, default=math.nan))} ms"


def p50_p99(values: Sequence[float]) -> str:
    return f"{ms(percentile(values, 50))} / {ms(percentile(values, 99))} ms"


def yes_no(ok: bool) -> str:
    return "**yes**" if ok else "**no**"


def http_json(url: str, payload: Any = None, timeout: float = 10.0) -> Any:
    """GET (payload None) or POST JSON to one of the local control endpoints."""
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (127.0.0.1 only)
        return json.loads(response.read())


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process, in kB, from /proc."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0])
    return values


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the three processes ----------------------------------------------------------------------------------


@dataclass
class Process:
    """A child process that prints `READY <url>` on stdout once it serves."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    url: str = ""

    @classmethod
    def start(cls, name: str, argv: list[str], workdir: Path, env: dict[str, str] | None = None) -> Process:
        log = workdir / f"{name}.log"
        with open(log, "wb") as out:
            popen = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=workdir, env=env)  # noqa: S603
        process = cls(name, popen, log)
        deadline = time.monotonic() + STARTUP_DEADLINE
        while time.monotonic() < deadline:
            for line in log.read_text(errors="replace").splitlines():
                if line.startswith("READY "):
                    process.url = line.split(" ", 1)[1].strip()
                    return process
            if popen.poll() is not None:
                break
            time.sleep(0.02)
        process.stop()
        raise RuntimeError(f"{name} did not start:\n{process.tail()}")

    def tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self, timeout: float = 15.0) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)


@dataclass
class Snapshot:
    """How many calls the fakes had seen at one moment."""

    n: int  # Slack calls recorded so far (an index into the fake's list)
    slack: Counter[str]
    iam: Counter[str]


@dataclass
class FlowCalls:
    """The calls one flow made."""

    iam: Counter[str]
    slack: Counter[str]


@dataclass
class Sent:
    """One signed request sent to the bot."""

    status: int
    ack: float  # seconds from sending to the complete answer
    sent_at: float  # time.monotonic() when it was sent (comparable with the fake's Call.at)
    body: bytes = b""


@dataclass
class Results:
    startup_accepting: list[float] = field(default_factory=list)
    startup_first_answer: list[float] = field(default_factory=list)
    startup_calls: FlowCalls | None = None
    startup_quiet: float = math.nan
    rss_idle: dict[str, int] = field(default_factory=dict)
    rss_after: dict[str, int] = field(default_factory=dict)
    acks: dict[str, list[float]] = field(default_factory=dict)
    latency: dict[str, list[float]] = field(default_factory=dict)
    flows: dict[str, list[FlowCalls]] = field(default_factory=dict)
    burst: dict[str, Any] = field(default_factory=dict)
    restart: dict[str, Any] = field(default_factory=dict)
    profile: dict[str, Any] = field(default_factory=dict)
    cpu: dict[str, dict[str, float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class Bench:
    """Drives the bot through the fakes and collects the figures."""

    def __init__(self, workdir: Path, args: argparse.Namespace) -> None:
        self.workdir = workdir
        self.args = args
        self.results = Results()
        self.verifier = SignatureVerifier(SIGNING_SECRET)
        self.moto: Process | None = None
        self.slack: Process | None = None
        self.bot: Process | None = None
        self.slack_root = ""  # the fake's root URL (its Web API is under /api/)
        self.bot_port = 0
        self.bot_started = 0.0
        self.last_call_at = math.nan
        self.db_path = workdir / "amplify-dev.db"
        self._seq = 0
        self._seq_lock = threading.Lock()

    # --- processes ---------------------------------------------------------------------------------------

    def start_fakes(self) -> None:
        self.moto = Process.start("moto", [sys.executable, str(BENCH / "moto_server.py"), "--port", "0"], self.workdir)
        self.slack = Process.start(
            "fake-slack", [sys.executable, str(BENCH / "fake_slack.py"), "--port", "0"], self.workdir
        )
        self.slack_root = self.slack.url.removesuffix("/api/")
        users = [{"id": u, "name": u.lower(), "real_name": f"Lead {u}"} for u in (LEAD, GROUP_LEAD)]
        http_json(f"{self.slack_root}/_bench/users", {"users": users})
        http_json(f"{self.slack_root}/_usergroups", {"id": LEADS_GROUP, "members": [GROUP_LEAD]})

    def bot_env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AWS_", "SLACK_", "AMPLIFY_DEV_")) and k not in ("PORT", "PYTHONPATH")
        }
        env.update(
            {
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": self.slack.url if self.slack else "",
                "AMPLIFY_DEV_APPROVAL_CHANNEL": CHANNEL,
                "AMPLIFY_DEV_APPROVERS": f"{LEAD},{LEADS_GROUP}",
                "AMPLIFY_DEV_POLICY_ARNS": ",".join(POLICY_ARNS),
                "AMPLIFY_DEV_ALLOW_CONSOLE": "true",
                "AMPLIFY_DEV_DEFAULT_DAYS": str(ACCESS_DAYS),
                "AMPLIFY_DEV_REQUIRED_APPROVALS": "1",
                "AMPLIFY_DEV_DB": str(self.db_path),
                "PORT": str(self.bot_port),
                "AWS_ENDPOINT_URL": self.moto.url if self.moto else "",
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_REGION": "eu-west-1",
                # boto3 1.43 reads only AWS_DEFAULT_REGION; without it the bot tells developers us-east-1.
                "AWS_DEFAULT_REGION": "eu-west-1",
            }
        )
        return env

    def start_bot(self) -> tuple[float, float]:
        """Start the bot; return (seconds to accepting requests, seconds to the first answered request)."""
        self.bot_port = free_port()
        log = self.workdir / "bot.log"
        argv = [sys.executable, str(BENCH / "bot_local.py")]
        with open(log, "ab") as out:
            started = self.bot_started = time.perf_counter()
            popen = subprocess.Popen(  # noqa: S603
                argv, stdout=out, stderr=subprocess.STDOUT, cwd=self.workdir, env=self.bot_env()
            )
        self.bot = Process("bot", popen, log)
        deadline = started + STARTUP_DEADLINE
        while True:
            if popen.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"the bot did not start:\n{self.bot.tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.bot_port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
                conn.close()
            except OSError:
                time.sleep(0.005)
        accepting = time.perf_counter() - started
        sent = self.post(self.command_body(LEAD, "help", "startup-help"))
        if sent.status != 200 or b"request" not in sent.body:
            raise RuntimeError(f"the bot did not answer /amplify-dev help ({sent.status}):\n{self.bot.tail()}")
        return accepting, time.perf_counter() - started

    def stop_bot(self) -> None:
        if self.bot is not None:
            self.bot.stop()
            if self.bot.popen.returncode not in (0, None):
                self.results.notes.append(f"the bot exited with {self.bot.popen.returncode} on SIGTERM")
            self.bot = None

    def stop_all(self) -> None:
        self.stop_bot()
        for process in (self.slack, self.moto):
            if process is not None:
                process.stop()

    # --- talking to the bot as Slack does -------------------------------------------------------------------

    def post(self, body: str) -> Sent:
        """POST a signed request to /slack/events on a new connection; time it until the answer is read."""
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=timestamp, body=body),
        }
        data = body.encode()
        conn = http.client.HTTPConnection("127.0.0.1", self.bot_port, timeout=30)
        try:
            sent_at = time.monotonic()
            started = time.perf_counter()
            conn.request("POST", "/slack/events", body=data, headers=headers)
            response = conn.getresponse()
            answer = response.read()
            ack = time.perf_counter() - started
        except OSError:
            return Sent(status=0, ack=math.nan, sent_at=math.nan)
        finally:
            conn.close()
        return Sent(status=response.status, ack=ack, sent_at=sent_at, body=answer)

    def command_body(self, user: str, text: str, key: str) -> str:
        return urlencode(
            {
                "token": "legacy",
                "team_id": TEAM,
                "team_domain": "bench",
                "channel_id": "C0GENERAL",
                "channel_name": "general",
                "user_id": user,
                "user_name": user.lower(),
                "command": COMMAND,
                "text": text,
                "api_app_id": "A0APP",
                "response_url": f"{self.slack_root}/response/{key}",
                "trigger_id": f"trigger-{key}",
            }
        )

    def click_body(self, user: str, action_id: str, value: str, channel: str) -> str:
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "bench"},
            "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "api_app_id": "A0APP",
            "token": "legacy",
            "trigger_id": f"trigger-{user}",
            "channel": {"id": channel},
            "container": {"type": "message", "message_ts": "1.0", "channel_id": channel},
            "message": {"ts": "1.0", "text": "…"},
            "response_url": f"{self.slack_root}/response/click-{user}-{value}",
            "actions": [
                {"type": "button", "action_id": action_id, "block_id": "b", "value": value, "action_ts": "1.1"}
            ],
        }
        return urlencode({"payload": json.dumps(payload)})

    # --- reading what the fakes recorded ---------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        slack = http_json(f"{self.slack_root}/_bench/counts")
        iam = http_json(f"{self.moto.url}/_bench/iam_calls") if self.moto else {"counts": {}}
        return Snapshot(n=slack["n"], slack=Counter(slack["counts"]), iam=Counter(iam["counts"]))

    def wait_quiet(self, limit: float = 120.0) -> Snapshot:
        """Wait until the fakes see no new call for a while (the bot's start-up sweep runs in the background)."""
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
        self.last_call_at = quiet_since - self.bot_started
        return last

    def wait(self, method: str, since: int, count: int = 1, timeout: float = 10.0, **filters: str) -> list[float]:
        """Block (in the fake, no busy polling) until `count` matching Slack calls arrived; return their times."""
        query = urlencode({"method": method, "since": since, "count": count, "timeout": timeout, **filters})
        answer = http_json(f"{self.slack_root}/_bench/wait?{query}", timeout=timeout + 10)
        if not answer["ok"]:
            raise RuntimeError(
                f"waited {timeout:.0f}s for {count} {method} {filters or ''} call(s); got {answer['matched']}:\n"
                f"{self.bot.tail() if self.bot else ''}"
            )
        return answer["at"]

    def calls_since(self, since: int) -> list[dict[str, Any]]:
        return http_json(f"{self.slack_root}/_bench/calls?since={since}", timeout=30)["calls"]

    def add_users(self, ids: Sequence[str]) -> None:
        users = [{"id": u, "name": u.lower(), "real_name": f"Bench {u}", "display_name": u.lower()} for u in ids]
        http_json(f"{self.slack_root}/_bench/users", {"users": users})

    def request_ids(self, since: int) -> dict[str, str]:
        """{request id: requester} for the approval messages posted since `since`, read off their Approve buttons."""
        ids = [
            value
            for call in self.calls_since(since)
            if call["method"] == "chat.postMessage" and call["channel"] == CHANNEL
            for action_id, value in call["buttons"]
            if action_id == APPROVE_ACTION
        ]
        with contextlib.closing(sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)) as db:
            owners = dict(db.execute("SELECT id, slack_user_id FROM requests").fetchall())
        return {request_id: owners[request_id] for request_id in ids}

    @contextlib.contextmanager
    def cpu_phase(self, name: str) -> Iterator[None]:
        """Record the CPU seconds each process used during a phase (all four share this machine's cores)."""
        pids = {"bot": self.bot, "moto": self.moto, "fake Slack": self.slack}
        before = {k: cpu_seconds(p.popen.pid) for k, p in pids.items() if p}
        own_before = sum(os.times()[:2])
        wall = time.perf_counter()
        yield
        used = {k: cpu_seconds(p.popen.pid) - before[k] for k, p in pids.items() if p and k in before}
        used["bench client"] = sum(os.times()[:2]) - own_before
        used["wall"] = time.perf_counter() - wall
        self.results.cpu[name] = used

    # --- flows ---------------------------------------------------------------------------------------------

    def flow(
        self,
        kind: str,
        body: str,
        final: dict[str, Any],
        latency: tuple[str, dict[str, Any]] | None = None,
    ) -> Sent:
        """Send one request, wait for the flow's last call, and count every call the flow made."""
        before = self.snapshot()
        sent = self.post(body)
        if sent.status != 200:
            raise RuntimeError(f"{kind}: the bot answered {sent.status}:\n{self.bot.tail() if self.bot else ''}")
        self.results.acks.setdefault(kind, []).append(sent.ack)
        if latency and "console" not in kind:  # the latency rows are for the default (key only) flows
            name, spec = latency
            at = self.wait(since=before.n, **spec)[0]
            self.results.latency.setdefault(name, []).append(at - sent.sent_at)
        self.wait(since=before.n, **final)
        time.sleep(SETTLE)
        after = self.snapshot()
        self.results.flows.setdefault(kind, []).append(
            FlowCalls(iam=after.iam - before.iam, slack=after.slack - before.slack)
        )
        return sent

    def key(self, prefix: str, user: str) -> str:
        with self._seq_lock:
            self._seq += 1
            return f"{prefix}-{user}-{self._seq}"

    def request_flow(self, user: str, *, console: bool = False) -> str:
        """`/amplify-dev request`; returns the new request's id (from the approval message's button)."""
        key = self.key("req", user)
        text = f"request {'--console ' if console else ''}benchmark the amplify app"
        before = self.snapshot()
        self.flow(
            "request --console" if console else "request",
            self.command_body(user, text, key),
            final={"method": "response_url", "key": key},
            latency=("request → approval message posted", {"method": "chat.postMessage", "channel": CHANNEL}),
        )
        ids = [i for i, owner in self.request_ids(before.n).items() if owner == user]
        if len(ids) != 1:
            raise RuntimeError(f"expected one approval message for {user}, found {len(ids)}")
        return ids[0]

    def approve_flow(self, approver: str, request_id: str, requester: str, *, console: bool = False) -> None:
        self.flow(
            "approve (console)" if console else "approve",
            self.click_body(approver, APPROVE_ACTION, request_id, CHANNEL),
            final={"method": "chat.update", "channel": CHANNEL},
            latency=("Approve → requester's DM posted", {"method": "chat.postMessage", "channel": f"D{requester}"}),
        )

    def show_flow(self, user: str, request_id: str, *, console: bool = False) -> None:
        self.flow(
            "show credentials (console)" if console else "show credentials",
            self.click_body(user, SHOW_CREDENTIALS_ACTION, request_id, f"D{user}"),
            final={"method": "chat.update", "channel": f"D{user}"},
            latency=("Show credentials → ephemeral posted", {"method": "chat.postEphemeral", "user": user}),
        )

    def command_flow(self, kind: str, user: str, text: str) -> None:
        key = self.key(kind, user)
        self.flow(kind, self.command_body(user, text, key), final={"method": "response_url", "key": key})

    # --- phases --------------------------------------------------------------------------------------------

    def phase_startup(self) -> None:
        for trial in range(self.args.startup_trials):
            before = self.snapshot()
            accepting, first = self.start_bot()
            self.results.startup_accepting.append(accepting)
            self.results.startup_first_answer.append(first)
            if trial < self.args.startup_trials - 1:
                self.stop_bot()
                continue
            after = self.wait_quiet()
            self.results.startup_quiet = self.last_call_at
            self.results.startup_calls = FlowCalls(iam=after.iam - before.iam, slack=after.slack - before.slack)
            time.sleep(self.args.idle_seconds)
            assert self.bot is not None
            self.results.rss_idle = proc_status(self.bot.popen.pid)

    def phase_single(self) -> list[tuple[str, str]]:
        """Each flow alone (the next starts when the previous one's last call was made)."""
        n = self.args.single
        users = [f"US{i:03d}" for i in range(n)]
        self.add_users(users)
        with self.cpu_phase("single flows"):
            ids = [self.request_flow(u) for u in users]
            # A lead in the approvers' user group: the first click looks the group up, the rest use the cache.
            for user, request_id in zip(users, ids, strict=True):
                self.approve_flow(GROUP_LEAD, request_id, user)
            for user, request_id in zip(users, ids, strict=True):
                self.show_flow(user, request_id)
            console_users = [f"UC{i:03d}" for i in range(self.args.console)]
            self.add_users(console_users)
            for user in console_users:
                request_id = self.request_flow(user, console=True)
                self.approve_flow(LEAD, request_id, user, console=True)
                self.show_flow(user, request_id, console=True)
        return list(zip(users, ids, strict=True))

    def phase_rotate_remove(self, done: list[tuple[str, str]]) -> None:
        users = [u for u, _ in done[: self.args.rotate]]
        with self.cpu_phase("rotate and remove"):
            for user in users:
                self.command_flow("rotate", user, "rotate")
            for user in users:
                self.command_flow("remove", user, "remove")

    def phase_restart(self) -> None:
        """Restart the bot on the store the run filled: start-up recovery reads every open request."""
        with contextlib.closing(sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)) as db:
            (open_requests,) = db.execute(
                "SELECT count(*) FROM requests WHERE state IN ('pending', 'approved', 'active', 'revoking')"
            ).fetchone()
        self.stop_bot()
        before = self.snapshot()
        accepting, first = self.start_bot()
        after = self.wait_quiet()
        time.sleep(self.args.idle_seconds)
        assert self.bot is not None
        self.results.restart = {
            "open requests": open_requests,
            "accepting": accepting,
            "first answer": first,
            "calls": FlowCalls(iam=after.iam - before.iam, slack=after.slack - before.slack),
            "quiet": self.last_call_at,
            "rss": proc_status(self.bot.popen.pid),
        }

    def phase_profile(self) -> None:
        """Profile start-up (pyinstrument) and a second burst (py-spy, all threads of the bot)."""
        out = subprocess.run(  # noqa: S603
            [sys.executable, str(BENCH / "profile_startup.py")],
            cwd=self.workdir,
            env=self.bot_env(),
            capture_output=True,
            timeout=120,
            check=True,
        )
        self.results.profile["startup"] = json.loads(out.stdout.decode().strip().splitlines()[-1])
        assert self.bot is not None
        raw = self.workdir / "py-spy-burst.txt"
        spy = subprocess.Popen(  # noqa: S603
            [
                *("py-spy", "record", "--pid", str(self.bot.popen.pid), "--format", "raw", "--output", str(raw)),
                *("--rate", "250", "--threads", "--gil", "--nonblocking", "--duration", "600"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1.0)  # py-spy attaches
        n = self.args.burst
        users = [f"UP{i:04d}" for i in range(n)]
        self.add_users(users)
        start = self.snapshot()
        sent = self.burst_send([(u, self.command_body(u, "request profiled burst", f"prof-{u}")) for u in users])
        self.wait("response_url", since=start.n, count=n, timeout=WAIT_DEADLINE)
        self.results.profile["request acks"] = [s.ack for s in sent.values()]
        owners = self.request_ids(start.n)
        start = self.snapshot()
        sent = self.burst_send(
            [(u, self.click_body(LEAD, APPROVE_ACTION, request_id, CHANNEL)) for request_id, u in owners.items()]
        )
        self.wait("chat.update", since=start.n, count=len(owners), timeout=WAIT_DEADLINE)
        self.results.profile["approve acks"] = [s.ack for s in sent.values()]
        spy.send_signal(signal.SIGINT)
        try:
            spy.wait(30)
        except subprocess.TimeoutExpired:
            spy.kill()
            spy.wait(5)
        if raw.exists():
            self.results.profile["py-spy"] = summarise_py_spy(raw.read_text())

    def burst_send(self, bodies: Sequence[tuple[str, str]]) -> dict[str, Sent]:
        """Send every body with `concurrency` requests in flight at a time; {key: Sent}."""
        with ThreadPoolExecutor(max_workers=self.args.concurrency, thread_name_prefix="bench") as pool:
            sent = list(pool.map(lambda item: self.post(item[1]), bodies))
        return {key: s for (key, _), s in zip(bodies, sent, strict=True)}

    def phase_burst(self) -> None:
        n = self.args.burst
        users = [f"UB{i:04d}" for i in range(n)]
        self.add_users(users)
        burst = self.results.burst
        burst["n"] = n

        # 1. n users file a request each.
        start = self.snapshot()
        with self.cpu_phase("burst: requests"):
            sent = self.burst_send([(u, self.command_body(u, "request benchmark burst", f"burst-{u}")) for u in users])
            self.wait("chat.postMessage", since=start.n, count=n, timeout=WAIT_DEADLINE, channel=CHANNEL)
            self.wait("response_url", since=start.n, count=n, timeout=WAIT_DEADLINE)
        time.sleep(0.5)  # anything duplicated would show up now
        self.results.acks["request (burst)"] = [s.ack for s in sent.values()]
        burst["request answered"] = sum(s.status == 200 for s in sent.values())
        owners = self.request_ids(start.n)
        burst["approval messages"] = len(owners)
        burst["approval messages, distinct requests"] = len(set(owners))
        burst["approval messages, distinct requesters"] = len(set(owners.values()))
        with contextlib.closing(sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)) as db:
            stored, people = db.execute(
                "SELECT count(*), count(DISTINCT slack_user_id) FROM requests WHERE slack_user_id LIKE 'UB%'"
            ).fetchone()
        burst["stored requests"], burst["stored requesters"] = stored, people

        # 2. A lead approves all of them, 20 clicks at a time.
        start = self.snapshot()
        by_user = {user: request_id for request_id, user in owners.items()}
        with self.cpu_phase("burst: approvals"):
            sent = self.burst_send(
                [(u, self.click_body(LEAD, APPROVE_ACTION, by_user[u], CHANNEL)) for u in users if u in by_user]
            )
            self.wait("chat.update", since=start.n, count=len(by_user), timeout=WAIT_DEADLINE)
        time.sleep(0.5)
        after = self.snapshot()
        self.results.acks["approve (burst)"] = [s.ack for s in sent.values()]
        burst["approve answered"] = sum(s.status == 200 for s in sent.values())
        dms = [c for c in self.calls_since(start.n) if c["method"] == "chat.postMessage" and c["channel"] != CHANNEL]
        dm_at = {c["channel"][1:]: c["at"] for c in dms}
        burst["DMs posted"], burst["DMs, distinct requesters"] = len(dms), len(dm_at)
        burst["IAM users created"] = (after.iam - start.iam)["CreateUser"]
        self.results.latency["Approve → requester's DM posted (burst)"] = [
            dm_at[u] - s.sent_at for u, s in sent.items() if u in dm_at
        ]

        # 3. Every requester clicks Show credentials, 20 at a time.
        start = self.snapshot()
        with self.cpu_phase("burst: show credentials"):
            sent = self.burst_send(
                [(u, self.click_body(u, SHOW_CREDENTIALS_ACTION, by_user[u], f"D{u}")) for u in users if u in by_user]
            )
            self.wait("chat.update", since=start.n, count=len(by_user), timeout=WAIT_DEADLINE)
        time.sleep(0.5)
        after = self.snapshot()
        self.results.acks["show credentials (burst)"] = [s.ack for s in sent.values()]
        ephemerals = [c for c in self.calls_since(start.n) if c["method"] == "chat.postEphemeral"]
        eph_at = {c["user"]: c["at"] for c in ephemerals}
        burst["ephemerals posted"], burst["keys created"] = len(ephemerals), (after.iam - start.iam)["CreateAccessKey"]
        self.results.latency["Show credentials → ephemeral posted (burst)"] = [
            eph_at[u] - s.sent_at for u, s in sent.items() if u in eph_at
        ]
        time.sleep(self.args.idle_seconds)
        assert self.bot is not None
        self.results.rss_after = proc_status(self.bot.popen.pid)


def thread_group(name: str) -> str:
    if name.startswith("waitress"):
        return "waitress request threads (the ack path)"
    if name == "amplify-dev-sweeper":
        return "sweeper (expiry, reminders, drift check)"
    if name.startswith("amplify-dev"):
        return "worker pool (work after the ack)"
    if name == "MainThread":
        return "main thread (waitress's socket loop)"
    return "other threads"


def frame_package(frame: str) -> str:
    """`func (path/to/file.py:12)` -> the top-level package or module the file belongs to."""
    location = frame.rsplit("(", 1)[-1].rstrip(")").rsplit(":", 1)[0]
    parts = [p for p in location.split("/") if p]
    for marker in ("site-packages", "lib-dynload"):
        if marker in parts:
            parts = parts[parts.index(marker) + 1 :]
    if len(parts) > 1 and parts[0].startswith("python3"):
        parts = parts[1:]
    if not parts:
        return "?"
    top = parts[0]
    return top.removesuffix(".py") if len(parts) == 1 else top


# Packages on nearly every stack of a thread, which say nothing about where its time goes.
WRAPPERS = {"threading", "concurrent", "bot_local", "?"}


def summarise_py_spy(raw: str) -> dict[str, Any]:
    """Per thread group: GIL-holding samples, the packages on their stacks, and the hottest leaf functions."""
    groups: Counter[str] = Counter()
    packages: dict[str, Counter[str]] = {}
    functions: dict[str, Counter[str]] = {}
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        thread = frames[0].split(": ", 1)[-1] if frames[0].startswith("thread") else "?"
        group = thread_group(thread)
        groups[group] += int(count)
        # Inclusive: a sample counts once for every package that has a frame on its stack.
        for package in {frame_package(f) for f in frames[1:]} - WRAPPERS:
            packages.setdefault(group, Counter())[package] += int(count)
        functions.setdefault(group, Counter())[frames[-1]] += int(count)
    return {
        "groups": dict(groups),
        "packages": {g: c.most_common(8) for g, c in packages.items()},
        "functions": {g: c.most_common(6) for g, c in functions.items()},
    }


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the report ---------------------------------------------------------------------------------------------


def steady_and_first_use(samples: list[FlowCalls]) -> tuple[FlowCalls, FlowCalls, bool]:
    """(the calls most flows of this kind made, what the first one made on top, whether all others agreed)."""

    def key(c: FlowCalls) -> str:
        return json.dumps([sorted(c.iam.items()), sorted(c.slack.items())])

    common = Counter(key(s) for s in samples[1:] or samples).most_common(1)[0][0]
    steady = next(s for s in samples[1:] or samples if key(s) == common)
    first = FlowCalls(iam=samples[0].iam - steady.iam, slack=samples[0].slack - steady.slack)
    consistent = all(key(s) == common for s in samples[1:])
    return steady, first, consistent


def describe(counter: Counter[str]) -> str:
    return ", ".join(f"{name} ×{n}" for name, n in sorted(counter.items())) or "none"


def build_report(r: Results, args: argparse.Namespace) -> tuple[str, str]:
    """(the table, the details below it)."""
    rows: list[tuple[str, str, str, str]] = []

    def row(what: str, result: str, target: str = "", met: bool | None = None) -> None:
        rows.append((what, result, target, "" if met is None else yes_no(met)))

    med = percentile(r.startup_accepting, 50)
    row(
        f"start-up → accepting requests (`GET /healthz`), median of {len(r.startup_accepting)} "
        f"[{', '.join(f'{s:.2f}' for s in r.startup_accepting)}]",
        f"{med:.2f} s",
        f"< {TARGET_STARTUP_S:.0f} s",
        med < TARGET_STARTUP_S,
    )
    row(
        "start-up → first answered request (signed `/amplify-dev help`), median",
        f"{percentile(r.startup_first_answer, 50):.2f} s",
    )
    if r.restart:
        row(
            f"restart with {r.restart['open requests']} open requests in the store → accepting / first answer",
            f"{r.restart['accepting']:.2f} / {r.restart['first answer']:.2f} s",
            f"< {TARGET_STARTUP_S:.0f} s",
            r.restart["accepting"] < TARGET_STARTUP_S,
        )
    idle = r.rss_idle.get("VmHWM", 0) / 1024
    row(
        "RSS idle after start-up: current / peak",
        f"{r.rss_idle.get('VmRSS', 0) / 1024:.1f} / {idle:.1f} MB",
        f"< {TARGET_IDLE_RSS_MB:.0f} MB",
        idle < TARGET_IDLE_RSS_MB,
    )
    row(
        "RSS after the bursts: current / peak",
        f"{r.rss_after.get('VmRSS', 0) / 1024:.1f} / {r.rss_after.get('VmHWM', 0) / 1024:.1f} MB",
    )
    n, c = args.burst, args.concurrency
    for kind, label in (
        ("request", "`/amplify-dev request`"),
        ("approve", "Approve click"),
        ("show credentials", "Show credentials click"),
    ):
        single = r.acks.get(kind, [])
        row(f"ack {label}, single (one at a time, n={len(single)}): p50 / p99 / max", spread(single))
    for kind, label in (
        ("request (burst)", "`/amplify-dev request`"),
        ("approve (burst)", "Approve click"),
        ("show credentials (burst)", "Show credentials click"),
    ):
        values = r.acks.get(kind, [])
        target = kind != "show credentials (burst)"
        row(
            f"ack {label}, burst ({n} users, {c} concurrent): p50 / p99 / max",
            spread(values),
            f"p99 < {TARGET_ACK_P99_MS:.0f} ms" if target else "",
            percentile(values, 99) * 1000 < TARGET_ACK_P99_MS if target and values else None,
        )
    b = r.burst
    exact = all(
        b.get(k) == n
        for k in (
            "request answered",
            "approval messages",
            "approval messages, distinct requests",
            "approval messages, distinct requesters",
            "stored requests",
            "stored requesters",
            "approve answered",
            "DMs posted",
            "DMs, distinct requesters",
            "IAM users created",
            "ephemerals posted",
            "keys created",
        )
    )
    row(
        "burst: answered / approval messages / stored requests",
        f"{b.get('request answered')} / {b.get('approval messages')} / {b.get('stored requests')}",
        f"exactly {n}, none duplicated",
        exact,
    )
    row(
        "burst: Approve answered / DMs / IAM users; ephemerals / keys",
        f"{b.get('approve answered')} / {b.get('DMs posted')} / {b.get('IAM users created')}; "
        f"{b.get('ephemerals posted')} / {b.get('keys created')}",
        f"exactly {n}",
        exact,
    )
    for name in (
        "request → approval message posted",
        "Approve → requester's DM posted",
        "Approve → requester's DM posted (burst)",
        "Show credentials → ephemeral posted",
        "Show credentials → ephemeral posted (burst)",
    ):
        values = r.latency.get(name, [])
        if "(burst)" in name:
            row(f"{name} (n={len(values)}): p50 / p99", p50_p99(values))
        else:
            first = f" (first after start-up: {ms(values[0])} ms)" if values else ""
            row(f"{name}, single (n={len(values)}): p50 / p99", p50_p99(values) + first)

    details: list[str] = []
    cached_at_first_use: list[str] = []
    for kind, samples in r.flows.items():
        if not samples:
            continue
        steady, first, consistent = steady_and_first_use(samples)
        min_iam, min_slack = MINIMUM[kind]
        made = sum(steady.iam.values()) + sum(steady.slack.values())
        least = sum(min_iam.values()) + sum(min_slack.values())
        ratio = made / least if least else math.inf
        row(
            f"calls per flow: {kind} (IAM made/min · Slack made/min, n={len(samples)})",
            f"IAM {sum(steady.iam.values())}/{sum(min_iam.values())} · "
            f"Slack {sum(steady.slack.values())}/{sum(min_slack.values())} · ratio {ratio:.2f}",
            f"ratio {TARGET_RATIO:.1f}",
            abs(ratio - TARGET_RATIO) < 1e-9,
        )
        extra_iam, extra_slack = steady.iam - min_iam, steady.slack - min_slack
        missing = (min_iam - steady.iam) + (min_slack - steady.slack)
        details.append(
            f"- **{kind}**: IAM {describe(steady.iam)}; Slack {describe(steady.slack)}."
            + (f" Beyond the minimum: {describe(extra_iam + extra_slack)}." if extra_iam or extra_slack else "")
            + (f" Fewer than the minimum: {describe(missing)}." if missing else "")
            + ("" if consistent else " (Not every flow of this kind made the same calls.)")
        )
        for name in sorted(extra_iam + extra_slack):
            if name in EXPLAIN:
                details.append(f"  - why {name}: {EXPLAIN[name]}.")
        if first.iam or first.slack:
            cached_at_first_use.append(f"{describe(first.iam + first.slack)} (first {kind})")
    if r.startup_calls is not None:
        row(
            "calls once at start-up (process start → no call for 0.5 s; the first sweep runs after the bot "
            f"accepts requests; last call at {r.startup_quiet:.2f} s)",
            describe(r.startup_calls.iam + r.startup_calls.slack),
        )
    if r.restart:
        calls = r.restart["calls"]
        row(
            f"calls at the restart with {r.restart['open requests']} open requests (last call at "
            f"{r.restart['quiet']:.2f} s)",
            describe(calls.iam + calls.slack),
        )
    row("calls once at first use, then cached", "; ".join(cached_at_first_use) or "none")

    table = ["| measure | result | target | met |", "|---|---|---|---|"]
    table += [f"| {what} | {result} | {target} | {met} |" for what, result, target, met in rows]
    missed = [what.split(" (IAM")[0].split(" (`")[0] for what, _, _, met in rows if met == yes_no(False)]
    met_count = sum(met == yes_no(True) for _, _, _, met in rows)
    table += ["", f"Targets: {met_count} met, {len(missed)} missed" + (f" ({'; '.join(missed)})." if missed else ".")]
    cpu = ["| phase | wall s | " + " | ".join(["bot", "moto", "fake Slack", "bench client"]) + " |", "|---" * 6 + "|"]
    for phase, used in r.cpu.items():
        cpu.append(
            f"| {phase} | {used['wall']:.1f} | "
            + " | ".join(f"{used.get(k, 0):.1f}" for k in ("bot", "moto", "fake Slack", "bench client"))
            + " |"
        )
    text = [
        "Calls per flow, by name (the calls most flows of that kind made; `response_url` is the reply through the "
        "command's response_url):",
        "",
        *details,
        "",
        "CPU seconds used per phase (all processes share the machine's cores):",
        "",
        *cpu,
    ]
    if r.profile:
        text += ["", *profile_section(r.profile)]
    if r.notes:
        text += ["", *[f"Note: {note}" for note in r.notes]]
    return "\n".join(table), "\n".join(text)


def profile_section(profile: dict[str, Any]) -> list[str]:
    lines = ["## Profile (`python bench/run.py --profile`)", ""]
    startup = profile.get("startup")
    if startup:
        lines += [
            "Start-up, step by step (bench/profile_startup.py: the steps `python bot.py` takes before it serves):",
            "",
            "| step | ms |",
            "|---|---|",
            *[f"| {name} | {seconds * 1000:.0f} |" for name, seconds in startup["steps"][1:]],
            "",
            "Inside bot.build() and recovery (pyinstrument, frames taking ≥ 3% of it):",
            "",
            *[
                f"{'  ' * f['depth']}- {f['function']} ({f['file']}): {f['s'] * 1000:.0f} ms"
                for f in startup["build_profile"]
            ],
            "",
        ]
    spy = profile.get("py-spy")
    if spy:
        total = sum(spy["groups"].values()) or 1
        acks = profile.get("request acks", []), profile.get("approve acks", [])
        lines += [
            "A second burst (requests, then Approve clicks) under py-spy: 250 Hz, every thread, only the thread "
            "holding the GIL is sampled (in one Python process only that thread can run Python code, so this is "
            f"where the bot's own time goes). Its acks: request {spread(acks[0])}, Approve {spread(acks[1])} "
            "(py-spy takes CPU too).",
            "",
            "| thread group | share of GIL samples | packages on the stack (inclusive) | hottest leaf functions |",
            "|---|---|---|---|",
        ]
        for group, count in sorted(spy["groups"].items(), key=lambda item: -item[1]):
            packages = ", ".join(f"{name} {n * 100 / count:.0f}%" for name, n in spy["packages"].get(group, [])[:6])
            functions = "; ".join(
                f"`{name.split(' (')[0]}` {n * 100 / count:.0f}%" for name, n in spy["functions"].get(group, [])[:4]
            )
            lines.append(f"| {group} | {count * 100 / total:.0f}% ({count}) | {packages} | {functions} |")
    return lines


def machine_line(started: datetime, elapsed: float, load_before: float) -> str:
    import slack_bolt
    import slack_sdk

    try:
        from importlib.metadata import version

        moto_version = version("moto")
        boto3_version = version("boto3")
    except Exception:
        moto_version = boto3_version = "?"
    return (
        f"{started:%Y-%m-%d %H:%M} UTC · {os.cpu_count()} CPUs · Python {platform.python_version()} · "
        f"slack-bolt {slack_bolt.version.__version__} · slack-sdk {slack_sdk.version.__version__} · "
        f"boto3 {boto3_version} · moto {moto_version} · run took {elapsed:.0f} s · load average before the run "
        f"{load_before:.2f}, after {os.getloadavg()[0]:.2f} (other work on this machine skews the figures)"
    )


def write_results(path: Path, header: str, table: str, details: str) -> None:
    path.write_text(
        "# amplify-dev benchmark results\n\n"
        f"`python bench/run.py` — {header}\n\n"
        f"{table}\n\n{details}\n\n"
        "moto 5.2 has no ListServiceSpecificCredentials / DeleteServiceSpecificCredential (which `remove` calls): "
        "bench/moto_server.py adds them to moto's IAM in its own process (an empty list / NoSuchEntity) and counts "
        "IAM calls there, so the bot runs unmodified. Slack calls are counted by the project's fake Slack Web API "
        "(bench/fake_slack.py adds read-outs to it). bench/bot_local.py only pins the bot's HTTP listener to "
        "127.0.0.1.\n\n"
        "See bench/README.md for what each row measures and how the minimum calls per flow are counted.\n"
    )


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python bench/run.py", description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=500, help="users in the burst (default 500)")
    parser.add_argument("--concurrency", type=int, default=20, help="requests in flight in the burst (default 20)")
    parser.add_argument("--single", type=int, default=50, help="flows measured one at a time (default 50)")
    parser.add_argument("--console", type=int, default=5, help="console-access flows (default 5)")
    parser.add_argument("--rotate", type=int, default=10, help="rotate and remove flows (default 10)")
    parser.add_argument("--startup-trials", type=int, default=3, help="bot start-ups timed (default 3)")
    parser.add_argument("--idle-seconds", type=float, default=1.0, help="wait before reading RSS (default 1)")
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md", help="where to write the results")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    parser.add_argument(
        "--profile", action="store_true", help="also profile start-up (pyinstrument) and a burst (py-spy)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, database)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.rotate > args.single:
        args.rotate = args.single
    started = datetime.now(UTC)
    load_before = os.getloadavg()[0]
    clock = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="amplify-dev-bench-"))
    bench = Bench(workdir, args)
    try:
        print("· starting moto and the fake Slack", file=sys.stderr, flush=True)
        bench.start_fakes()
        print(f"· start-up ×{args.startup_trials}", file=sys.stderr, flush=True)
        bench.phase_startup()
        print(f"· {args.single} flows one at a time (+{args.console} console)", file=sys.stderr, flush=True)
        done = bench.phase_single()
        print(f"· burst: {args.burst} users, {args.concurrency} concurrent", file=sys.stderr, flush=True)
        bench.phase_burst()
        print(f"· rotate and remove ×{args.rotate}", file=sys.stderr, flush=True)
        bench.phase_rotate_remove(done)
        print("· restart on the filled store", file=sys.stderr, flush=True)
        bench.phase_restart()
        if args.profile and not shutil.which("py-spy"):
            bench.results.notes.append(
                "--profile skipped: py-spy is not installed (pip install -r bench/requirements.txt)"
            )
        elif args.profile:
            print("· profiling start-up and a second burst", file=sys.stderr, flush=True)
            bench.phase_profile()
    except BaseException:
        print(f"benchmark failed; logs in {workdir}", file=sys.stderr)
        raise
    finally:
        bench.stop_all()  # never leave a child process behind, whatever happened
    elapsed = time.perf_counter() - clock
    header = machine_line(started, elapsed, load_before)
    table, details = build_report(bench.results, args)
    print(f"\n{header}\n\n{table}\n\n{details}")
    if not args.no_write:
        write_results(args.out, header, table, details)
        print(f"\nwritten to {args.out}", file=sys.stderr)
    if not args.keep:
        shutil.rmtree(workdir)
    else:
        print(f"work directory kept: {workdir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
