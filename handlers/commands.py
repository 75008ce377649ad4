"""The /amplify-dev slash command."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, Respond

import messages as msg
from handlers import verbs
from handlers.lazy import finish

if TYPE_CHECKING:  # the workflow is imported on first use (bot.LazyRouter), not with the listeners
    from workflow import Router

logger = logging.getLogger(__name__)

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
# ASCII digits only: str.isdigit() also accepts "²" or "①" (which int() refuses) and Arabic-Indic or
# full-width digits (which int() takes).
DAYS_TEXT = re.compile(r"[0-9]{1,5}", re.ASCII)
# What may follow --project; whether such a project exists is the router's answer (with the list).
PROJECT_TEXT = re.compile(r"[A-Za-z0-9_.-]{1,40}", re.ASCII)


@dataclass(frozen=True)
class ParsedCommand:
    """What the command text asks for."""

    verb: str  # "form", "request", "breakglass", "remove", "rotate", "status", "list", "review", "help", "unknown"
    reason: str = ""
    console: bool = False
    target: str | None = None
    days: int | None = None  # None: the operator's default
    problem: str | None = None
    project: str | None = None  # --project NAME; None: the only project, or the caller's
    hours: int | None = None  # breakglass --hours N; None: the configured maximum


def parse_command(text: str) -> ParsedCommand:
    """Parse the text after /amplify-dev; unknown or malformed text becomes help with a note, never an action."""
    text = (text or "").strip()
    if not text:
        return ParsedCommand("form")
    verb, _, rest = text.partition(" ")
    verb, rest = verb.lower(), rest.strip()
    project, rest, problem = _take_project(rest)
    if problem:
        return ParsedCommand("unknown", problem=problem)
    parsed = _parse_verb(verb, rest, text)
    return replace(parsed, project=project) if project and parsed.verb != "unknown" else parsed


def _take_project(rest: str) -> tuple[str | None, str, str | None]:
    """(project, the rest without `--project NAME`, a problem) from the words after the verb."""
    words = rest.split()
    i = 0
    while i < len(words):
        word = words[i].lower()
        if word == "--project":
            if i + 1 >= len(words) or not PROJECT_TEXT.fullmatch(words[i + 1]):
                return None, rest, "`--project` takes a project name, e.g. `--project shop-dev`."
            return words[i + 1], " ".join(words[:i] + words[i + 2 :]), None
        if not word.startswith("--") and not word.startswith("<@"):
            break  # the reason has started: a later "--project" is part of it
        i += 2 if word in ("--days", "--hours") else 1
    return None, rest, None


def _parse_verb(verb: str, rest: str, text: str) -> ParsedCommand:
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
    if verb == "breakglass":
        return _parse_breakglass(rest)
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


def _parse_breakglass(rest: str) -> ParsedCommand:
    """`breakglass [--console] [--hours N] <reason>`: whether the reason is long enough is the flow's to say."""
    console, hours = False, None
    words = rest.split()
    while words and words[0].startswith("--"):
        flag = words.pop(0).lower()
        if flag == "--console":
            console = True
        elif flag == "--hours" and words and DAYS_TEXT.fullmatch(words[0]):
            hours = int(words.pop(0))
        elif flag == "--hours":
            return ParsedCommand("unknown", problem="`--hours` takes a whole number of hours, e.g. `--hours 2`.")
        else:
            return ParsedCommand("unknown", problem=f"I don't know the option `{msg.escape(flag)}`.")
    return ParsedCommand("breakglass", reason=" ".join(words), console=console, hours=hours)


# The verbs whose answer goes in the ack (acknowledge_command); every other verb's ack is empty.
ANSWERED_IN_ACK = frozenset({"status", "help", "unknown"})


def answered_in_ack(text: str) -> bool:
    """Whether `/amplify-dev <text>` is answered in its ack (status, help, usage) rather than after it."""
    return parse_command(text).verb in ANSWERED_IN_ACK


def acknowledge_command(
    ack: Ack, command: dict[str, Any], router: Router, *, breakglass_hours: int | None = None
) -> None:
    """The ack: fast answers (status, help, usage) go in it; everything else is acknowledged empty.

    `breakglass_hours`: break-glass is on in some project, at most this long (the help lists the command)."""
    parsed = parse_command(command.get("text", ""))
    match parsed.verb:
        case "status":
            # reads only the store: fast enough for the ack
            ack(**router.status(command["user_id"], parsed.project).to_kwargs())
        case "help":
            ack(**msg.usage_reply(breakglass_hours=breakglass_hours).to_kwargs())
        case "unknown":
            ack(**msg.usage_reply(parsed.problem, breakglass_hours=breakglass_hours).to_kwargs())
        case _:
            ack()


def run_command(command: dict[str, Any], respond: Respond, router: Router) -> None:
    """The lazy half: the slow verbs, answered through the command's response_url."""
    parsed = parse_command(command.get("text", ""))
    user = command["user_id"]
    match parsed.verb:
        case "form":
            metadata = {
                "channel_id": command.get("channel_id", ""),
                "response_url": command.get("response_url", ""),
            }
            view = router.request_form(metadata)
            work = lambda: router.open_request_form(command["trigger_id"], view, user)  # noqa: E731
        case "request":
            team = command.get("team_id", "")
            work = lambda: verbs.request_access(  # noqa: E731
                router, user, team, parsed.reason, console=parsed.console, days=parsed.days, project=parsed.project
            )
        case "breakglass":
            team = command.get("team_id", "")
            work = lambda: verbs.break_glass(  # noqa: E731
                router, user, team, parsed.reason, hours=parsed.hours, console=parsed.console, project=parsed.project
            )
        case "remove":
            work = lambda: verbs.remove(router, user, parsed.target, parsed.project)  # noqa: E731
        case "rotate":
            work = lambda: verbs.rotate(router, user, parsed.project)  # noqa: E731
        case "list":
            work = lambda: router.list_requests(user, parsed.project)  # noqa: E731
        case "review":  # reads IAM for every grant: after the ack, answered through the response_url
            work = lambda: verbs.access_review(router, user, parsed.project)  # noqa: E731
        case _:  # answered in the ack
            return
    finish(work, respond_to(respond), parsed.verb)


def respond_to(respond: Respond) -> Any:
    """A deliver() that answers through the command's response_url, visible only to the caller."""
    return lambda reply: respond(response_type="ephemeral", **reply.to_kwargs())


def register(app: App, router: Router, *, breakglass_hours: int | None = None) -> None:
    """Register the slash command: the ack answers or acknowledges, the lazy listener does the rest."""

    def ack_command(ack: Ack, command: dict[str, Any]) -> None:
        acknowledge_command(ack, command, router, breakglass_hours=breakglass_hours)

    def slow_command(command: dict[str, Any], respond: Respond) -> None:
        run_command(command, respond, router)

    app.command(msg.COMMAND)(ack=ack_command, lazy=[slow_command])
