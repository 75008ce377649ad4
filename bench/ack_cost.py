"""What one ack costs the bot's own process: CPU per ack, and where it goes (cProfile), with the lazy half left out.

    python bench/ack_cost.py [--n 500] [--top 25] [--workers] [--store dynamodb]

The real app (bot.create_app, http_server.wsgi_app) on the project's fake Slack Web API and a SQLite file, called
as waitress calls it, one request after another in this thread, for `/amplify-dev request`, an Approve click and a
Show credentials click (whose ack claims the credentials in the store; with --workers, as the bot with worker
processes, each is acknowledged before Bolt runs and its ack left to the worker). Bolt's lazy listener runner is
replaced by one that only keeps what it was handed, so the figures are the ack's alone: under a burst, the ack threads share
one interpreter, and 20 acks in flight wait for each other's CPU (bench/RESULTS.md). With `--store dynamodb` the
store is a DynamoDB table on moto's server in its own process (bench/moto_server.py), so the figures include the
boto3 client's CPU for Show credentials' claim, as on Lambda, and not moto's, which stands in for DynamoDB's.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.update(
    {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "eu-west-1"}
)

from slack_bolt.lazy_listener import LazyListenerRunner

import iam
from audit import SqliteAuditLog
from bot import create_app
from http_server import wsgi_app
from messages import APPROVE_ACTION, SHOW_CREDENTIALS_ACTION
from playground import personas
from playground.slack_api import FakeSlack
from settings import load_settings
from slack_gateway import SlackGateway, build_web_client
from store import Request, SqliteRequestStore, State
from workflow import Deps, Router, new_request_id

SECRET = "ack-cost-secret"  # noqa: S105 (a throwaway signing secret for this process only)
TEAM, CHANNEL, LEAD = "T0TEAM", "C0APPROVE", "ULEAD"


class KeepOnly(LazyListenerRunner):
    """Takes the lazy request and does nothing with it: the ack's cost without the slow half."""

    def __init__(self) -> None:
        self.started = 0

    def start(self, function: Any, request: Any) -> None:
        self.started += 1


class KeepOnlyWhole(KeepOnly):
    """As lazy_workers.LazyWorkers: also takes whole the requests acknowledged before Bolt runs (their cost here is
    slack_app.AmplifyDevApp's check and LazyJob.of, as in the bot), and does nothing with them either."""

    def take_whole(self, request: Any) -> None:
        from lazy_workers import WHOLE, LazyJob

        LazyJob.of(request, WHOLE)
        self.started += 1


@contextlib.contextmanager
def request_store(kind: str, db: str, workdir: Path) -> Iterator[Any]:
    """The store the acks write: a SQLite file, or a table on moto's server in another process."""
    if kind == "sqlite":
        store = SqliteRequestStore(db)
        yield store
        store.close()
        return
    import boto3

    from bench.processes import Process
    from ops.create_table import ensure_table
    from store.dynamodb import DynamoRequestStore

    moto = Process.start(
        "moto", [sys.executable, str(Path(__file__).parent / "moto_server.py"), "--port", "0"], workdir
    )
    try:
        dynamodb = boto3.client("dynamodb", region_name="eu-west-1", endpoint_url=moto.url)
        ensure_table(dynamodb, "amplify-dev-ack-cost", io.StringIO())
        yield DynamoRequestStore("amplify-dev-ack-cost", dynamodb)
    finally:
        moto.stop()


