"""Shared fixtures: moto IAM, the fake Slack Web API, and a bot wired to both that takes signed requests."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from moto import mock_aws
from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier

import iam
from audit import SqliteAuditLog
from bot import create_app
from messages import HOME_VIEW
from playground.slack_api import Call, FakeSlack
from settings import Settings, load_settings
from slack_gateway import SlackGateway, build_web_client
from store import SqliteRequestStore
from tests.fakes.moto_gaps import FakeServiceSpecificCredentials
from workflow import Deps, Workflow

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


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy AWS credentials so nothing can reach a real account."""
    for name, value in TEST_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def iam_client(aws_env: None) -> Iterator[Any]:
    """A boto3 IAM client on moto, with AWS managed policies loaded."""
    with mock_aws(config={"iam": {"load_aws_managed_policies": True}}):
        client = iam.build_iam_client("eu-west-1")
        FakeServiceSpecificCredentials().install(client)
        yield client


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """The fake Slack Web API, with a developer, two leads (one via a user group) and a bystander."""
    fake = FakeSlack(team_id=TEAM)
    fake.add_user(DEV, name="dev", real_name="Dana Developer", display_name="Dana Dev")
    fake.add_user(LEAD, name="lead", real_name="Lee Lead", display_name="lee")
    fake.add_user(LEAD2, name="lead2", real_name="Lou Lead", display_name="lou")
    fake.add_user(GROUP_LEAD, name="glead", real_name="Gil Group", display_name="gil")
    fake.add_user(OTHER, name="other", real_name="Oscar Other", display_name="oscar")
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
    workflow: Workflow
    settings: Settings
    db_path: str
    responses: list[BoltResponse] = field(default_factory=list)

    # --- sending requests as Slack does ------------------------------------------------------------

    def dispatch(
        self,
        body: str,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        timestamp: int | None = None,
        secret: str = SIGNING_SECRET,
        extra_headers: dict[str, str] | None = None,
    ) -> BoltResponse:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
        headers = {
            "content-type": content_type,
            "x-slack-request-timestamp": ts,
            "x-slack-signature": signature,
            **(extra_headers or {}),
        }
        response = self.app.dispatch(BoltRequest(body=body, headers=headers))
        self.responses.append(response)
        return response

    def command(self, user: str, text: str = "", *, team: str = TEAM, channel: str = "C0GENERAL") -> BoltResponse:
        body = urlencode(
            {
                "token": "legacy",
                "team_id": team,
                "team_domain": "example",
                "channel_id": channel,
                "channel_name": "general",
                "user_id": user,
                "user_name": user.lower(),
                "command": "/amplify-dev",
                "text": text,
                "api_app_id": "A0APP",
                "response_url": self.slack.response_url(f"cmd-{user}"),
                "trigger_id": f"trigger-{user}",
            }
        )
        return self.dispatch(body)

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
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": team, "domain": "example"},
            "user": {"id": user, "username": user.lower(), "team_id": team},
            "api_app_id": "A0APP",
            "token": "legacy",
            "trigger_id": f"trigger-{'home-' if home else ''}{user}",
            "actions": [
                {"type": "button", "action_id": action_id, "block_id": "b", "value": value, "action_ts": "1.1"}
            ],
        }
        if home:
            payload["container"] = {"type": "view", "view_id": "VHOME"}
            payload["view"] = {
                "id": "VHOME",
                "type": "home",
                "callback_id": HOME_VIEW,
                "blocks": [],
                "state": {"values": {}},
            }
        else:
            payload["channel"] = {"id": channel}
            payload["container"] = {"type": "message", "message_ts": message_ts, "channel_id": channel}
            payload["message"] = {"ts": message_ts, "text": "…"}
            payload["response_url"] = self.slack.response_url(f"click-{user}")
        return self.dispatch(urlencode({"payload": json.dumps(payload)}))

    def submit_form(
        self,
        user: str,
        reason: str,
        *,
        console: bool = False,
        response_url: str | None = None,
        days: str | None = None,
    ) -> BoltResponse:
        values: dict[str, Any] = {"reason": {"reason_input": {"type": "plain_text_input", "value": reason}}}
        if days is not None:
            values["days"] = {"days_input": {"type": "number_input", "value": days}}
        values["console"] = {
            "console_input": {
                "type": "checkboxes",
                "selected_options": [{"value": "console"}] if console else [],
            }
        }
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM},
            "user": {"id": user, "team_id": TEAM},
            "api_app_id": "A0APP",
            "view": {
                "id": "V1",
                "type": "modal",
                "callback_id": "amplify_dev_request",
                "private_metadata": json.dumps({"response_url": response_url or ""}),
                "state": {"values": values},
            },
        }
        return self.dispatch(urlencode({"payload": json.dumps(payload)}))

    def event(self, payload_event: dict[str, Any]) -> BoltResponse:
        """Send an Events API event_callback envelope around `payload_event`, signed like the others."""
        body = {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A0APP",
            "event": payload_event,
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:12].upper()}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}],
        }
        return self.dispatch(json.dumps(body), content_type="application/json")

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


def build_bot(slack: FakeSlack, iam_client: Any, db_path: str, **overrides: str) -> Bot:
    """Wire the real app to the fakes, with work run inline after each ack."""
    settings = make_settings(slack, db_path, **overrides)
    client = build_web_client(settings.slack_bot_token, settings.slack_api_url, timeout=2)
    idempotent = build_web_client(settings.slack_bot_token, settings.slack_api_url, timeout=2, retry_server_errors=True)
    store = SqliteRequestStore(db_path)
    workflow = Workflow(
        Deps(
            settings=settings,
            store=store,
            iam=iam_client,
            slack=SlackGateway(client, idempotent=idempotent),
            region="eu-west-1",
            audit=SqliteAuditLog(db_path),
        )
    )
    app = create_app(settings, client=client, workflow=workflow, runner=InlineExecutor())  # lazy listeners run inline: a dispatch returns when all work is done
    return Bot(app=app, slack=slack, iam=iam_client, store=store, workflow=workflow, settings=settings, db_path=db_path)


@pytest.fixture
def make_bot(slack: FakeSlack, iam_client: Any, tmp_path: Any) -> Iterator[Callable[..., Bot]]:
    """Factory for a bot with settings overrides (e.g. AMPLIFY_DEV_ALLOW_CONSOLE="false")."""
    bots: list[Bot] = []

    def factory(db_path: str | None = None, **overrides: str) -> Bot:
        bot = build_bot(slack, iam_client, db_path or str(tmp_path / f"amplify-dev-{len(bots)}.db"), **overrides)
        bots.append(bot)
        return bot

    yield factory
    for bot in bots:
        bot.store.close()


@pytest.fixture
def bot(make_bot: Callable[..., Bot]) -> Bot:
    """The bot with default settings."""
    return make_bot()
