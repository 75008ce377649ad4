"""Benchmark row: one sweep with many active grants and none due, on SQLite and on DynamoDB (moto in-process):
every store call it makes, the rows or items each one read, and the wall time.

python bench/sweep_cost.py [--grants 10000 1000] [--backends sqlite dynamodb] [--repeat 3]

The grants are seeded through the store itself (create, then a compare-and-set to ACTIVE with an end date a year
away), so every index the store keeps is filled as the bot fills it. Then `Router.sweep()` (no drift check) runs
`--repeat` times; the calls are those of the first sweep (all sweeps make the same ones), the time is the median.
Three configurations: no weekly review (the default), the review scheduled for another day, and the review day
with this week already claimed (what every sweep after the first one on that day does).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.update(
    {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "eu-west-1"}
)
os.environ.pop("AWS_ENDPOINT_URL", None)

from moto import mock_aws

import iam
from ops.aws import build_dynamodb_client
from ops.create_table import ensure_table
from playground.slack_api import FakeSlack
from settings import WEEKDAYS, load_settings
from slack_gateway import SlackGateway, build_web_client
from store import Credentials, Fields, Request, SqliteRequestStore, State
from store.dynamodb import DynamoRequestStore
from store.dynamodb_table import lock_key, request_item, request_key
from workflow import Deps, Router
from workflow.review import review_period

TABLE = "amplify-dev-bench"


class CountingStore:
    """A store seen through its method calls: how many of each, the rows they returned, and their time."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.calls: Counter[str] = Counter()
        self.rows: Counter[str] = Counter()
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.current = ""  # the method running now (the DynamoDB hooks file their calls under it)

    def reset(self) -> None:
        """Forget what was counted so far."""
        self.calls.clear()
        self.rows.clear()
        self.seconds.clear()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._store, name)
        if not callable(attribute):
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.current, started = name, time.perf_counter()
            try:
                result = attribute(*args, **kwargs)
            finally:
                self.current = ""
            self.seconds[name] += time.perf_counter() - started
            self.calls[name] += 1
            self.rows[name] += len(result) if isinstance(result, list) else int(isinstance(result, Request))
            return result

        return counted


