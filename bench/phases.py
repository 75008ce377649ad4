"""The benchmark's phases, in the order run.py calls them: start-up (with the idle RSS), single flows (key
only, then console), the burst, rotate and remove, and the restart on the filled store."""

from __future__ import annotations

import argparse
import contextlib
import os
import time
from collections.abc import Iterator

from bench.client import Client, Snapshot
from bench.flows import Flows
from bench.processes import Stack, child_pids, proc_status
from bench.results import FlowCalls, Results
from bench.workspace import CHANNEL, GROUP_LEAD, LEAD, WAIT_DEADLINE
from messages import APPROVE_ACTION, SHOW_CREDENTIALS_ACTION


def calls_between(before: Snapshot, after: Snapshot) -> FlowCalls:
    """The IAM and Slack calls made between two snapshots."""
    return FlowCalls(iam=after.iam - before.iam, slack=after.slack - before.slack)


class Phases:
    """Drives the bot through the fakes and collects the figures in `results`."""

    def __init__(self, stack: Stack, args: argparse.Namespace) -> None:
        """`stack` runs the processes; `args` are run.py's options (sizes, idle seconds)."""
        self.stack = stack
        self.args = args
        self.results = Results()
        self.client = Client(stack)
        self.flows = Flows(self.client, self.results)

    @contextlib.contextmanager
    def cpu_phase(self, name: str) -> Iterator[None]:
        """Record the CPU seconds each process used during a phase (all four share this machine's cores)."""
        before = self.stack.cpu_seconds()
        own_before = sum(os.times()[:2])
        wall = time.perf_counter()
        yield
        used = {k: s - before[k] for k, s in self.stack.cpu_seconds().items() if k in before}
        used["bench client"] = sum(os.times()[:2]) - own_before
        used["wall"] = time.perf_counter() - wall
        self.results.cpu[name] = used

    def start_bot(self) -> tuple[float, float]:
        """Start the bot; (seconds to accepting requests, seconds to the first answered request)."""
        accepting = self.stack.start_bot()
        sent = self.client.post(self.client.command_body(LEAD, "help", "startup-help"))
        if sent.status != 200 or b"request" not in sent.body:
            raise RuntimeError(f"the bot did not answer /amplify-dev help ({sent.status}):\n{self.stack.bot_tail()}")
        return accepting, time.perf_counter() - self.stack.bot_started

    def startup(self) -> None:
        """Time `startup_trials` start-ups; after the last, the calls it made and its RSS once idle."""
        for trial in range(self.args.startup_trials):
            before = self.client.snapshot()
            accepting, first = self.start_bot()
            self.results.startup_accepting.append(accepting)
            self.results.startup_first_answer.append(first)
            if trial < self.args.startup_trials - 1:
                self.stack.stop_bot()
                continue
            after, self.results.startup_quiet = self.client.wait_quiet()
            self.results.startup_calls = calls_between(before, after)
            time.sleep(self.args.idle_seconds)
            self.results.rss_idle = proc_status(self.stack.bot_pid())

    def single(self) -> list[tuple[str, str]]:
        """Each flow alone (the next starts when the previous one's last call was made); [(user, request id)]."""
        users = [f"US{i:03d}" for i in range(self.args.single)]
        self.client.add_users(users)
        with self.cpu_phase("single flows"):
            ids = [self.flows.request(u) for u in users]
            # A lead in the approvers' user group: the first click looks the group up, the rest use the cache.
            for user, request_id in zip(users, ids, strict=True):
                self.flows.approve(GROUP_LEAD, request_id, user)
            for user, request_id in zip(users, ids, strict=True):
                self.flows.show_credentials(user, request_id)
            self.console()
        return list(zip(users, ids, strict=True))

    def console(self) -> None:
        """The same three flows for developers who also asked for console sign-in."""
        console_users = [f"UC{i:03d}" for i in range(self.args.console)]
        self.client.add_users(console_users)
        for user in console_users:
            request_id = self.flows.request(user, console=True)
            self.flows.approve(LEAD, request_id, user, console=True)
            self.flows.show_credentials(user, request_id, console=True)

    def rotate_remove(self, done: list[tuple[str, str]]) -> None:
        """`rotate`, then `remove`, for the first `rotate` developers of the single flows."""
        users = [u for u, _ in done[: self.args.rotate]]
        with self.cpu_phase("rotate and remove"):
            for user in users:
                self.flows.command("rotate", user, "rotate")
            for user in users:
                self.flows.command("remove", user, "remove")

    def restart(self) -> None:
        """Restart the bot on the store the run filled: start-up recovery reads every open request."""
        ((open_requests,),) = self.client.query(
            "SELECT count(*) FROM requests WHERE state IN ('pending', 'approved', 'active', 'revoking')"
        )
        self.stack.stop_bot()
        before = self.client.snapshot()
        accepting, first = self.start_bot()
        after, quiet = self.client.wait_quiet()
        time.sleep(self.args.idle_seconds)
        self.results.restart = {
            "open requests": open_requests,
            "accepting": accepting,
            "first answer": first,
            "calls": calls_between(before, after),
            "quiet": quiet,
            "rss": proc_status(self.stack.bot_pid()),
        }

    def burst(self) -> None:
        """`burst` users file a request each, a lead approves them all, each requester shows credentials."""
        n, concurrency, client = self.args.burst, self.args.concurrency, self.client
        users = [f"UB{i:04d}" for i in range(n)]
        client.add_users(users)
        burst = self.results.burst
        burst["n"] = n

        # 1. n users file a request each.
        start = client.snapshot()
        with self.cpu_phase("burst: requests"):
            bodies = [(u, client.command_body(u, "request benchmark burst", f"burst-{u}")) for u in users]
            sent, floor = client.burst(bodies, concurrency, floor_port=self.stack.floor_port)
            self.results.floor["request (burst)"] = [s.ack for s in floor.values()]
            client.wait("chat.postMessage", since=start.n, count=n, timeout=WAIT_DEADLINE, channel=CHANNEL)
            client.wait("response_url", since=start.n, count=n, timeout=WAIT_DEADLINE)
        time.sleep(0.5)  # anything duplicated would show up now
        self.results.acks["request (burst)"] = [s.ack for s in sent.values()]
        burst["request answered"] = sum(s.status == 200 for s in sent.values())
        owners = client.request_ids(start.n)
        burst["approval messages"] = len(owners)
        burst["approval messages, distinct requests"] = len(set(owners))
        burst["approval messages, distinct requesters"] = len(set(owners.values()))
        stored = [user for user in client.owners().values() if user.startswith("UB")]
        burst["stored requests"], burst["stored requesters"] = len(stored), len(set(stored))

        # 2. A lead approves all of them, `concurrency` clicks at a time.
        start = client.snapshot()
        by_user = {user: request_id for request_id, user in owners.items()}
        with self.cpu_phase("burst: approvals"):
            bodies = [(u, client.click_body(LEAD, APPROVE_ACTION, by_user[u], CHANNEL)) for u in users if u in by_user]
            sent, floor = client.burst(bodies, concurrency, floor_port=self.stack.floor_port)
            self.results.floor["approve (burst)"] = [s.ack for s in floor.values()]
            client.wait("chat.update", since=start.n, count=len(by_user), timeout=WAIT_DEADLINE)
        time.sleep(0.5)
        after = client.snapshot()
        self.results.acks["approve (burst)"] = [s.ack for s in sent.values()]
        burst["approve answered"] = sum(s.status == 200 for s in sent.values())
        dms = [c for c in client.calls_since(start.n) if c["method"] == "chat.postMessage" and c["channel"] != CHANNEL]
        dm_at = {c["channel"][1:]: c["at"] for c in dms}
        burst["DMs posted"], burst["DMs, distinct requesters"] = len(dms), len(dm_at)
        burst["IAM users created"] = (after.iam - start.iam)["CreateUser"]
        self.results.latency["Approve → requester's DM posted (burst)"] = [
            dm_at[u] - s.sent_at for u, s in sent.items() if u in dm_at
        ]

        # 3. Every requester clicks Show credentials, `concurrency` at a time.
        start = client.snapshot()
        with self.cpu_phase("burst: show credentials"):
            bodies = [
                (u, client.click_body(u, SHOW_CREDENTIALS_ACTION, by_user[u], f"D{u}")) for u in users if u in by_user
            ]
            sent, floor = client.burst(bodies, concurrency, floor_port=self.stack.floor_port)
            self.results.floor["show credentials (burst)"] = [s.ack for s in floor.values()]
            client.wait("chat.update", since=start.n, count=len(by_user), timeout=WAIT_DEADLINE)
        time.sleep(0.5)
        after = client.snapshot()
        self.results.acks["show credentials (burst)"] = [s.ack for s in sent.values()]
        ephemerals = [c for c in client.calls_since(start.n) if c["method"] == "chat.postEphemeral"]
        eph_at = {c["user"]: c["at"] for c in ephemerals}
        burst["ephemerals posted"], burst["keys created"] = len(ephemerals), (after.iam - start.iam)["CreateAccessKey"]
        self.results.latency["Show credentials → ephemeral posted (burst)"] = [
            eph_at[u] - s.sent_at for u, s in sent.items() if u in eph_at
        ]
        time.sleep(self.args.idle_seconds)
        self.results.rss_after = proc_status(self.stack.bot_pid())
        workers = [proc_status(pid)["VmRSS"] / 1024 for pid in child_pids(self.stack.bot_pid())]
        if workers:
            self.results.notes.append(
                f"the bot's {len(workers)} lazy-listener worker processes after the bursts: RSS "
                + ", ".join(f"{mb:.1f}" for mb in workers)
                + " MB (the bot's own row above is its acking process only)"
            )
