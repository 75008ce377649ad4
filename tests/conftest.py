"""Shared fixtures: moto IAM, the fake Slack Web API, and a bot wired to both that takes signed requests."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import Any

import pytest
from moto import mock_aws
from slack_bolt import App, BoltRequest, BoltResponse

import iam
from audit import SqliteAuditLog
from bot import create_app
from messages import CONSOLE_INPUT, DAYS_INPUT, HOME_VIEW, REASON_INPUT
from playground import personas
from playground.slack_api import Call, FakeSlack
from settings import Settings, load_settings
from slack_gateway import SlackGateway, build_web_client
from store import SqliteRequestStore
from tests.clock import FakeClock
from tests.fakes.moto_gaps import FakeServiceSpecificCredentials
from tests.fakes.moto_once import install_managed_policy_cache, share_botocore_loader
from workflow import Deps, Router

# The fake Sign-In service and a signin client pointed at it (fixtures fake_signin, signin).
pytest_plugins = ["tests.signin_support"]

SIGNING_SECRET = "test-signing-secret"
TEAM = "T0TEAM"
CHANNEL = "C0APPROVE"
DEV, LEAD, LEAD2, OTHER, GROUP_LEAD = "UDEV", "ULEAD", "ULEAD2", "UOTHER", "UGROUPLEAD"
LEADS_GROUP = "SLEADS"
GOOD_ENV_FOR_TESTS = {
    "SLACK_BOT_TOKEN": "xoxb-test-token",
    "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    "AMPLIFY_DEV_APPROVAL_CHANNEL": "C0APPROVE",
    "AMPLIFY_DEV_APPROVERS": "ULEAD",
}


class InlineExecutor(Executor):
    """Runs submitted work at once, so a dispatched request is fully handled when dispatch returns."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as e:
            future.set_exception(e)
        return future


# Dummy AWS credentials so nothing can reach a real account.
TEST_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
}


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Leave the root logger as found: configure_logging() (bot.main too) adds a handler on this test's stderr,
    which pytest closes after the test; left in place, every later log line would end in a "Logging error".
    It also puts its redacting filter on the handlers it found (pytest's own, kept for the whole session)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    filters = [h.filters[:] for h in handlers]
    yield
    root.handlers[:] = handlers
    for handler, kept in zip(handlers, filters, strict=True):
        handler.filters[:] = kept
    root.setLevel(level)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy AWS credentials so nothing can reach a real account."""
    for name, value in TEST_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture(scope="session")
def aws_built_once() -> Iterator[None]:
    """AWS managed policies and botocore's data read once per session (tests/fakes/moto_once.py); moto stays per test."""
    with pytest.MonkeyPatch.context() as patch:
        install_managed_policy_cache(patch)
        share_botocore_loader(patch)
        yield


@pytest.fixture
def iam_client(aws_env: None, aws_built_once: None) -> Iterator[Any]:
    """A boto3 IAM client on a fresh moto account, with AWS managed policies loaded."""
    with mock_aws(config={"iam": {"load_aws_managed_policies": True}}):
        client = iam.build_iam_client("eu-west-1")
        FakeServiceSpecificCredentials().install(client)
        yield client


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """The fake Slack Web API, with a developer, two leads (one via a user group) and a bystander."""
    fake = FakeSlack(team_id=TEAM)
    fake.add_user(DEV, name="dev", real_name="Dana Developer", display_name="Dana Dev", email="dana@example.com")
    fake.add_user(LEAD, name="lead", real_name="Lee Lead", display_name="lee", email="lee@example.com")
    fake.add_user(LEAD2, name="lead2", real_name="Lou Lead", display_name="lou")
    fake.add_user(GROUP_LEAD, name="glead", real_name="Gil Group", display_name="gil")
    fake.add_user(OTHER, name="other", real_name="Oscar Other", display_name="oscar", email="oscar@example.com")
    fake.set_usergroup(LEADS_GROUP, [GROUP_LEAD])
    with fake:
        yield fake


def make_settings(slack: FakeSlack, db_path: str, **overrides: str) -> Settings:
    """Settings as an operator would write them in .env, pointed at the fakes."""
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.url,
        "AMPLIFY_DEV_APPROVAL_CHANNEL": CHANNEL,
        "AMPLIFY_DEV_APPROVERS": f"{LEAD},{LEAD2},{LEADS_GROUP}",
        "AMPLIFY_DEV_DB": db_path,
    }
    env.update(overrides)
    return load_settings({k: v for k, v in env.items() if v is not None})


