"""amplify-dev: entry point. Reads settings once, builds the clients, wires the app, runs it.

python bot.py        Socket Mode if SLACK_APP_TOKEN is set, else HTTP on $PORT at POST /slack/events
python bot.py --playground   a local page stands in for Slack, IAM is moto: http://127.0.0.1:$PORT/
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound
from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from cli import POLICY_NEEDS_INSTANCE, UNKNOWN_PROFILE, aws_credentials_problem, configuration_error, parse_args
from clients import (
    AwsClients,
    aws_region,
    build_identity_center,
    build_project_clients,
    build_sandbox_clients,
    build_signin_clients,
    build_store,
    report_unreachable_projects,
)
from http_server import PortInUse, serve_http
from logging_setup import configure_logging, quiet_libraries
from settings import Settings, SettingsError, load_settings
from settings.projects import load_projects
from slack_app import create_app
from slack_gateway import build_web_client

if TYPE_CHECKING:  # on Lambda the workflow (IAM, the store, every flow) is imported on first use, after the ack
    from store import RequestStore
    from workflow import Router

logger = logging.getLogger("amplify-dev")

# The lazy listeners' threads when they run in the bot's own process (--sandbox, AMPLIFY_DEV_LAZY_WORKERS=0; also
# start-up recovery). Each runnable worker thread competes with the ack threads for the GIL: measured under the
# 200-user burst (bench/RESULTS.md), 3 threads halve the ack p99 of 8 for a 15% later DM.
WORKER_THREADS = 3
ACK_SWITCH_INTERVAL = 0.001  # seconds


def build(
    settings: Settings,
    *,
    sandbox: bool = False,
    runner: Executor | None = None,
    projects: dict[str, Settings] | None = None,
    verify_requests: bool = True,
) -> tuple[App, Executor, RequestStore, Router]:
    """Build the real clients once and wire the app (IAM on an in-process moto with sandbox=True)."""
    client = build_web_client(settings.slack_bot_token, settings.slack_api_url)
    router = build_router(settings, client, region=aws_region(), sandbox=sandbox, projects=projects)
    if runner is None:
        from lazy_runner import LazyRunner  # submit() without a lock: what the acks waited for under a burst

        runner = LazyRunner(WORKER_THREADS, "amplify-dev")
    app = create_app(settings, client=client, router=router, runner=runner, verify_requests=verify_requests)
    return app, runner, router.store, router


def build_lazy_worker_app(*, sandbox: bool = False) -> App:
    """A lazy-listener worker process's app (lazy_workers.py): the bot's settings from the same environment.

    `sandbox` puts IAM on a moto inside the worker (its own, not the bot's): only for tests of the runner.
    """
    configure_logging()
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    quiet_libraries()
    app, _, _, _ = build(settings, sandbox=sandbox, projects=load_projects(settings), verify_requests=False)
    return app


def build_router(
    settings: Settings,
    client: WebClient,
    *,
    region: str,
    sandbox: bool = False,
    projects: dict[str, Settings] | None = None,
    aws: AwsClients | None = None,
) -> Router:
    """The workflow's router on the real clients (IAM, Identity Center, the store, Slack through `client`)."""
    import iam
    from slack_gateway import SlackGateway
    from workflow import Deps, Router

    projects = projects or {settings.project: settings}
    sessions: dict[str, Any] = {}
    if sandbox:
        from ops.sandbox import sandbox_cloudformation, start_sandbox_iam  # imports moto: only ever in this mode

        iam_client = start_sandbox_iam(region)
        project_iam: dict[str, Any] = {}
        own_cloudformation: Callable[[], Any] = lambda: sandbox_cloudformation(region)  # noqa: E731
    else:
        iam_client = aws.client("iam") if aws else iam.build_iam_client(region)
        project_iam = build_project_clients(projects, region, sessions)
        own_cloudformation = (lambda: aws.client("cloudformation")) if aws else (lambda: _own_cloudformation(region))
    cloudformation, project_cloudformation = build_sandbox_clients(projects, region, sessions, own_cloudformation)
    signin, project_signin = build_signin_clients(
        projects, region, sessions, sandbox=sandbox, session=aws.session if aws and not sandbox else None
    )
    identity_center = None
    if settings.identity_center is not None:
        identity_center, settings = build_identity_center(settings, region, sandbox=sandbox)
    elif any(p.identity_center is not None for p in projects.values()):  # only some projects use the mode
        first = next(p for p in projects.values() if p.identity_center is not None)
        identity_center, _ = build_identity_center(first, region, sandbox=sandbox)
    store, audit_log = build_store(settings, region, aws=aws)
    return Router(
        Deps(
            settings=settings,
            store=store,
            iam=iam_client,
            slack=SlackGateway(
                client,
                idempotent=build_web_client(settings.slack_bot_token, settings.slack_api_url, retry_server_errors=True),
            ),
            region=region,
            audit=audit_log,
            grant_clients=identity_center,
            projects=projects if settings.projects_file else {},
            project_iam=project_iam,
            cloudformation=cloudformation,
            project_cloudformation=project_cloudformation,
            signin=signin,
            project_signin=project_signin,
        )
    )


def _own_cloudformation(region: str) -> Any:
    """The bot's own account's CloudFormation client (the sandbox report), with standard retries."""
    import boto3

    from amplify_sandboxes import cloudformation_client_from

    return cloudformation_client_from(boto3.session.Session(), region)


class LazyRouter:
    """Stands in for the Router until something first uses it, then builds it once (thread-safe).

    On Lambda most acks (a slash command's, a click's) need only Bolt, the signature check and the client for the
    self-invocation; IAM, Identity Center, the store and every flow's messages are imported and built by the first
    listener that reads the workflow (usually the lazy half, in the second invocation).
    """

    def __init__(self, make: Callable[[], Router]) -> None:
        self._make = make
        self._router: Router | None = None
        self._lock = threading.Lock()

    @property
    def built(self) -> bool:
        """Whether the workflow exists yet."""
        return self._router is not None

    def get(self) -> Router:
        """The workflow, built on the first call."""
        if self._router is None:
            with self._lock:
                if self._router is None:
                    self._router = self._make()
        return self._router

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)


