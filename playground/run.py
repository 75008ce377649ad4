"""`python bot.py --playground`: the real bot, with Slack played by a local page and IAM by moto, on loopback.

Nothing here reads a Slack or AWS setting (no `.env`, no SLACK_*/AWS_* variable: they are removed from this
process before anything can look at them) and nothing leaves the machine. The store is a fresh SQLite file in a
temporary directory, deleted at exit.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, MutableMapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol, TextIO

from ops import sandbox
from playground import personas
from playground.server import Playground, playground_wsgi
from playground.world import PlaygroundSlack, dm_channel

logger = logging.getLogger("amplify-dev.playground")

HOST = "127.0.0.1"  # never another interface: the page acts as anyone, unauthenticated
DEFAULT_PORT = 3000
PLAYGROUND_RENOTIFY_MINUTES = 1  # the leads are reminded of an undecided request within minutes here
REGION = "us-east-1"
FAKE_BOT_TOKEN = "xoxb-playground-fake-token"  # noqa: S105 - accepted only by the local fake


class TrackingExecutor(ThreadPoolExecutor):
    """The bot's worker pool, able to tell when all submitted work is done (so the API answers after it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """The same arguments as ThreadPoolExecutor."""
        super().__init__(*args, **kwargs)
        self._busy = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Submit `fn`, counting it as work in progress until it returns."""
        with self._idle:
            self._busy += 1

        def run() -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                with self._idle:
                    self._busy -= 1
                    self._idle.notify_all()

        return super().submit(run)

    def wait_idle(self, timeout: float) -> bool:
        """Block until no submitted work is running or queued (False after `timeout` seconds)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout=timeout)


def playground_port(raw: str | None) -> int:
    """PORT, default 3000 (0 picks a free port: for tests); ValueError if it is not a port number."""
    if not raw:
        return DEFAULT_PORT
    if not raw.isdigit() or not 0 <= int(raw) < 65536:
        raise ValueError(f"PORT must be a TCP port number, got {raw!r}")
    return int(raw)


