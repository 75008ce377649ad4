"""The playground's people, and the payloads Slack would send on their behalf (built, then signed as Slack signs).

The one copy of Slack's request shapes: the playground, the tests' harness (tests/conftest.py) and the benchmark
(bench/) all build their slash commands, clicks, form submissions and events here. The person is a persona's
user id or any other id (named after it, lower-cased); the workspace defaults to the playground's.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

TEAM_ID = "T0PLAYGROUND"
LEADS_CHANNEL = "C0LEADS"
LEADS_CHANNEL_NAME = "#amplify-dev-leads"
APP_ID = "A0PLAYGROUND"
COMMAND = "/amplify-dev"
FORM = "application/x-www-form-urlencoded"  # slash commands and interactions; events are application/json
# The legacy verification field: sent as Slack sends it, checked by nobody (the bot checks signatures).
VERIFICATION_TOKEN = "playground-unused-verification-token"  # noqa: S105


@dataclass(frozen=True)
class Persona:
    """Someone the page can act as."""

    user_id: str
    username: str
    real_name: str
    role: str

    def to_json(self) -> dict[str, str]:
        """The persona as the state API lists it."""
        return {"id": self.user_id, "username": self.username, "real_name": self.real_name, "role": self.role}


PERSONAS = (
    Persona("U0DEV", "dana", "Dana Developer", "developer (on call: may use `breakglass`)"),
    Persona("U0LEAD1", "lee", "Lee Lead", "lead (approver)"),
    Persona("U0LEAD2", "lou", "Lou Lead", "lead (approver)"),
    Persona("U0OTHER", "oscar", "Oscar Other", "neither developer nor lead"),
)
APPROVERS = frozenset({"U0LEAD1", "U0LEAD2"})
ON_CALL = frozenset({"U0DEV"})  # may use break-glass in the playground
BREAKGLASS_HOURS = 2
BY_ID = {p.user_id: p for p in PERSONAS}


class PayloadError(ValueError):
    """What was asked cannot be sent as Slack would (unknown button, no such view, ...); the text says why."""


def username(user: str) -> str:
    """The persona's username, or the user id lower-cased for anyone else (tests and the benchmark)."""
    persona = BY_ID.get(user)
    return persona.username if persona else user.lower()


def _user(user: str, team: str) -> dict[str, str]:
    return {"id": user, "username": username(user), "name": username(user), "team_id": team}


def _team(team: str) -> dict[str, str]:
    return {"id": team, "domain": "playground" if team == TEAM_ID else team.lower()}


def signed_headers(
    signing_secret: str, body: str, *, content_type: str = FORM, timestamp: int | None = None
) -> dict[str, str]:
    """The headers Slack sends with `body`: its content type, the request timestamp and the v0 signature."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(signing_secret).generate_signature(timestamp=ts, body=body),
    }


def command_body(user: str, text: str, *, channel: str, response_url: str, trigger_id: str, team: str = TEAM_ID) -> str:
    """The form body of `/amplify-dev <text>` typed by `user` in `channel` of workspace `team`."""
    return urlencode(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": team,
            "team_domain": _team(team)["domain"],
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else LEADS_CHANNEL_NAME[1:],
            "user_id": user,
            "user_name": username(user),
            "command": COMMAND,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )


def find_button(blocks: list[dict[str, Any]], action_id: str, value: str | None) -> tuple[str, dict[str, Any]]:
    """The (block_id, button) with this action_id (and value, when several share it); PayloadError otherwise."""
    found: list[tuple[str, dict[str, Any]]] = []
    for block in blocks:
        elements = list(block.get("elements") or []) if block.get("type") == "actions" else []
        if isinstance(block.get("accessory"), dict):
            elements.append(block["accessory"])
        for element in elements:
            same_action = element.get("type") == "button" and element.get("action_id") == action_id
            if same_action and (value is None or element.get("value") == value):
                found.append((str(block.get("block_id") or ""), element))
    if not found:
        raise PayloadError(f"no button {action_id!r} there" + (f" with value {value!r}" if value else ""))
    if len(found) > 1:
        raise PayloadError(f'several buttons {action_id!r} there; say which with "value"')
    return found[0]


def plain_button(action_id: str, value: str, *, block_id: str = "b") -> tuple[str, dict[str, Any]]:
    """A (block_id, button) known without its message: for callers that know what the bot's button carries."""
    return block_id, {"type": "button", "action_id": action_id, "value": value}


