"""The playground's people, and the payloads Slack would send on their behalf (built, not yet signed or sent)."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

TEAM_ID = "T0PLAYGROUND"
LEADS_CHANNEL = "C0LEADS"
LEADS_CHANNEL_NAME = "#amplify-dev-leads"
APP_ID = "A0PLAYGROUND"
COMMAND = "/amplify-dev"


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
    Persona("U0DEV", "dana", "Dana Developer", "developer"),
    Persona("U0LEAD1", "lee", "Lee Lead", "lead (approver)"),
    Persona("U0LEAD2", "lou", "Lou Lead", "lead (approver)"),
    Persona("U0OTHER", "oscar", "Oscar Other", "neither developer nor lead"),
)
APPROVERS = frozenset({"U0LEAD1", "U0LEAD2"})
BY_ID = {p.user_id: p for p in PERSONAS}


class PayloadError(ValueError):
    """What was asked cannot be sent as Slack would (unknown button, no such view, ...); the text says why."""


def _user(user: str) -> dict[str, str]:
    return {"id": user, "username": BY_ID[user].username, "name": BY_ID[user].username, "team_id": TEAM_ID}


def command_body(user: str, text: str, *, channel: str, response_url: str, trigger_id: str) -> str:
    """The form body of `/amplify-dev <text>` typed by `user` in `channel`."""
    return urlencode(
        {
            "token": "playground-unused-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "playground",
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else LEADS_CHANNEL_NAME[1:],
            "user_id": user,
            "user_name": BY_ID[user].username,
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


def block_actions_body(
    user: str,
    button: tuple[str, dict[str, Any]],
    *,
    trigger_id: str,
    message: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    response_url: str | None = None,
) -> str:
    """The form body of a button click: on a `message` (with its response_url) or on a Home `view`."""
    block_id, element = button
    action = {
        "type": "button",
        "action_id": element["action_id"],
        "block_id": block_id,
        "text": element.get("text"),
        "value": element.get("value", ""),
        "action_ts": f"{time.time():.6f}",
    }
    if element.get("style"):
        action["style"] = element["style"]
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": "playground-unused-verification-token",
        "team": {"id": TEAM_ID, "domain": "playground"},
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
            "is_ephemeral": message["ephemeral"],
        }
        payload["channel"] = {"id": message["channel"], "name": message["channel"]}
        payload["message"] = {k: message[k] for k in ("ts", "text", "blocks", "user")} | {"type": "message"}
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


def view_submission_body(user: str, view: dict[str, Any], values: dict[str, Any]) -> str:
    """The form body of `user` pressing the modal's submit button with these answers."""
    submitted = {**view, "state": {"values": state_values(view, values)}}
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "playground"},
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": "playground-unused-verification-token",
        "trigger_id": new_trigger_id(),
        "view": submitted,
        "response_urls": [],
        "is_enterprise_install": False,
    }
    return urlencode({"payload": json.dumps(payload)})


def app_home_opened_body(user: str, bot_user_id: str) -> str:
    """The JSON body of the Events API event Slack sends when `user` opens the bot's Home tab."""
    return json.dumps(
        {
            "token": "playground-unused-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:12].upper()}",
            "event_time": int(time.time()),
            "event": {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"},
            "authorizations": [{"team_id": TEAM_ID, "user_id": bot_user_id, "is_bot": True}],
        }
    )


def new_trigger_id() -> str:
    """A fresh trigger_id, as Slack mints one per command and click."""
    return f"{int(time.time())}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex}"
