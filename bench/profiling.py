"""`python bench/run.py --profile`: start-up step by step (bench/profile_startup.py under pyinstrument) and a
second burst under py-spy, summarised per thread group for the report."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from typing import Any

from bench.figures import spread
from bench.phases import Phases
from bench.workspace import BENCH, CHANNEL, LEAD, WAIT_DEADLINE
from messages import APPROVE_ACTION, SHOW_CREDENTIALS_ACTION


def run_profile(phases: Phases) -> None:
    """Profile start-up (pyinstrument) and a second burst (py-spy, all threads of the bot)."""
    stack, client, args = phases.stack, phases.client, phases.args
    out = subprocess.run(  # noqa: S603
        [sys.executable, str(BENCH / "profile_startup.py")],
        cwd=stack.workdir,
        env=stack.bot_env(),
        capture_output=True,
        timeout=120,
        check=True,
    )
    phases.results.profile["startup"] = json.loads(out.stdout.decode().strip().splitlines()[-1])
    raw = stack.workdir / "py-spy-burst.txt"
    spy = subprocess.Popen(  # noqa: S603
        [
            *("py-spy", "record", "--pid", str(stack.bot_pid()), "--format", "raw", "--output", str(raw)),
            *("--rate", "250", "--threads", "--gil", "--nonblocking", "--duration", "600"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # The same burst again, by wall clock: every thread, idle ones too, so an ack thread's samples say where its
    # time goes while it answers a request (running, waiting for the GIL, or blocked on a lock).
    wall = stack.workdir / "py-spy-burst-wall.txt"
    wall_spy = subprocess.Popen(  # noqa: S603
        [
            *("py-spy", "record", "--pid", str(stack.bot_pid()), "--format", "raw", "--output", str(wall)),
            *("--rate", "250", "--threads", "--idle", "--nonblocking", "--duration", "600"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)  # py-spy attaches
    n = args.burst
    users = [f"UP{i:04d}" for i in range(n)]
    client.add_users(users)
    start = client.snapshot()
    bodies = [(u, client.command_body(u, "request profiled burst", f"prof-{u}")) for u in users]
    sent, _ = client.burst(bodies, args.concurrency)
    client.wait("response_url", since=start.n, count=n, timeout=WAIT_DEADLINE)
    phases.results.profile["request acks"] = [s.ack for s in sent.values()]
    owners = client.request_ids(start.n)
    start = client.snapshot()
    bodies = [(u, client.click_body(LEAD, APPROVE_ACTION, request_id, CHANNEL)) for request_id, u in owners.items()]
    sent, _ = client.burst(bodies, args.concurrency)
    client.wait("chat.update", since=start.n, count=len(owners), timeout=WAIT_DEADLINE)
    phases.results.profile["approve acks"] = [s.ack for s in sent.values()]
    start = client.snapshot()  # every requester clicks Show credentials (its ack claims them in the store)
    bodies = [
        (u, client.click_body(u, SHOW_CREDENTIALS_ACTION, request_id, f"D{u}")) for request_id, u in owners.items()
    ]
    sent, _ = client.burst(bodies, args.concurrency)
    client.wait("chat.update", since=start.n, count=len(owners), timeout=WAIT_DEADLINE)
    phases.results.profile["show credentials acks"] = [s.ack for s in sent.values()]
    for recorder in (spy, wall_spy):
        recorder.send_signal(signal.SIGINT)
        try:
            recorder.wait(30)
        except subprocess.TimeoutExpired:
            recorder.kill()
            recorder.wait(5)
    if raw.exists():
        phases.results.profile["py-spy"] = summarise_py_spy(raw.read_text())
    if wall.exists():
        phases.results.profile["ack wall"] = summarise_ack_wall(wall.read_text())


def thread_group(name: str) -> str:
    """The part of the bot a thread belongs to, by its name."""
    if name.startswith("waitress"):
        return "waitress request threads (the ack path)"
    if name == "amplify-dev-sweeper":
        return "sweeper (expiry, reminders, drift check)"
    if name == "amplify-dev-lazy-dispatch":
        return "dispatcher (hands lazy work to the worker processes)"
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
WRAPPERS = {"threading", "concurrent", "bot_local", "bench", "?"}  # bench: bench/bot_local.py, as a package path


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


# A thread blocked here is waiting (for a lock, a condition, a socket), not running or waiting for the GIL.
BLOCKING = ("wait (threading.py", "acquire", "_wait_for_tstate_lock", "select", "poll (", "recv", "accept")


def summarise_ack_wall(raw: str) -> dict[str, Any]:
    """The ack threads' wall-clock samples while they answer a request (a frame of http_server's WSGI app on the
    stack): how many were blocked (and where), and the functions on their stacks (inclusive)."""
    total = 0
    blocked: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit() or "application (http_server.py" not in stack:
            continue
        frames = stack.split(";")
        if not thread_group(frames[0].split(": ", 1)[-1]).startswith("waitress request"):
            continue
        n = int(count)
        total += n
        if frames[-1].startswith(BLOCKING):
            blocked[" <- ".join(f.split(" (")[0] for f in frames[-1:-4:-1])] += n
        start = next(i for i, f in enumerate(frames) if "application (http_server.py" in f)
        for name in {f.split(" (")[0] + f" ({frame_package(f)})" for f in frames[start + 1 :]}:
            inclusive[name] += n
    return {"samples": total, "blocked": blocked.most_common(6), "inclusive": inclusive.most_common(24)}


def profile_section(profile: dict[str, Any]) -> list[str]:
    """The report's profile section (markdown lines)."""
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
        acks = [profile.get(f"{kind} acks", []) for kind in ("request", "approve", "show credentials")]
        lines += [
            "A second burst (requests, then Approve clicks, then Show credentials) under py-spy: 250 Hz, every thread, only the thread "
            "holding the GIL is sampled (in one Python process only that thread can run Python code, so this is "
            f"where the bot's own time goes). Its acks: request {spread(acks[0])}, Approve {spread(acks[1])}, "
            f"Show credentials {spread(acks[2])} "
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
    wall = profile.get("ack wall")
    if wall and wall["samples"]:
        n = wall["samples"]
        blocked = sum(c for _, c in wall["blocked"])
        lines += [
            "",
            f"The same burst by wall clock (py-spy `--idle`, no `--gil`): {n} samples of ack threads answering a "
            f"request; {blocked * 100 / n:.0f}% of them blocked ("
            + "; ".join(f"`{name}` {c * 100 / n:.0f}%" for name, c in wall["blocked"])
            + "), the rest running or waiting for the GIL. Functions on those stacks (inclusive share): "
            + "; ".join(f"`{name}` {c * 100 / n:.0f}%" for name, c in wall["inclusive"]),
        ]
    return lines