def environ_for(body: str) -> dict[str, Any]:
    """A WSGI environ as waitress builds it for a signed POST /slack/events."""
    raw = body.encode()
    headers = personas.signed_headers(SECRET, body)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "CONTENT_TYPE": headers.pop("Content-Type", "application/x-www-form-urlencoded"),
        "CONTENT_LENGTH": str(len(raw)),
        "wsgi.input": io.BytesIO(raw),
        "wsgi.url_scheme": "http",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "3000",
    }
    environ.update({"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()})
    return environ


def main() -> int:
    parser = argparse.ArgumentParser(prog="python bench/ack_cost.py", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="acks of each kind (default 500)")
    parser.add_argument("--workers", action="store_true", help="hand lazy work over as lazy_workers.py does")
    parser.add_argument(
        "--top",
        type=int,
        default=25,
        help="functions listed from the profile (default 25; 0: no profiler, no overhead)",
    )
    parser.add_argument("--store", choices=("sqlite", "dynamodb"), default="sqlite", help="the request store")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ack-cost-"))
    db = str(workdir / "amplify-dev.db")
    with FakeSlack(team_id=TEAM) as slack, request_store(args.store, db, workdir) as store:
        settings = load_settings(
            {
                "SLACK_BOT_TOKEN": "xoxb-ack-cost",
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": slack.url,
                "AMPLIFY_DEV_APPROVAL_CHANNEL": CHANNEL,
                "AMPLIFY_DEV_APPROVERS": LEAD,
                "AMPLIFY_DEV_DB": db,
            }
        )
        client = build_web_client(settings.slack_bot_token, settings.slack_api_url)
        router = Router(
            Deps(
                settings=settings,
                store=store,
                iam=iam.build_iam_client("eu-west-1"),
                slack=SlackGateway(client, idempotent=client),
                region="eu-west-1",
                audit=SqliteAuditLog(db),
            )
        )
        app = create_app(settings, client=client, router=router)
        if args.workers:  # what the bot does with worker processes (none started here): no copy of the request
            from lazy_workers import LazyWorkers

            LazyWorkers(1, "unused:unused").install(app)
        # With worker processes a click or `request` is acknowledged before Bolt runs (its ack, and Show credentials'
        # claim, run in the worker), except until the bot's workspace is known: the warm-up below makes it known.
        lazy = KeepOnlyWhole() if args.workers else KeepOnly()
        app.listener_runner.lazy_listener_runner = lazy
        application = wsgi_app(app, SECRET)
        ids = []
        for i in range(args.n):  # ACTIVE requests whose credentials are unclaimed: what Show credentials claims
            request_id = new_request_id()
            store.create(
                Request(
                    id=request_id,
                    slack_user_id=f"UA{i:04d}",
                    team_id=TEAM,
                    reason="ack cost",
                    console=False,
                    iam_user_name=f"ua{i:04d}",
                    state=State.ACTIVE,
                )
            )
            ids.append(request_id)
        kinds = {
            "request": [
                personas.command_body(
                    f"UA{i:04d}",
                    "request ack cost",
                    channel="C0GENERAL",
                    response_url=f"{slack.url}response/r{i}",
                    trigger_id=f"t{i}",
                    team=TEAM,
                )
                for i in range(args.n)
            ],
            "approve": [
                personas.block_actions_body(
                    LEAD,
                    personas.plain_button(APPROVE_ACTION, request_id),
                    trigger_id="t",
                    message={"ts": "1.0", "channel": CHANNEL, "text": "…"},
                    team=TEAM,
                )
                for request_id in ids
            ],
            "show credentials": [
                personas.block_actions_body(
                    f"UA{i:04d}",
                    personas.plain_button(SHOW_CREDENTIALS_ACTION, request_id),
                    trigger_id="t",
                    message={"ts": "1.0", "channel": f"DUA{i:04d}", "text": "…"},
                    team=TEAM,
                )
                for i, request_id in enumerate(ids)
            ],
        }
        statuses: list[str] = []

        def start_response(status: str, headers: Any) -> None:
            statuses.append(status)

        for body in kinds["request"][:20]:  # warm up (Bolt's first authorize, imports on first use)
            application(environ_for(body), start_response)
        profile = cProfile.Profile()
        print(f"CPU per ack, {args.n} of each, one at a time in one thread (process_time):")
        for kind, bodies in kinds.items():
            environs = [environ_for(b) for b in bodies]
            started = time.process_time()
            if args.top:
                profile.enable()
            for environ in environs:
                b"".join(application(environ, start_response))
            profile.disable()
            print(f"  {kind}: {(time.process_time() - started) * 1000 / len(bodies):.2f} ms")
        bad = [s for s in statuses if not s.startswith("200")]
        print(f"answers not 200: {len(bad)}; lazy requests handed over: {lazy.started}")
        out = io.StringIO()
        if args.top:
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
