"""The /amplify-dev slash command."""

from __future__ import annotations

import logging
import re
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond

import messages as msg
from handlers.background import after_ack
from workflow import Workflow

logger = logging.getLogger(__name__)

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
# ASCII digits only: str.isdigit() also accepts "²" or "①" (which int() refuses) and Arabic-Indic or
# full-width digits (which int() takes).
DAYS_TEXT = re.compile(r"[0-9]{1,5}", re.ASCII)


@dataclass(frozen=True)
class ParsedCommand:
    """What the command text asks for."""

    verb: str  # "form", "request", "remove", "rotate", "status", "list", "review", "help", or "unknown"
    reason: str = ""
    console: bool = False
    target: str | None = None
    days: int | None = None  # None: the operator's default
    problem: str | None = None


def parse_command(text: str) -> ParsedCommand:
    """Parse the text after /amplify-dev; unknown or malformed text becomes help with a note, never an action."""
    text = (text or "").strip()
    if not text:
        return ParsedCommand("form")
    verb, _, rest = text.partition(" ")
    verb, rest = verb.lower(), rest.strip()
    if verb == "request":
        console, days = False, None
        words = rest.split()
        while words and words[0].startswith("--"):
            flag = words.pop(0).lower()
            if flag == "--console":
                console = True
            elif flag == "--days" and words and DAYS_TEXT.fullmatch(words[0]):
                days = int(words.pop(0))
            elif flag == "--days":
                return ParsedCommand("unknown", problem="`--days` takes a whole number of days, e.g. `--days 14`.")
            else:
                return ParsedCommand("unknown", problem=f"I don't know the option `{msg.escape(flag)}`.")
        return ParsedCommand("request", reason=" ".join(words), console=console, days=days)
    if verb == "remove":
        if not rest:
            return ParsedCommand("remove")
        match = _MENTION.match(rest)
        if not match:
            return ParsedCommand(
                "unknown", problem="To remove someone else, mention them: `/amplify-dev remove @name`."
            )
        return ParsedCommand("remove", target=match.group(1))
    if verb in ("rotate", "status", "list", "review", "help") and not rest:
        return ParsedCommand(verb)
    return ParsedCommand("unknown", problem=f"I don't understand `{msg.escape(text[:100])}`.")


def handle_amplify_dev_command(
    ack: Ack, command: dict[str, Any], respond: Respond, workflow: Workflow, runner: Executor
) -> None:
    """Route the command: answer fast things in the ack, run slow ones after it."""
    parsed = parse_command(command.get("text", ""))
    user = command["user_id"]

    def reply_later(work: Any, what: str) -> None:
        ack()
        after_ack(runner, work, respond_to(respond), what)

    match parsed.verb:
        case "form":
            ack()
            metadata = {
                "channel_id": command.get("channel_id", ""),
                "response_url": command.get("response_url", ""),
            }
            view = workflow.request_form(metadata)
            after_ack(
                runner,
                lambda: workflow.open_request_form(command["trigger_id"], view, user),
                respond_to(respond),
                "opening the request form",
            )
        case "request":
            team = command.get("team_id", "")
            reply_later(
                lambda: workflow.request_access(user, team, parsed.reason, console=parsed.console, days=parsed.days),
                "request",
            )
        case "remove":
            reply_later(lambda: workflow.remove(user, parsed.target), "remove")
        case "rotate":
            reply_later(lambda: workflow.rotate(user), "rotate")
        case "list":
            reply_later(lambda: workflow.list_requests(user), "list")
        case "review":  # reads IAM for every grant: after the ack, answered through the response_url
            reply_later(lambda: workflow.review(user), "review")
        case "status":
            ack(**workflow.status(user).to_kwargs())  # reads only the local store: fast enough for the ack
        case "help":
            ack(**msg.usage_reply().to_kwargs())
        case _:
            ack(**msg.usage_reply(parsed.problem).to_kwargs())


def respond_to(respond: Respond) -> Any:
    """A deliver() that answers through the command's response_url, visible only to the caller."""
    return lambda reply: respond(response_type="ephemeral", **reply.to_kwargs())


def register(app: App, workflow: Workflow, runner: Executor) -> None:
    """Register the slash command."""

    @app.command(msg.COMMAND)
    def _amplify_dev(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        handle_amplify_dev_command(ack, command, respond, workflow, runner)