def build_lambda_app(settings: Settings, aws: AwsClients) -> tuple[App, Router]:
    """Lambda's init phase: the Slack client and the app (Bolt's auth.test); the workflow on first use."""
    client = build_web_client(settings.slack_bot_token, settings.slack_api_url)
    router: Any = LazyRouter(lambda: build_router(settings, client, region=aws.region, aws=aws))
    return create_app(settings, client=client, router=router), router


def serve_socket_mode(app: App, app_token: str) -> None:
    """Connect to Slack over Socket Mode (no public URL needed) until SIGTERM or Ctrl-C."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, app_token)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    handler.connect()
    logger.info("connected to Slack in Socket Mode")
    try:
        stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        handler.close()


def main(argv: list[str] | None = None) -> int:
    """Run the bot until it is stopped, or run one operator command."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    configure_logging()  # defaults until the settings say otherwise
    if args.playground:  # brings its own settings: reads no Slack or AWS setting, not even .env
        from playground.run import run_playground

        return run_playground(sys.modules[__name__])
    try:
        # Only the bot itself and `check` talk to Slack: the other commands run before the Slack app exists.
        settings = load_settings(slack=args.command in (None, "run", "check"))
        projects = load_projects(settings)
    except SettingsError as e:
        if args.command == "check":  # inside the checklist the README describes, every bad setting at once
            from ops.check.results import settings_report

            return settings_report(e.problems, sys.stdout)
        print(configuration_error(e.problems), file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    quiet_libraries()
    try:
        return run_command(args, settings, projects)
    except ProfileNotFound:  # boto3 reads AWS_PROFILE when the first client or session is made, in every command
        print(f"amplify-dev: {UNKNOWN_PROFILE}", file=sys.stderr)
        return 2


def run_command(args: argparse.Namespace, settings: Settings, projects: dict[str, Settings]) -> int:
    """The command the command line names, with valid settings."""
    if args.command == "check":
        from ops.check import run_check

        return run_check(settings, sys.stdout, projects=projects)
    if args.command == "policy":
        if not settings.instance:
            print(configuration_error([POLICY_NEEDS_INSTANCE]), file=sys.stderr)
            return 2
        from ops.policy_command import run_policy

        return run_policy(
            settings,
            sys.stdout,
            principal=args.principal_arn,
            projects=projects,
            project=args.project,
            trust_caller=args.trust_caller,
        )
    if args.command == "create-table":
        from ops.create_table import run_create_table

        return run_create_table(settings, sys.stdout)
    if args.command == "audit":
        from ops.audit_export import run_audit_export

        return run_audit_export(settings, sys.stdout, since=args.since, fmt=args.format)
    if args.command == "review":
        from ops.review_export import run_review_export

        return run_review_export(settings, sys.stdout, fmt=args.format, project=args.project)
    return run_bot(settings, sandbox=args.sandbox)


def run_bot(settings: Settings, *, sandbox: bool = False) -> int:
    """Build everything and serve until SIGTERM or Ctrl-C."""
    from ops.check.hints import sentence_for

    projects = load_projects(settings)  # checked in main already: a bad file never gets here
    # Refuse now rather than fail at the first approval, with /healthz saying ok until then.
    problem = None if sandbox else aws_credentials_problem()
    if problem:
        print(
            f"amplify-dev: {problem} (`python bot.py --sandbox` or `--playground` try it without AWS.)", file=sys.stderr
        )
        return 2
    try:
        app, runner, store, router = build(settings, sandbox=sandbox, projects=projects)
    except BoltError as e:  # Bolt's auth.test at start: a wrong token or SLACK_API_URL
        print(f"amplify-dev: Slack did not accept SLACK_BOT_TOKEN at {settings.slack_api_url}: {e}", file=sys.stderr)
        return 2
    except (SlackClientError, OSError) as e:  # nothing answered auth.test: the same sentence as `check`'s
        print(f"amplify-dev: {sentence_for('auth.test', e, url=settings.slack_api_url)}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError) as e:  # Identity Center's account look-up at start (STS)
        print(f"amplify-dev: AWS credentials: {sentence_for('sts:GetCallerIdentity', e)}", file=sys.stderr)
        return 2
    from scheduler import Sweeper

    if settings.projects_file and not sandbox:
        report_unreachable_projects(router, projects, aws_region())
    # Requests a crash left mid-way are finished or rolled back before anything new is accepted.
    runner.submit(router.recover).result()
    # Acks must leave within Slack's 3 s while other threads run (the lazy threads' botocore parsing, or the
    # dispatcher and waitress's loop): hand the GIL over more often (1 ms instead of 5 ms).
    sys.setswitchinterval(ACK_SWITCH_INTERVAL)
    # Expiry and reminders every minute; the IAM-wide drift check once an hour (it lists every user).
    sweeper = Sweeper(router.sweep).start()
    workers = None
    try:
        if settings.lazy_workers and not sandbox:  # the sandbox's IAM is moto inside this process: threads only
            from lazy_workers import LazyWorkers

            # The slow half of every listener in worker processes: its botocore parsing and Slack calls no longer
            # hold the GIL the acks wait for (bench/RESULTS.md). Each worker builds its own app from the settings.
            workers = LazyWorkers(settings.lazy_workers, "bot:build_lazy_worker_app").install(app).start_workers()
        if settings.socket_mode:
            serve_socket_mode(app, settings.slack_app_token or "")
        else:
            serve_http(app, settings.slack_signing_secret, settings.port)
    except PortInUse as e:
        print(f"amplify-dev: {e}: set PORT to a free one (e.g. PORT={settings.port + 1}).", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        logger.info("stopping: finishing work in progress")
    finally:
        sweeper.stop()
        if workers is not None:
            workers.shutdown()
        runner.shutdown(wait=True)
        store.close()
        logger.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
