"""`python bot.py --playground` end to end through its JSON API, as a script or a demo would drive it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.playground.support import PlaygroundProcess, conversation, message_with_button, running_playground

PERSONAS = ("U0DEV", "U0LEAD1", "U0LEAD2", "U0OTHER")


@pytest.fixture(scope="module")
def playground(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlaygroundProcess]:
    """One playground for this module, started in a directory whose .env would break the bot if read."""
    cwd = tmp_path_factory.mktemp("playground-cwd")
    (cwd / ".env").write_text("SLACK_BOT_TOKEN=not-a-token\nAMPLIFY_DEV_APPROVERS=nonsense\nPORT=nonsense\n")
    with running_playground(cwd) as process:
        yield process


def _secret_key(state: dict) -> str:
    """The secret access key in the ephemeral credentials message `state` shows (the field after its label)."""
    for message in conversation(state, "dm")["messages"]:
        for block in message["blocks"]:
            for field in block.get("fields") or []:
                if field["text"].startswith("*Secret access key*"):
                    return field["text"].split("\n", 1)[1].strip("`")
    raise AssertionError("no credentials message")


def test_request_approve_show_credentials_and_remove_through_the_api(playground: PlaygroundProcess) -> None:
    # U0DEV opens the form with a bare /amplify-dev and submits it.
    playground.api("command", user="U0DEV", text="")
    modal = playground.state("U0DEV")["modal"]
    assert modal["callback_id"] == "amplify_dev_request"
    assert all(playground.state(user)["modal"] is None for user in PERSONAS[1:])
    playground.api("submit", user="U0DEV", view_id=modal["id"], values={"reason_input": "Checkout feature"})
    assert playground.state("U0DEV")["modal"] is None

    # U0LEAD1 approves in the leads' channel (every persona sees the same channel message).
    lead = playground.wait_state("U0LEAD1", lambda s: message_with_button(s, "channel", "amplify_dev_approve"))
    request = message_with_button(lead, "channel", "amplify_dev_approve")
    assert "Checkout feature" in json.dumps(request["blocks"])
    playground.api("click", user="U0LEAD1", channel="C0LEADS", ts=request["ts"], action_id="amplify_dev_approve")
    approved = conversation(playground.state("U0LEAD2"), "channel")["messages"][-1]
    assert "Approved by <@U0LEAD1>" in json.dumps(approved["blocks"])
    assert "amplify_dev_approve" not in json.dumps(approved["blocks"])

    # U0DEV fetches the credentials from the DM's button.
    dev = playground.state("U0DEV")
    show = message_with_button(dev, "dm", "amplify_dev_show_credentials")
    assert show is not None and not show["ephemeral"]
    playground.api("click", user="U0DEV", channel="DU0DEV", ts=show["ts"], action_id="amplify_dev_show_credentials")
    dev = playground.state("U0DEV")
    secret = _secret_key(dev)
    assert len(secret) == 40
    credentials = next(m for m in conversation(dev, "dm")["messages"] if secret in json.dumps(m))
    assert credentials["ephemeral"] is True

    # The secret is in U0DEV's view and nowhere else: not another persona's state, not the log.
    for user in PERSONAS[1:]:
        assert secret not in json.dumps(playground.state(user))
    assert secret not in "".join(playground.output)

    # U0DEV removes their access; the channel is told.
    playground.api("command", user="U0DEV", text="remove")
    channel = conversation(playground.state("U0LEAD1"), "channel")["messages"]
    assert any("<@U0DEV>" in m["text"] and "remov" in json.dumps(m).lower() for m in channel[1:])
    # Dana's sandbox stack in the playground's fake CloudFormation, named after the identifier her DM advised.
    assert "--identifier danadevel-u0dev" in json.dumps(conversation(playground.state("U0DEV"), "dm"))
    notice = json.dumps(channel[-1])
    assert "still has 1 Amplify sandbox stack" in notice and "aws cloudformation delete-stack" in notice
    assert "amplify-playgroundshop-danadevelu0dev-sandbox-" in notice
    playground.api("command", user="U0DEV", text="status")
    reply = conversation(playground.state("U0DEV"), "dm")["messages"][-1]
    assert reply["user"] == "U0BOT" and reply["ephemeral"] is True
    assert "/amplify-dev status" not in reply["text"]  # the bot's answer, not the typed command
    assert "amplify_dev_show_credentials" not in json.dumps(reply)
    assert all(reply["ts"] not in json.dumps(playground.state(user)) for user in PERSONAS[1:])

    # Dana holds no access now: a lead's review flags the sandbox she left behind.
    playground.api("command", user="U0LEAD1", text="review")
    review = json.dumps(conversation(playground.state("U0LEAD1"), "dm")["messages"][-1])
    assert "sandbox of someone without access" in review and "danadevelu0dev" in review


def _last_dm_message(playground: PlaygroundProcess, user: str) -> dict:
    return conversation(playground.state(user), "dm")["messages"][-1]


@pytest.mark.parametrize(
    ("user", "text", "expected"),
    [
        ("U0OTHER", "help", "/amplify-dev status"),
        ("U0OTHER", "status", "You have no"),
        ("U0OTHER", "make me a sandwich", "I don't understand"),
        ("U0OTHER", "remove <@U0DEV>", "lead"),
    ],
)
def test_the_bots_direct_answers_appear_in_the_conversation_only_for_the_typist(
    playground: PlaygroundProcess, user: str, text: str, expected: str
) -> None:
    playground.api("command", user=user, text=text)

    reply = _last_dm_message(playground, user)
    assert reply["user"] == "U0BOT", reply
    assert reply["ephemeral"] is True
    assert expected in reply["text"], reply["text"]
    assert all(reply["ts"] not in json.dumps(playground.state(other)) for other in PERSONAS if other != user)


def test_every_persona_sees_only_their_own_dm(playground: PlaygroundProcess) -> None:
    for user in PERSONAS:
        state = playground.state(user)
        dms = [c["id"] for c in state["conversations"] if c["kind"] == "dm"]
        assert dms == [f"D{user}"]
        assert [c["id"] for c in state["conversations"] if c["kind"] == "channel"] == ["C0LEADS"]
        assert "PLAYGROUND" in state["banner"] and "fake" in state["banner"]


def test_home_tab_is_published_when_opened(playground: PlaygroundProcess) -> None:
    assert playground.state("U0LEAD2")["home"] is None

    playground.api("home", user="U0LEAD2")

    home = playground.state("U0LEAD2")["home"]
    assert home["type"] == "home" and home["blocks"]
    assert playground.state("U0OTHER")["home"] is None


def test_home_tab_button_click_by_view_id(playground: PlaygroundProcess) -> None:
    playground.api("home", user="U0OTHER")
    home = playground.state("U0OTHER")["home"]

    playground.api("click", user="U0OTHER", view_id=home["id"], action_id="amplify_dev_home_request")

    assert playground.state("U0OTHER")["modal"]["callback_id"] == "amplify_dev_request"
    playground.api("close", user="U0OTHER", view_id=playground.state("U0OTHER")["modal"]["id"])
    assert playground.state("U0OTHER")["modal"] is None


def test_a_submission_the_bot_rejects_keeps_the_modal_open_with_its_errors(playground: PlaygroundProcess) -> None:
    playground.api("command", user="U0OTHER", text="")
    modal = playground.state("U0OTHER")["modal"]

    answer = playground.api("submit", user="U0OTHER", view_id=modal["id"], values={"reason_input": "   "})

    assert answer["errors"] == {"reason": "Please say why you need access."}
    assert playground.state("U0OTHER")["modal"]["id"] == modal["id"]
    playground.api("close", user="U0OTHER", view_id=modal["id"])


def test_the_api_refuses_unknown_personas_and_buttons(playground: PlaygroundProcess) -> None:
    unknown_user = playground.post("/playground/api/command", {"user": "U0BOSS", "text": "list"})
    no_button = playground.post(
        "/playground/api/click", {"user": "U0DEV", "channel": "C0LEADS", "ts": "1.0", "action_id": "nope"}
    )
    not_json = playground.post("/playground/api/command", "user=U0DEV")

    assert unknown_user[0] == 400 and "U0DEV" in unknown_user[1]["error"]
    assert no_button[0] == 404 and no_button[1]["ok"] is False
    assert not_json[0] == 400


def test_the_page_and_the_bots_own_endpoint_are_served_on_loopback(playground: PlaygroundProcess) -> None:
    status, page = playground.get("/")
    unsigned = playground.post("/slack/events", "payload=%7B%7D")

    assert playground.url.startswith("http://127.0.0.1:")
    assert status == 200 and b"PLAYGROUND" in page and b"fake" in page
    assert playground.get("/static/app.js")[0] == 200
    assert playground.get("/static/../run.py")[0] == 404
    assert unsigned[0] == 401  # the bot still checks Slack's signature: the page signs like Slack
    assert playground.get("/healthz") == (200, b"ok\n")


def test_no_slack_or_aws_setting_is_used(playground: PlaygroundProcess, tmp_path: Path) -> None:
    # The fixture started it with SLACK_*/AWS_* settings that point nowhere and a .env full of nonsense:
    # had any been read, it would not have started or the flow above would have failed.
    log = "".join(playground.output)
    assert "xoxb-real-looking" not in log and "AKIAREALLOOKINGKEY00" not in log
    assert "configuration error" not in log


def test_the_playground_calls_itself_playground_in_messages_and_the_log(playground: PlaygroundProcess) -> None:
    playground.api("command", user="U0LEAD2", text="help")

    reply = conversation(playground.state("U0LEAD2"), "dm")["messages"][-1]
    log = "".join(playground.output)
    assert reply["text"].startswith(":test_tube: PLAYGROUND")
    assert "SANDBOX" not in json.dumps(reply)
    assert "PLAYGROUND: IAM is an in-process fake" in log
    assert "--sandbox" not in log and "SANDBOX" not in log