@dataclass
class Bot:
    """The bot under test, and ways to send it what Slack sends."""

    app: App
    slack: FakeSlack
    iam: Any
    store: SqliteRequestStore
    workflow: Router  # the router every handler is wired to
    settings: Settings
    db_path: str
    clock: FakeClock
    responses: list[BoltResponse] = field(default_factory=list)

    # --- sending requests as Slack does ------------------------------------------------------------

    def dispatch(
        self,
        body: str,
        *,
        content_type: str = personas.FORM,
        timestamp: int | None = None,
        secret: str = SIGNING_SECRET,
        extra_headers: dict[str, str] | None = None,
    ) -> BoltResponse:
        headers = personas.signed_headers(secret, body, content_type=content_type, timestamp=timestamp)
        response = self.app.dispatch(BoltRequest(body=body, headers={**headers, **(extra_headers or {})}))
        self.responses.append(response)
        return response

    def command(self, user: str, text: str = "", *, team: str = TEAM, channel: str = "C0GENERAL") -> BoltResponse:
        response_url = self.slack.response_url(f"cmd-{user}")
        return self.dispatch(
            personas.command_body(
                user, text, channel=channel, response_url=response_url, trigger_id=f"trigger-{user}", team=team
            )
        )

    def click(
        self,
        user: str,
        action_id: str,
        value: str,
        *,
        team: str = TEAM,
        channel: str = CHANNEL,
        message_ts: str = "1.0",
        home: bool = False,
    ) -> BoltResponse:
        """A button click as Slack sends it; home=True: on the Home tab (a view container, no response_url)."""
        button = personas.plain_button(action_id, value)
        if home:
            home_view = {"id": "VHOME", "type": "home", "callback_id": HOME_VIEW, "blocks": []}
            body = personas.block_actions_body(
                user, button, trigger_id=f"trigger-home-{user}", view=home_view, team=team
            )
        else:
            body = personas.block_actions_body(
                user,
                button,
                trigger_id=f"trigger-{user}",
                message={"ts": message_ts, "channel": channel, "text": "…"},
                response_url=self.slack.response_url(f"click-{user}"),
                team=team,
            )
        return self.dispatch(body)

    def submit_form(
        self,
        user: str,
        reason: str,
        *,
        console: bool = False,
        response_url: str | None = None,
        days: str | None = None,
    ) -> BoltResponse:
        """The request form (as the bot builds it) submitted with these answers; days=None keeps its initial value."""
        view = {
            "id": "V1",
            **self.workflow.request_form({"response_url": response_url} if response_url else {}).to_dict(),
        }
        values: dict[str, Any] = {REASON_INPUT: reason, CONSOLE_INPUT: ["console"] if console else []}
        if days is not None:
            values[DAYS_INPUT] = days
        return self.dispatch(personas.view_submission_body(user, view, values, team=TEAM))

    def event(self, payload_event: dict[str, Any]) -> BoltResponse:
        """Send an Events API event_callback envelope around `payload_event`, signed like the others."""
        body = personas.event_body(payload_event, bot_user_id="UBOT", team=TEAM)
        return self.dispatch(body, content_type="application/json")

    # --- reading what people were shown ----------------------------------------------------------

    def replies_to(self, user: str) -> list[dict[str, Any]]:
        """Ephemeral replies sent through response_urls of this user's commands and clicks."""
        return [
            c.params
            for c in self.slack.calls_to("response_url")
            if c.params.get("_key") in (f"cmd-{user}", f"click-{user}")
        ]

    def last_reply_text(self, user: str) -> str:
        replies = self.replies_to(user)
        assert replies, f"{user} was told nothing"
        return message_text(replies[-1])

    def approval_post(self) -> Call:
        posts = [c for c in self.slack.calls_to("chat.postMessage") if c.params.get("channel") == CHANNEL]
        assert posts, "nothing was posted to the approval channel"
        return posts[-1]

    def request_id_for(self, user: str) -> str:
        request = self.store.open_request_for(user) or self.store.latest_for(user)
        assert request is not None
        return request.id

    def dms_to(self, user: str) -> list[Call]:
        return [c for c in self.slack.calls_to("chat.postMessage") if c.params.get("channel") == f"D{user}"]

    def ephemerals_to(self, user: str) -> list[Call]:
        return [c for c in self.slack.calls_to("chat.postEphemeral") if c.params.get("user") == user]

    def iam_users(self) -> list[str]:
        return [u["UserName"] for u in self.iam.list_users()["Users"]]

    def approved_user(self, requester: str = DEV, approver: str = LEAD, text: str = "request build the app") -> str:
        """Request and approve; returns the request id."""
        self.command(requester, text)
        request_id = self.request_id_for(requester)
        self.click(approver, "amplify_dev_approve", request_id)
        return request_id