def block_actions_body(
    user: str,
    button: tuple[str, dict[str, Any]],
    *,
    trigger_id: str,
    message: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    response_url: str | None = None,
    team: str = TEAM_ID,
) -> str:
    """The form body of a button click: on a `message` (with its response_url) or on a Home `view`.

    `message` needs its "ts" and "channel"; its "text", "blocks", "user" and "ephemeral" are sent when given.
    """
    block_id, element = button
    action = {
        "type": "button",
        "action_id": element["action_id"],
        "block_id": block_id,
        "value": element.get("value", ""),
        "action_ts": f"{time.time():.6f}",
    }
    for optional in ("text", "style"):
        if element.get(optional):
            action[optional] = element[optional]
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user, team),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "team": _team(team),
        "enterprise": None,
        "is_enterprise_install": False,
        "trigger_id": trigger_id,
        "actions": [action],
    }
    if message is not None:
        payload["container"] = {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": message["channel"],
            "is_ephemeral": bool(message.get("ephemeral")),
        }
        payload["channel"] = {"id": message["channel"], "name": message["channel"]}
        shown = {k: message[k] for k in ("ts", "text", "blocks", "user") if k in message}
        payload["message"] = shown | {"type": "message"}
        payload["response_url"] = response_url
    elif view is not None:
        payload["container"] = {"type": "view", "view_id": view["id"]}
        payload["view"] = {**view, "state": {"values": {}}}
    return urlencode({"payload": json.dumps(payload)})


def state_values(view: dict[str, Any], values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Slack's view.state.values for a modal's inputs from simple {action_id: value} answers.

    A text or number input takes a string, a checkbox group a list of option values (a missing one: none
    ticked), a select or radio group one option value.
    """
    state: dict[str, dict[str, Any]] = {}
    for block in view.get("blocks") or []:
        element = block.get("element") if block.get("type") == "input" else None
        if not isinstance(element, dict):
            continue
        action_id, kind = str(element.get("action_id")), str(element.get("type"))
        # What the person left untouched is submitted as its initial value, as Slack does.
        answer = values.get(action_id, _initial(element))
        options = {str(o.get("value")): o for o in element.get("options") or []}
        entry: dict[str, Any] = {"type": kind}
        if kind == "checkboxes":
            chosen = answer if isinstance(answer, list) else ([answer] if answer else [])
            entry["selected_options"] = [options[v] for v in map(str, chosen) if v in options]
        elif kind in ("static_select", "radio_buttons"):
            entry["selected_option"] = options.get(str(answer)) if answer is not None else None
        else:
            entry["value"] = None if answer is None else str(answer)
        state[str(block.get("block_id"))] = {action_id: entry}
    return state


def _initial(element: dict[str, Any]) -> Any:
    if "initial_options" in element:
        return [o.get("value") for o in element["initial_options"]]
    if "initial_option" in element:
        return element["initial_option"].get("value")
    return element.get("initial_value")


def view_submission_body(user: str, view: dict[str, Any], values: dict[str, Any], *, team: str = TEAM_ID) -> str:
    """The form body of `user` pressing the modal's submit button with these answers."""
    submitted = {**view, "state": {"values": state_values(view, values)}}
    payload = {
        "type": "view_submission",
        "team": _team(team),
        "user": _user(user, team),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": new_trigger_id(),
        "view": submitted,
        "response_urls": [],
        "is_enterprise_install": False,
    }
    return urlencode({"payload": json.dumps(payload)})


def event_body(event: dict[str, Any], *, bot_user_id: str, team: str = TEAM_ID) -> str:
    """The JSON body of the Events API envelope (event_callback) Slack sends around `event`."""
    return json.dumps(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": team,
            "api_app_id": APP_ID,
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:12].upper()}",
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [
                {"team_id": team, "user_id": bot_user_id, "is_bot": True, "is_enterprise_install": False}
            ],
        }
    )


def app_home_opened_body(user: str, bot_user_id: str) -> str:
    """The JSON body of the Events API event Slack sends when `user` opens the bot's Home tab."""
    event = {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}
    return event_body(event, bot_user_id=bot_user_id)


def new_trigger_id() -> str:
    """A fresh trigger_id, as Slack mints one per command and click."""
    return f"{int(time.time())}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex}"
