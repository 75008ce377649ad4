"""The benchmark's three child processes (moto, the fake Slack, the bot): starting, stopping, RSS and CPU reads.

Everything listens on 127.0.0.1. moto and the fake print `READY <url>` once they serve; the bot is ready when
its `GET /healthz` answers 200.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.workspace import BENCH, GROUP_LEAD, LEAD, LEADS_GROUP, STARTUP_DEADLINE, bot_environment


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


def child_pids(pid: int) -> list[int]:
    """The direct children of a process (the bot's lazy-listener workers), from /proc."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Process:
    """A child process with its log; `url` once it said `READY <url>`."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    url: str = ""

    @classmethod
    def start(cls, name: str, argv: list[str], workdir: Path, env: dict[str, str] | None = None) -> Process:
        """Start `argv` and wait until it prints `READY <url>` (or give up after STARTUP_DEADLINE)."""
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
        """The last lines of its log."""
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, then SIGKILL if it is still there after `timeout` seconds."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)


@dataclass
class Stack:
    """moto, the fake Slack and the bot, all in `workdir` (their logs, the bot's SQLite file)."""

    workdir: Path
    moto: Process | None = None
    slack: Process | None = None
    bot: Process | None = None
    floor: Process | None = None  # bench/floor_server.py: the burst's do-nothing server
    bot_port: int = 0
    bot_started: float = 0.0  # time.perf_counter() at the bot's Popen
    bot_extra_env: dict[str, str] = field(default_factory=dict)  # run.py --lazy-workers
    notes: list[str] = field(default_factory=list)  # anything odd about the processes, for the report

    @property
    def db_path(self) -> Path:
        """The bot's SQLite store."""
        return self.workdir / "amplify-dev.db"

    @property
    def floor_port(self) -> int:
        """The do-nothing server's port."""
        return int(self.floor.url.rsplit(":", 1)[1]) if self.floor else 0

    @property
    def slack_root(self) -> str:
        """The fake's root URL (its Web API is under /api/, its read-outs under /_bench/)."""
        return self.slack.url.removesuffix("/api/") if self.slack else ""

    def start_fakes(self) -> None:
        """Start moto and the fake Slack, with the two leads and the leads' user group."""
        self.moto = Process.start("moto", [sys.executable, str(BENCH / "moto_server.py"), "--port", "0"], self.workdir)
        self.slack = Process.start(
            "fake-slack", [sys.executable, str(BENCH / "fake_slack.py"), "--port", "0"], self.workdir
        )
        self.floor = Process.start("floor", [sys.executable, str(BENCH / "floor_server.py")], self.workdir)
        users = [{"id": u, "name": u.lower(), "real_name": f"Lead {u}"} for u in (LEAD, GROUP_LEAD)]
        http_json(f"{self.slack_root}/_bench/users", {"users": users})
        http_json(f"{self.slack_root}/_usergroups", {"id": LEADS_GROUP, "members": [GROUP_LEAD]})

    def bot_env(self) -> dict[str, str]:
        """The bot's environment, pointed at the two fakes."""
        env = bot_environment(
            dict(os.environ),
            slack_url=self.slack.url if self.slack else "",
            aws_url=self.moto.url if self.moto else "",
            db_path=self.db_path,
            port=self.bot_port,
        )
        return {**env, **self.bot_extra_env}

    def start_bot(self) -> float:
        """Start `python bot.py` (bench/bot_local.py); return the seconds until `GET /healthz` answered 200."""
        self.bot_port = free_port()
        log = self.workdir / "bot.log"
        with open(log, "ab") as out:
            started = self.bot_started = time.perf_counter()
            popen = subprocess.Popen(  # noqa: S603
                [sys.executable, str(BENCH / "bot_local.py")],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
                env=self.bot_env(),
            )
        self.bot = Process("bot", popen, log)
        deadline = started + STARTUP_DEADLINE
        while True:
            if popen.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"the bot did not start:\n{self.bot.tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.bot_port, timeout=2)
                conn.request("GET", "/healthz")
                healthy = conn.getresponse().status == 200
                conn.close()
                if healthy:
                    return time.perf_counter() - started
            except OSError:
                time.sleep(0.005)

    def bot_pid(self) -> int:
        """The running bot's process id."""
        if self.bot is None:
            raise RuntimeError("the bot is not running")
        return self.bot.popen.pid

    def bot_tail(self) -> str:
        """The end of the bot's log, for error messages."""
        return self.bot.tail() if self.bot else ""

    def stop_bot(self) -> None:
        """Stop the bot (SIGTERM); a non-zero exit is noted for the report."""
        if self.bot is not None:
            self.bot.stop()
            if self.bot.popen.returncode not in (0, None):
                self.notes.append(f"the bot exited with {self.bot.popen.returncode} on SIGTERM")
            self.bot = None

    def stop_all(self) -> None:
        """Stop every child process that is still running."""
        self.stop_bot()
        for process in (self.slack, self.moto, self.floor):
            if process is not None:
                process.stop()

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds used so far by each running child process, by its name in the report."""
        named = {"bot": self.bot, "moto": self.moto, "fake Slack": self.slack}
        used = {name: cpu_seconds(p.popen.pid) for name, p in named.items() if p is not None}
        if self.bot is not None:  # the lazy-listener worker processes, together
            used["bot's workers"] = sum(cpu_seconds(c) for c in child_pids(self.bot.popen.pid))
        return used
