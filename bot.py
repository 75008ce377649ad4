"""amplify-dev: entry point. Reads settings once, builds the clients, wires the app, runs it.

python bot.py        Socket Mode if SLACK_APP_TOKEN is set, else HTTP on $PORT at POST /slack/events
python bot.py --playground   a local page stands in for Slack, IAM is moto: http://127.0.0.1:$PORT/
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.error import BoltError
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from slack_sdk.signature import SignatureVerifier

import handlers
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
from handlers.guards import is_well_formed
from http_server import PortInUse, serve_http
from logging_setup import configure_logging, quiet_libraries
from settings import Settings, SettingsError, load_settings
from settings.projects import load_projects
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
BOLT_APP_NAME = "slack_bolt.amplify-dev"
BOLT_APP_LOGGER = "slack_bolt.App"  # Bolt's framework logger, which the app is given


class AmplifyDevApp(App):
    """Bolt's App, dropping malformed payloads before Bolt's own matchers index into them (an IndexError)."""

    def __init__(self, *, signing_secret: str, **kwargs: Any) -> None:
        super().__init__(signing_secret=signing_secret, **kwargs)
        self._verifier = SignatureVerifier(signing_secret)

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        """Dispatch a well-formed request; acknowledge and drop a malformed one, logging only its type."""
        if not is_well_formed(req.body):
            headers = {k: (v[0] if isinstance(v, list | tuple) and v else v) for k, v in req.headers.items()}
            signed = req.mode == "socket_mode" or self._verifier.is_valid_request(req.raw_body, headers)
            logger.warning("ignored a malformed %s payload", req.body.get("type") or "command")
            return BoltResponse(status=200 if signed else 401, body="")
        response = super().dispatch(req)
        if response.status == 404:
            # Bolt's answer when no listener matched (e.g. `payload={}` or an empty body), after its signature
            # check: a 404 would make Slack retry or show an error, so acknowledge and ignore it.
            logger.warning("ignored a %s payload no listener handles", req.body.get("type") or "command")
            return BoltResponse(status=200, body="")
        return response


class _TokenFromEnvironment(logging.Filter):
    """Drops Bolt's "As you gave `client` as well, `token` will be unused." (create_app says it when it is true)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


_TOKEN_FILTER = _TokenFromEnvironment()


def warn_if_environment_token_unused(client: WebClient) -> None:
    """Bolt reads SLACK_BOT_TOKEN from the environment whenever it is set, and warns that it goes unused beside our
    client: noise when it is the very token the client carries (the settings read it from there), a real warning
    when it is another one (the bot uses its settings' token, not that one)."""
    bolt_logger = logging.getLogger(BOLT_APP_LOGGER)
    if _TOKEN_FILTER not in bolt_logger.filters:
        bolt_logger.addFilter(_TOKEN_FILTER)
    environment = os.environ.get("SLACK_BOT_TOKEN")
    if environment and environment != client.token:
        logger.warning(
            "SLACK_BOT_TOKEN in the environment is not the token the bot uses (its settings' or its secret's); "
            "the environment's is ignored"
        )


def create_app(
    settings: Settings,
    *,
    client: WebClient,
    router: Router,
    runner: Executor | None = None,
    verify_requests: bool = True,
) -> App:
    """The Bolt app with every listener registered; nothing here does I/O except Bolt's one auth.test.

    `runner` runs the lazy listeners in Socket Mode and HTTP (Bolt's own pool of 5 threads when None).
    `verify_requests=False` only for a lazy-listener worker process: its requests come over a private pipe from
    the bot process, which checked Slack's signature before the ack.
    """
    quiet_libraries()  # whoever builds the app, the loggers that would print secrets stay at WARNING
    warn_if_environment_token_unused(client)
    app = AmplifyDevApp(
        client=client,
        signing_secret=settings.slack_signing_secret,
        # Our listeners only ack; the slow work is a lazy listener, which Bolt starts on `runner` (Socket Mode,
        # HTTP) or as an asynchronous self-invocation (Lambda, see lambda_handler.py). Bolt answers Slack as soon
        # as the ack function returns, with no polling thread in between.
        process_before_response=True,
        listener_executor=runner,
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger(BOLT_APP_LOGGER),
        # Bolt names its per-class loggers "<app name>:<class>" (the Lambda adapter's logs whole events, with
        # response_url, at DEBUG): under "slack_bolt" they stay at WARNING with the rest of Bolt.
        name=BOLT_APP_NAME,
        request_verification_enabled=verify_requests,
    )
    handlers.register(app, router, breakglass_hours=longest_breakglass(settings))

    @app.error
    def _on_error(error: Exception, body: dict[str, Any]) -> None:
        logger.error("unhandled error for a %s payload", body.get("type") or "command", exc_info=error)

    return app