def isolate_environment(environ: MutableMapping[str, str], workdir: str) -> None:
    """Drop every SLACK_* and AWS_* variable unread, then give boto3 fake credentials and no config files."""
    for name in [n for n in environ if n.startswith(("SLACK_", "AWS_"))]:
        del environ[name]
    environ.update(
        {
            "AWS_ACCESS_KEY_ID": "playground-fake-key-id",
            "AWS_SECRET_ACCESS_KEY": "playground-fake-secret",
            "AWS_DEFAULT_REGION": REGION,
            # ~/.aws/config and credentials are never read: these files do not exist.
            "AWS_CONFIG_FILE": os.path.join(workdir, "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(workdir, "no-aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    no_proxy = [p for p in environ.get("NO_PROXY", "").split(",") if p]
    environ["NO_PROXY"] = ",".join([*no_proxy, HOST, "localhost"])


def playground_credentials(raw: str | None) -> str:
    """AMPLIFY_DEV_CREDENTIALS for the playground (the switch between the two kinds of credentials): access-key
    (default) or sign-in, whose Sign-In calls a local fake answers (playground.signin_api); SettingsError if neither."""
    from settings.validators import credentials

    return credentials("AMPLIFY_DEV_CREDENTIALS", raw or "access-key")


def playground_settings(slack_api_url: str, db_path: str, port: int, credentials: str = "access-key") -> Any:
    """The bot's settings for the playground: its personas, its channel, a fresh signing secret, the credentials."""
    from settings import Settings

    return Settings(
        credentials=credentials,
        slack_bot_token=FAKE_BOT_TOKEN,
        slack_signing_secret=secrets.token_hex(16),
        approval_channel=personas.LEADS_CHANNEL,
        approver_user_ids=personas.APPROVERS,
        approver_group_ids=frozenset(),
        # Dana is on call: `/amplify-dev breakglass <reason>` shows break-glass (the leads' post with Acknowledge).
        breakglass_hours=personas.BREAKGLASS_HOURS,
        breakglass_user_ids=personas.ON_CALL,
        slack_api_url=slack_api_url,
        db_path=db_path,
        port=port,
        sandbox_report=True,  # Dana's sandbox stack (seed_sandbox_stack) shows in the removal notice and the review
        # Minutes, not the hour of a real team: a request left undecided shows its reminder in the leads' channel
        # while one plays (then 3, 7 and 15 minutes after filing; the sweep runs every minute).
        renotify_minutes=PLAYGROUND_RENOTIFY_MINUTES,
    )


# What moto's CloudFormation can create; a real sandbox holds the app's backend, which the listing never reads.
SANDBOX_TEMPLATE = '{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}'
SANDBOX_APP = "playground-shop"  # the package.json name of the persona's Amplify app


def seed_sandbox_stack(region: str) -> str:
    """The developer persona's Amplify Gen 2 sandbox in the fake AWS, named as `npx ampx sandbox --identifier` names
    it with the identifier their DM advises: removing their access names it, and the review flags it afterwards."""
    import iam
    from amplify_sandboxes import sandbox_identifier, sandbox_stack_name
    from ops.sandbox import sandbox_cloudformation

    dev = personas.PERSONAS[0]
    identifier = sandbox_identifier(iam.derive_user_name(dev.user_id, (dev.real_name, dev.username))) or dev.username
    name = sandbox_stack_name(SANDBOX_APP, identifier)
    tags = [{"Key": "amplify:deployment-type", "Value": "sandbox"}, {"Key": "created-by", "Value": "amplify"}]
    sandbox_cloudformation(region).create_stack(StackName=name, TemplateBody=SANDBOX_TEMPLATE, Tags=tags)
    return name


def start_slack() -> PlaygroundSlack:
    """The local Web API with the personas, the leads' channel and each persona's DM with the bot."""
    slack = PlaygroundSlack(team_id=personas.TEAM_ID, bot_user_id="U0BOT", bot_id="B0BOT", host=HOST)
    slack.accept_only_tokens(FAKE_BOT_TOKEN)
    slack.world.add_conversation(personas.LEADS_CHANNEL, personas.LEADS_CHANNEL_NAME)
    for persona in personas.PERSONAS:
        slack.add_user(persona.user_id, name=persona.username, real_name=persona.real_name)
        slack.world.add_conversation(dm_channel(persona.user_id), "amplify-dev", frozenset({persona.user_id}))
    return slack.start()


class Wiring(Protocol):
    """What bot.py hands the playground: the production wiring, so nothing here imports the entry point."""

    WORKER_THREADS: int

    def build(self, settings: Any, *, sandbox: bool, runner: Any) -> tuple[Any, Any, Any, Any]: ...


def run_playground(bot: Wiring, out: TextIO = sys.stdout) -> int:
    """Serve the playground on 127.0.0.1:$PORT until SIGTERM or Ctrl-C, wired by `bot` (bot.py itself)."""
    from http_server import SLACK_PATH, HttpServer, PortInUse
    from scheduler import Sweeper
    from settings import SettingsError

    try:
        port = playground_port(os.environ.get("PORT"))
        credentials = playground_credentials(os.environ.get("AMPLIFY_DEV_CREDENTIALS"))
    except (ValueError, SettingsError) as e:
        print(f"amplify-dev: {e}", file=sys.stderr)
        return 2
    if not port_is_free(HOST, port):  # before the slow part (moto, the bot), so the answer comes at once
        print(port_taken_message(HOST, port), file=sys.stderr)
        return 2
    workdir = tempfile.TemporaryDirectory(prefix="amplify-dev-playground-")
    isolate_environment(os.environ, workdir.name)
    slack = start_slack()
    # isolate_environment dropped AWS_ENDPOINT_URL_SIGNIN: in sign-in, bot.build starts the fake Sign-In for it.
    settings = playground_settings(slack.url, os.path.join(workdir.name, "playground.db"), port, credentials)
    runner = TrackingExecutor(max_workers=bot.WORKER_THREADS, thread_name_prefix="amplify-dev")
    sandbox.describe_as(sandbox.PLAYGROUND_LABEL, sandbox.PLAYGROUND_WARNING)
    sweeper = store = None
    try:
        app, _, store, router = bot.build(settings, sandbox=True, runner=runner)
        seed_sandbox_stack(REGION)  # moto runs from here on
        runner.submit(router.recover).result()
        sweeper = Sweeper(router.sweep).start()
        playground = Playground(slack, settings.slack_signing_secret, "", runner)
        try:
            server = HttpServer(
                app,
                settings.slack_signing_secret,
                HOST,
                port,
                wrap=lambda bot_app: playground_wsgi(playground, bot_app),
            )
        except PortInUse:  # taken in the second since port_is_free looked
            print(port_taken_message(HOST, port), file=sys.stderr)
            return 2
        playground.events_url = f"http://{HOST}:{server.port}{SLACK_PATH}"
        signal.signal(signal.SIGTERM, lambda *_: server.stop())
        print(
            f"amplify-dev PLAYGROUND: open http://{HOST}:{server.port}/ in your browser\n"
            "  Slack is that page and AWS IAM is a fake (moto) inside this process: nothing leaves this machine,\n"
            "  and every key it shows is fake and works nowhere. Ctrl-C stops it and forgets everything.\n"
            + (
                "  Credentials: sign-in (a temporary password and `aws login`, no access key; Sign-In is a local "
                "fake).\n  AMPLIFY_DEV_CREDENTIALS=access-key shows the access-key kind."
                if credentials == "sign-in"
                else "  Credentials: access-key. AMPLIFY_DEV_CREDENTIALS=sign-in shows the sign-in kind (no key)."
            ),
            file=out,
            flush=True,
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            server.stop()
    finally:
        if sweeper is not None:
            sweeper.stop()
        runner.shutdown(wait=True)
        if store is not None:
            store.close()
        slack.stop()
        workdir.cleanup()
    return 0


def port_is_free(host: str, port: int) -> bool:
    """Whether `host:port` can be listened on now, as waitress binds it (port 0 always can)."""
    import socket

    if port == 0:
        return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress: a port in TIME_WAIT is free
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def port_taken_message(host: str, port: int) -> str:
    """What to do when the port cannot be had: which one, and how to choose another."""
    other = port + 1 if 1024 <= port < 65535 else 8080
    return (
        f"amplify-dev: cannot listen on port {port} of {host}: it is in use (another dev server? Amplify's and "
        f"React's use 3000){' or reserved for root' if port < 1024 else ''}.\n"
        f"  Pick another port, e.g.: PORT={other} python bot.py --playground"
    )
