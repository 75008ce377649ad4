"""Logging that cannot leak secrets: noisy libraries held at WARNING, and a redacting filter on every root handler.

One line per event, human-readable by default (`text`) or one JSON object per line (`json`); values passed
with `extra=` (request_id, Slack user ids, ...) are shown in both.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
HANDLER_NAME = "amplify-dev"

# At DEBUG these log request and response bodies: botocore the CreateAccessKey response (the secret),
# slack_sdk message bodies (the ephemeral that carries it), Bolt whole payloads (response_url included).
QUIET_LOGGERS = ("botocore", "boto3", "urllib3", "s3transfer", "slack_sdk", "slack_bolt", "waitress")

_PATTERNS = [
    (re.compile(r"xox[abeoprs]-[A-Za-z0-9-]+"), "xox?-[redacted]"),
    (re.compile(r"xapp-[A-Za-z0-9-]+"), "xapp-[redacted]"),
    (re.compile(r"https://hooks\.slack\.com/\S+"), "https://hooks.slack.com/[redacted]"),
    # An AWS secret access key is 40 characters of base64; nothing else we log looks like one.
    (re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"), "[redacted-secret]"),
    (
        re.compile(r"(?i)(['\"]?(?:password|secret[_a-z]*|response_url)['\"]?\s*[:=]\s*)(['\"]?)[^\s,'\"}]+"),
        r"\1\2[redacted]",
    ),
]


def redact(text: str) -> str:
    """Replace anything that looks like a token, a secret key, a password or a response_url."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Second line of defence: rewrites a record's message and traceback with secrets blanked out."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place (message, traceback and `extra` values); never drops it."""
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        for key in extra_keys(record):
            setattr(record, key, _redact_value(key, getattr(record, key)))
        return True


# An `extra` value under a name like these is blanked whatever it looks like.
_SECRET_NAME = re.compile(r"(?i)password|secret|token|response_url|credential")


def _redact_value(name: str, value: Any) -> Any:
    if _SECRET_NAME.search(name):
        return "[redacted]"
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_redact_value(name, v) for v in value]
    return value


# Everything a LogRecord carries by itself; any other attribute came from `extra=`.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def extra_keys(record: logging.LogRecord) -> list[str]:
    """The names of the values passed with `extra=` (e.g. request_id, slack_user_id), in the order given."""
    return [key for key in vars(record) if key not in _STANDARD_ATTRIBUTES and not key.startswith("_")]


class TextFormatter(logging.Formatter):
    """`2025-01-01 12:00:00,000 INFO amplify-dev: message [request_id=r1 slack_user_id=U1]`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        """The standard line, with the `extra` values appended as key=value."""
        line = super().formatMessage(record)
        extras = " ".join(f"{key}={_plain(getattr(record, key))}" for key in extra_keys(record))
        return f"{line} [{extras}]" if extras else line


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the `extra` values, and any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a single line of JSON (newlines in the message or traceback are escaped)."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in extra_keys(record):
            entry.setdefault(key, getattr(record, key))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(level: str = "INFO", fmt: str = "text", *, inside_lambda: bool = False) -> None:
    """Our stderr handler (text or JSON lines), the redacting filter on every root handler, noisy libraries at WARNING.

    `inside_lambda`: the runtime's own root handler (see below) already writes each line to CloudWatch Logs, with
    the invocation's request id; a second handler of ours on stderr would write every line twice. There, the
    runtime's handler gets our formatter (and the redacting filter) and ours is not added.
    """
    if fmt not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, got {fmt!r}")
    formatter = JsonFormatter() if fmt == "json" else TextFormatter()
    root = logging.getLogger()
    # A root handler installed before ours sees every record first, unredacted. The AWS Lambda Python runtime
    # installs one before it imports the function (`_setup_logging` in awslambdaric's bootstrap.py, the runtime
    # interface client; https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html) and it writes
    # straight to CloudWatch Logs. Filter it (and any other) rather than remove it: it adds the request id and
    # honours the function's log level. A handler added to the root later is not covered; none of our
    # dependencies adds one (waitress calls basicConfig(), a no-op once the root has a handler).
    runtime = [h for h in root.handlers if h.get_name() != HANDLER_NAME]
    if inside_lambda and runtime:
        root.handlers[:] = runtime
        for handler in runtime:
            handler.setFormatter(formatter)  # `extra` values, the runtime's aws_request_id among them, kept
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(formatter)
        # On the handler, not a logger: it then sees records from every logger, whichever propagated them.
        handler.addFilter(RedactingFilter())
        handler.set_name(HANDLER_NAME)
        # Replace only our own handler, so calling this twice (or under a test harness) stacks nothing.
        root.handlers[:] = [*runtime, handler]
    for earlier in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in earlier.filters):
            earlier.addFilter(RedactingFilter())
    root.setLevel(level.upper() if isinstance(level, str) else level)
    quiet_libraries()


def quiet_libraries() -> None:
    """Hold the libraries that log bodies at WARNING."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    # waitress warns "Task queue depth is N" for every queued request in a burst: noise, not a problem.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    # botocore logs a failed refresh of assumed-role credentials as a WARNING with its whole traceback; the caller
    # gets the exception and says it in a sentence (the project is reported unreachable, `check` prints a FAIL).
    logging.getLogger("botocore.credentials").setLevel(logging.ERROR)