def message_text(params: dict[str, Any]) -> str:
    """Everything a person reads in a message: its text and every text object in its blocks."""
    parts = [str(params.get("text") or "")]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    parts.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(params.get("blocks") or [])
    return "\n".join(parts)


def wire_bot(
    slack: FakeSlack,
    settings: Settings,
    iam_client: Any,
    store: Any,
    audit: Any,
    clock: Any,
    db_path: str,
    **deps: Any,
) -> Bot:
    """The real app on these clients, with its own Slack clients; lazy listeners run inline, so a dispatch
    returns when all its work is done. `deps`: further Deps fields (identity_center, projects, project_iam)."""
    client = build_web_client(settings.slack_bot_token, settings.slack_api_url, timeout=2)
    idempotent = build_web_client(settings.slack_bot_token, settings.slack_api_url, timeout=2, retry_server_errors=True)
    workflow = Router(
        Deps(
            settings=settings,
            store=store,
            iam=iam_client,
            slack=SlackGateway(client, idempotent=idempotent),
            region="eu-west-1",
            clock=clock,
            audit=audit,
            **deps,
        )
    )
    app = create_app(settings, client=client, router=workflow, runner=InlineExecutor())
    return Bot(
        app=app,
        slack=slack,
        iam=iam_client,
        store=store,
        workflow=workflow,
        settings=settings,
        db_path=db_path,
        clock=clock,
    )


def build_bot(
    slack: FakeSlack,
    iam_client: Any,
    db_path: str,
    clock: FakeClock,
    *,
    identity_center: Any = None,
    signin: Any = None,
    cloudformation: Any = None,
    **overrides: str,
) -> Bot:
    """Wire the real app to the fakes on a SQLite file; `clock` is the time it and its store see; `signin`: the
    Sign-In client (AMPLIFY_DEV_CREDENTIALS=sign-in; the fixture `signin`, pointed at the fake); `cloudformation`:
    the client the sandbox report lists with (AMPLIFY_DEV_SANDBOX_REPORT)."""
    settings = make_settings(slack, db_path, **overrides)
    store = SqliteRequestStore(db_path, clock=clock)
    return wire_bot(
        slack,
        settings,
        iam_client,
        store,
        SqliteAuditLog(db_path),
        clock,
        db_path,
        grant_clients=identity_center,
        signin=signin,
        cloudformation=cloudformation,
    )


@pytest.fixture
def clock() -> FakeClock:
    """The time every bot of the test sees (and its store stamps); tests move it with clock.advance(days=...)."""
    return FakeClock()


@pytest.fixture
def make_bot(slack: FakeSlack, iam_client: Any, tmp_path: Any, clock: FakeClock) -> Iterator[Callable[..., Bot]]:
    """Factory for a bot with settings overrides (e.g. AMPLIFY_DEV_ALLOW_CONSOLE="false"); all share one clock."""
    bots: list[Bot] = []

    def factory(
        db_path: str | None = None,
        *,
        identity_center: Any = None,
        signin: Any = None,
        cloudformation: Any = None,
        **overrides: str,
    ) -> Bot:
        db = db_path or str(tmp_path / f"amplify-dev-{len(bots)}.db")
        bot = build_bot(
            slack,
            iam_client,
            db,
            clock,
            identity_center=identity_center,
            signin=signin,
            cloudformation=cloudformation,
            **overrides,
        )
        bots.append(bot)
        return bot

    yield factory
    for bot in bots:
        bot.store.close()


@pytest.fixture
def bot(make_bot: Callable[..., Bot]) -> Bot:
    """The bot with default settings."""
    return make_bot()