def longest_breakglass(settings: Settings) -> int | None:
    """The longest break-glass any project allows (None: off everywhere), for the help; the projects file is read
    again here (small, validated at start) so that on Lambda the help needs no workflow."""
    hours = [p.breakglass_hours for p in load_projects(settings).values() if p.breakglass_hours is not None]
    return max(hours, default=None)


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


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line: run the bot (default), or one of the operator's commands."""
    parser = argparse.ArgumentParser(prog="python bot.py", description="amplify-dev Slack bot")
    parser.add_argument("--sandbox", action="store_true", help="run against an in-process fake IAM (moto), not AWS")
    parser.add_argument(
        "--playground", action="store_true", help="try it on a local page standing in for Slack, with fake AWS"
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default)")
    sub.add_parser("check", help="check the configuration, Slack and AWS set-up, then exit")
    policy = sub.add_parser("policy", help="print the least-privilege IAM policy the bot's own AWS identity needs")
    policy.add_argument(
        "--principal-arn",
        help="the IAM role or user ARN the bot runs as (default: the identity of the current AWS credentials)",
    )
    policy.add_argument(
        "--project", help="print the policy and the trust policy of this project's account role instead"
    )
    policy.add_argument(
        "--trust-caller",
        action="store_true",
        help="with --project and no --principal-arn: let the trust policy name the current credentials' identity",
    )
    sub.add_parser("create-table", help="create the DynamoDB table AMPLIFY_DEV_DYNAMODB_TABLE names (safe to rerun)")
    audit = sub.add_parser("audit", help="export the audit trail")
    audit.add_argument("--since", help="only events on or after this date (YYYY-MM-DD)")
    audit.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    review = sub.add_parser("review", help="print the access review (active grants, last use, flags)")
    review.add_argument("--project", help="the project to review (only `default` exists for now)")
    review.add_argument("--format", choices=("text", "csv", "jsonl"), default="text")
    return parser.parse_args(argv)


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


UNKNOWN_PROFILE = "AWS_PROFILE names a profile that is in neither ~/.aws/config nor ~/.aws/credentials."
POLICY_NEEDS_INSTANCE = (
    "`policy` needs AMPLIFY_DEV_APPROVAL_CHANNEL (the leads' channel ID) or AMPLIFY_DEV_INSTANCE: the policy lets "
    "the bot change only users tagged with this deployment's instance, which is the approval channel unless set"
)


def configuration_error(problems: list[str]) -> str:
    """Every invalid setting, one per line, for stderr."""
    if len(problems) == 1:
        return f"amplify-dev: configuration error: {problems[0]}"
    return f"amplify-dev: {len(problems)} configuration errors:\n" + "\n".join(f"  - {p}" for p in problems)


def aws_credentials_problem() -> str | None:
    """Why boto3's chain finds no credentials (environment, profile, instance or task role), or None."""
    import boto3

    from ops.check.hints import sentence_for

    try:
        found = boto3.Session().get_credentials()
    except ProfileNotFound:
        return UNKNOWN_PROFILE
    except BotoCoreError as e:
        return f"AWS credentials: {sentence_for('sts:GetCallerIdentity', e)}"
    if found is None:
        return f"no AWS credentials: {sentence_for('sts:GetCallerIdentity', NoCredentialsError())}"
    return None


if __name__ == "__main__":
    sys.exit(main())