class DynamoCalls:
    """DynamoDB API calls by operation and by the store method that made them, with the items they read
    (`ScannedCount` of a Query or Scan: the items DynamoDB evaluated and bills for; 1 per GetItem found)."""

    def __init__(self, client: Any, store: CountingStore) -> None:
        self.store = store
        self.calls: Counter[tuple[str, str]] = Counter()
        self.items: Counter[tuple[str, str]] = Counter()
        client.meta.events.register("before-call.dynamodb.*", self._before)
        client.meta.events.register("after-call.dynamodb.*", self._after)

    def reset(self) -> None:
        """Forget what was counted so far."""
        self.calls.clear()
        self.items.clear()

    def _before(self, model: Any, **_: Any) -> None:
        self.calls[(self.store.current, model.name)] += 1

    def _after(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        read = parsed.get("ScannedCount", parsed.get("Count", int("Item" in parsed)))
        self.items[(self.store.current, model.name)] += read


def seed(store: Any, count: int, now: datetime, dynamodb: Any = None) -> None:
    """`count` ACTIVE grants, key shown, ending a year from now: nothing for the sweep to do.

    On DynamoDB only the first goes through the store: moto copies the whole table for every transaction, so
    seeding 10,000 that way takes most of an hour. The others are copies of the first one's item (the store's own
    codec, checked against what the store wrote) with their own ids, and their locks, put 25 at a time.
    """
    for i in range(count if dynamodb is None else 1):
        seed_through_store(store, i, now)
    if dynamodb is None:
        return
    first = store.get(grant_id(0))
    written = dynamodb.get_item(TableName=TABLE, Key=request_key(first.id))["Item"]
    if written != request_item(first):
        raise RuntimeError("the store's item codec no longer matches what it writes: fix seed()")
    items = []
    for i in range(1, count):
        grant = replace(
            first,
            id=grant_id(i),
            slack_user_id=f"U{i:06d}",
            iam_user_name=f"dev{i}-u{i}",
            iam_user_id=f"AIDA{i:016d}",
            access_key_id=f"AKIA{i:016d}",
        )
        items += [request_item(grant), {**lock_key(grant.slack_user_id), "request_id": {"S": grant.id}}]
    for start in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        unprocessed = dynamodb.batch_write_item(RequestItems={TABLE: batch})["UnprocessedItems"]
        if unprocessed:
            raise RuntimeError(f"moto left {len(unprocessed[TABLE])} items unwritten")


def grant_id(i: int) -> str:
    """The request id of the i-th grant."""
    return f"r{i:06d}"


def seed_through_store(store: Any, i: int, now: datetime) -> None:
    """The i-th grant as the bot makes it: filed, then approved with its key shown."""
    store.create(
        Request(
            id=grant_id(i),
            slack_user_id=f"U{i:06d}",
            team_id="T0TEAM",
            reason="bench",
            console=False,
            iam_user_name=f"dev{i}-u{i}",
            days=365,
        )
    )
    store.compare_and_set(
        grant_id(i),
        Fields(state=State.PENDING),
        Fields(
            state=State.ACTIVE,
            credentials=Credentials.SHOWN,
            decided_by="ULEAD",
            decided_at=now,
            expires_at=now + timedelta(days=365),
            iam_user_id=f"AIDA{i:016d}",
            access_key_id=f"AKIA{i:016d}",
        ),
    )


CONFIGURATIONS = ("no weekly review", "review on another day", "review day, week already claimed")


def settings_for(configuration: str, slack_url: str, now: datetime) -> Any:
    """The bot's settings with the weekly review as `configuration` says."""
    env = {
        "SLACK_BOT_TOKEN": "xoxb-b",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": slack_url,
        "AMPLIFY_DEV_APPROVAL_CHANNEL": "C0APPROVE",
        "AMPLIFY_DEV_APPROVERS": "ULEAD",
    }
    if configuration != CONFIGURATIONS[0]:
        shift = 0 if configuration == CONFIGURATIONS[2] else 3
        env["AMPLIFY_DEV_REVIEW_SCHEDULE"] = WEEKDAYS[(now.weekday() + shift) % 7]
    return load_settings(env)


@contextmanager
def backend(name: str, tmp: str) -> Iterator[tuple[Any, Any]]:
    """(the store, its DynamoDB client or None), fresh and empty."""
    if name == "sqlite":
        store = SqliteRequestStore(f"{tmp}/sweep-{time.monotonic_ns()}.db")
        yield store, None
        store.close()
        return
    with mock_aws():
        client = build_dynamodb_client("eu-west-1")
        ensure_table(client, TABLE, io.StringIO())
        yield DynamoRequestStore(TABLE, client), client


def measure(name: str, grants: int, repeat: int, slack_url: str, tmp: str) -> list[str]:
    """Seed one backend with `grants`, sweep it in each configuration; the report's lines."""
    lines = []
    now = datetime.now(UTC)
    with backend(name, tmp) as (raw, dynamodb):
        started = time.perf_counter()
        seed(raw, grants, now, dynamodb)
        lines.append(f"### {name}, {grants} active grants (seeded in {time.perf_counter() - started:.1f} s)")
        store = CountingStore(raw)
        api = DynamoCalls(dynamodb, store) if dynamodb is not None else None
        web = build_web_client("xoxb-b", slack_url)
        for configuration in CONFIGURATIONS:
            settings = settings_for(configuration, slack_url, now)
            if configuration == CONFIGURATIONS[2]:
                raw.claim(f"review/{settings.project}", review_period(now))  # another replica posted it
            workflow = Router(
                Deps(
                    settings=settings,
                    store=store,
                    iam=iam.build_iam_client("eu-west-1"),
                    slack=SlackGateway(web, idempotent=web),
                    region="eu-west-1",
                )
            )
            times = []
            for attempt in range(repeat):
                store.reset()
                if api:
                    api.reset()
                started = time.perf_counter()
                with traced(raw if attempt == 0 and api is None else None, store) as plans:
                    workflow.sweep()
                times.append(time.perf_counter() - started)
                if attempt == 0:
                    first = (Counter(store.calls), Counter(store.rows), dict(store.seconds))
                    first_api = (Counter(api.calls), Counter(api.items)) if api else None
                    first_plans = plans
            lines += report(configuration, times, first, first_api, first_plans)
    return lines


@contextmanager
def traced(sqlite_store: Any, store: CountingStore) -> Iterator[dict[str, set[str]]]:
    """{store method: how SQLite ran its SELECTs (EXPLAIN QUERY PLAN: SCAN reads every row, SEARCH an index)}."""
    plans: dict[str, set[str]] = defaultdict(set)
    if sqlite_store is None:
        yield plans
        return
    conn = sqlite_store._conn  # the benchmark looks inside: the plan is what makes the cost grow or not
    statements: list[tuple[str, str]] = []
    conn.set_trace_callback(lambda sql: statements.append((store.current, sql)))
    try:
        yield plans
    finally:
        conn.set_trace_callback(None)
    for method, sql in statements:
        if sql.lstrip().upper().startswith("SELECT"):
            plans[method].update(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))


def report(
    configuration: str,
    times: list[float],
    store: tuple[Counter[str], Counter[str], dict[str, float]],
    api: tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]] | None,
    plans: dict[str, set[str]],
) -> list[str]:
    """One configuration's lines: the sweep's time, then each store method with what it read."""
    calls, rows, seconds = store
    head = (
        f"- {configuration}: sweep {statistics.median(times) * 1000:.1f} ms (median of {len(times)}; "
        f"{', '.join(f'{t * 1000:.1f}' for t in times)}); {sum(calls.values())} store calls, "
        f"{sum(rows.values())} rows returned"
    )
    if api:
        head += f"; {sum(api[0].values())} DynamoDB calls, {sum(api[1].values())} items read"
    lines = [head]
    for method in sorted(calls):
        line = f"  - `{method}` ×{calls[method]}: {rows[method]} returned, {seconds[method] * 1000:.1f} ms"
        if api:
            ops = [(op, n, api[1][(m, op)]) for (m, op), n in sorted(api[0].items()) if m == method]
            line += "; " + ", ".join(f"{op} ×{n} ({items} items read)" for op, n, items in ops)
        if plans.get(method):
            line += "; SQLite: " + " + ".join(sorted(plans[method]))
        lines.append(line)
    return lines


def main(argv: list[str] | None = None) -> None:
    """Seed, sweep, print the lines for bench/RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grants", type=int, nargs="+", default=[10_000, 1_000])
    parser.add_argument("--backends", nargs="+", choices=("sqlite", "dynamodb"), default=["sqlite", "dynamodb"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        slack = stack.enter_context(FakeSlack(team_id="T0TEAM"))
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        for name in args.backends:
            for grants in args.grants:
                print("\n".join(measure(name, grants, args.repeat, slack.url, tmp)), flush=True)


if __name__ == "__main__":
    main()
