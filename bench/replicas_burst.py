"""Benchmark row: two bot processes on one DynamoDB table under the 500-user burst; every request answered once.

python bench/replicas_burst.py [--burst 500] [--concurrency 20] [--replicas 2] [--keep]

moto's server (bench/moto_server.py: IAM and DynamoDB, each DynamoDB operation atomic as in the real service) and
the fake Slack run in their own processes, as in bench/run.py; the replicas are `python bot.py` in HTTP mode
(bench/bot_local.py) with AMPLIFY_DEV_DYNAMODB_TABLE set, each with its own port, clients and store object.
The burst is bench/phases.py's, unchanged: each request, Approve click and Show credentials click goes to the
next replica in turn (as a load balancer spreads them: a user's click rarely reaches the replica that took the
command). The integrity counts are the main benchmark's; stored requests are read from the table.
"""

from __future__ import annotations

import argparse
import io
import itertools
import shutil
import sys
import tempfile
import threading
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import unquote_plus

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import boto3

from bench.client import Client, Sent
from bench.figures import p50_p99
from bench.phases import Phases
from bench.processes import Stack, cpu_seconds
from bench.report import BURST_COUNTS
from messages import APPROVE_ACTION
from ops.create_table import ensure_table
from store import Credentials, State
from store.dynamodb import DynamoRequestStore

TABLE = "amplify-dev-replicas"
REGION = "eu-west-1"  # bench/workspace.py's


class Replica(Stack):
    """One bot on the shared table; moto and the fake Slack belong to the first replica's stack."""

    others: list[Replica]  # the other replicas, whose CPU the first one reports too

    def bot_env(self) -> dict[str, str]:
        """The main benchmark's environment, with the requests (and the audit trail) in the shared table."""
        return {**super().bot_env(), "AMPLIFY_DEV_DYNAMODB_TABLE": TABLE}

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds of the fakes and of every replica (phases.Phases.cpu_phase reads this)."""
        used = super().cpu_seconds()
        for i, other in enumerate(self.others, start=2):
            if other.bot is not None:
                used[f"bot {i}"] = cpu_seconds(other.bot.popen.pid)
        return used


def table_store(stack: Stack) -> DynamoRequestStore:
    """The shared table, read as the bot reads it."""
    client = boto3.client(
        "dynamodb",
        endpoint_url=stack.moto.url if stack.moto else "",
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 (moto accepts any)
    )
    ensure_table(client, TABLE, io.StringIO())
    return DynamoRequestStore(TABLE, client)


class SpreadingClient(Client):
    """bench/client.py's Client, but each request goes to the next replica in turn; acks filed by replica."""

    def __init__(self, replicas: list[Replica], store: DynamoRequestStore) -> None:
        super().__init__(replicas[0])
        self.replicas = [Client(r) for r in replicas]
        self.store = store
        self._turn = itertools.count()
        self._lock = threading.Lock()
        self.acks: defaultdict[tuple[int, str], list[float]] = defaultdict(list)

    def post(self, body: str) -> Sent:
        """POST to the next replica; remember its ack under (replica, kind of request)."""
        with self._lock:
            index = next(self._turn) % len(self.replicas)
        sent = self.replicas[index].post(body)
        text = unquote_plus(body)
        kind = "request" if "payload=" not in body else "approve" if APPROVE_ACTION in text else "show credentials"
        with self._lock:
            self.acks[(index, kind)].append(sent.ack)
        return sent

    def owners(self) -> dict[str, str]:
        """{request id: requester} of every request in the table."""
        return {r.id: r.slack_user_id for r in self.store.in_states(list(State))}


def main(argv: list[str] | None = None) -> int:
    """Start the fakes and the replicas, run the burst, print the counts and the acks per replica."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--idle-seconds", type=float, default=0.5)
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="amplify-dev-replicas-"))
    replicas = [Replica(workdir / f"replica-{i + 1}") for i in range(args.replicas)]
    first = replicas[0]
    try:
        for replica in replicas:
            replica.workdir.mkdir()
            replica.others = [r for r in replicas if r is not replica]
        first.start_fakes()
        store = table_store(first)  # the table exists before any replica starts
        for replica in replicas:
            replica.moto, replica.slack = first.moto, first.slack
            replica.start_bot()
        phases = Phases(first, args)
        phases.client = client = SpreadingClient(replicas, store)
        print(f"· burst: {args.burst} users, {args.concurrency} concurrent, {args.replicas} replicas", flush=True)
        phases.burst()
        states = Counter((r.state, r.credentials) for r in store.in_states(list(State)))
    except BaseException:
        print(f"benchmark failed; logs in {workdir}", file=sys.stderr)
        raise
    finally:
        for replica in replicas[1:]:
            replica.stop_bot()
        first.stop_all()
    burst = phases.results.burst
    exact = all(burst.get(k) == args.burst for k in BURST_COUNTS)
    print("\n".join(f"- {k}: {burst.get(k)}" for k in BURST_COUNTS))
    print(f"- stored states: {dict(states)}")
    print(f"- every count exactly {args.burst}, none duplicated: {'yes' if exact else 'NO'}")
    ok = exact and states == Counter({(State.ACTIVE, Credentials.SHOWN): args.burst})
    for (index, kind), acks in sorted(client.acks.items()):
        print(f"- replica {index + 1}, {kind}: {len(acks)} acks, p50 / p99 {p50_p99(acks)}")
    for index in range(args.replicas):
        every = [a for (i, _), acks in client.acks.items() if i == index for a in acks]
        print(f"- replica {index + 1}, all {len(every)} requests: ack p50 / p99 {p50_p99(every)}")
    for name, used in phases.results.cpu.items():
        print(f"- CPU s, {name}: " + ", ".join(f"{k} {v:.1f}" for k, v in used.items()))
    for name, values in phases.results.latency.items():
        print(f"- {name}: p50 / p99 {p50_p99(values)}")
    if args.keep:
        print(f"work directory kept: {workdir}")
    else:
        shutil.rmtree(workdir)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
