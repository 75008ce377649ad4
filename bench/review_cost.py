"""What the access review costs for N active grants (default 500): IAM calls made, time, and what dominates.

python bench/review_cost.py [--grants 500] [--console-every 5]

IAM is moto's server in a child process (bench/moto_server.py, over HTTP on 127.0.0.1, so every call pays a
round trip as it would against AWS, only much shorter); the store is a fresh SQLite file holding N ACTIVE
grants whose IAM users (one key each, every `--console-every`th with a console password) are made first and
not counted. Then workflow.review.build_review runs once, the way `/amplify-dev review`, the weekly post and
`python bot.py review` run it, and the IAM calls it made are counted and timed by operation on the client
(botocore before-call/after-call hooks). Prints a Markdown section for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

for name, value in {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
}.items():
    os.environ[name] = value

import iam  # noqa: E402
from messages.review import review_message  # noqa: E402
from ops.review_export import render_csv  # noqa: E402
from store import Credentials, Request, SqliteRequestStore, State  # noqa: E402
from workflow.grants.iam_user import iam_last_use  # noqa: E402
from workflow.review import build_review  # noqa: E402


class CallMeter:
    """Counts and times every IAM call a client makes, by operation."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.on = False

    def install(self, client: Any) -> None:
        client.meta.events.register("before-call.iam", self._before)
        client.meta.events.register("after-call.iam", self._after)

    def _before(self, model: Any, context: dict[str, Any], **_: Any) -> None:
        context["bench_started"] = time.perf_counter()

    def _after(self, model: Any, context: dict[str, Any], **_: Any) -> None:
        if self.on:
            self.counts[model.name] += 1
            self.seconds[model.name] += time.perf_counter() - context["bench_started"]


def start_moto() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(  # noqa: S603 (our own script)
        [sys.executable, str(ROOT / "bench" / "moto_server.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith("READY "):
        process.kill()
        raise SystemExit(f"moto did not start: {line!r}")
    return process, line.split(" ", 1)[1]


def seed(client: Any, store: SqliteRequestStore, grants: int, console_every: int, now: datetime) -> int:
    consoles = 0
    for i in range(grants):
        name = f"bench-dev-{i:04d}"
        user = client.create_user(UserName=name, Path="/amplify-dev/")["User"]
        key = client.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
        console = console_every > 0 and i % console_every == 0
        if console:
            client.create_login_profile(UserName=name, Password="Bench-Passw0rd!x")  # noqa: S106 (moto only)
            consoles += 1
        store.create(
            Request(
                id=f"rbench{i:04d}",
                slack_user_id=f"UBENCH{i:04d}",
                team_id="T0BENCH",
                reason="bench",
                console=console,
                iam_user_name=name,
                state=State.ACTIVE,
                credentials=Credentials.SHOWN,
                decided_by="ULEAD",
                decided_at=now - timedelta(days=i % 60),
                expires_at=now + timedelta(days=1 + i % 30),
                access_key_id=key,
                iam_user_arn=user["Arn"],
            )
        )
    return consoles


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grants", type=int, default=500)
    parser.add_argument("--console-every", type=int, default=5)
    args = parser.parse_args()
    moto, url = start_moto()
    try:
        client = iam.build_iam_client("us-east-1", endpoint_url=url)
        meter = CallMeter()
        meter.install(client)
        now = datetime.now(UTC)
        with tempfile.TemporaryDirectory() as work:
            store = SqliteRequestStore(str(Path(work) / "bench.db"))
            started = time.perf_counter()
            consoles = seed(client, store, args.grants, args.console_every, now)
            seeded = time.perf_counter() - started
            meter.on = True
            started = time.perf_counter()
            review = build_review(store, iam_last_use(client), now)
            elapsed = time.perf_counter() - started
            meter.on = False
            started = time.perf_counter()
            message = review_message(review)
            blocks = len(message.blocks)
            rendered = time.perf_counter() - started
            started = time.perf_counter()
            csv_out = _Sink()
            render_csv(review, csv_out)
            csv_time = time.perf_counter() - started
            store.close()
    finally:
        moto.terminate()
        moto.wait(timeout=10)
    total_calls = sum(meter.counts.values())
    iam_seconds = sum(meter.seconds.values())
    print(f"## Access review cost (`python bench/review_cost.py --grants {args.grants}`)\n")
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} CPUs · Python {platform.python_version()} · "
        f"IAM: moto's server on 127.0.0.1 (bench/moto_server.py) · store: SQLite · seeding took {seeded:.1f} s\n"
    )
    print("| measure | result |\n|---|---|")
    print(f"| grants reviewed (console users among them) | {len(review.rows)} ({consoles}) |")
    print(f"| flagged | {len(review.flagged)} |")
    print(f"| review built (store read + IAM reads + flags), wall time | {elapsed:.2f} s |")
    print(
        f"| IAM calls made / fewest needed (1 list + 1 last-used per user, 1 GetUser per console user) | "
        f"{total_calls} / {2 * args.grants + consoles} |"
    )
    for op in sorted(meter.counts, key=lambda o: -meter.seconds[o]):
        share = meter.seconds[op] / elapsed * 100 if elapsed else 0
        print(
            f"| {op}: calls · total time · mean per call · share of the wall time | {meter.counts[op]} · "
            f"{meter.seconds[op]:.2f} s · {meter.seconds[op] / meter.counts[op] * 1000:.1f} ms · {share:.0f}% |"
        )
    print(f"| time outside IAM calls (store read, flags, Python) | {max(elapsed - iam_seconds, 0):.2f} s |")
    print(
        f"| Block Kit message built (blocks, rows shown of {len(review.rows)}) | {rendered * 1000:.1f} ms "
        f"({blocks} blocks) |"
    )
    print(f"| CSV rendered ({csv_out.size} bytes) | {csv_time * 1000:.1f} ms |")
    return 0


class _Sink:
    """A text sink that only counts what is written."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text)
        return len(text)


if __name__ == "__main__":
    sys.exit(main())
