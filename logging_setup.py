"""Logging that cannot leak secrets: noisy libraries held at WARNING, and a redacting filter on our handler."""

from __future__ import annotations

import logging
import re
import sys

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
        """Redact the record in place; never drops it."""
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def configure_logging(level: str = "INFO") -> None:
    """One stderr handler with the redacting filter; libraries that log bodies stay at WARNING whatever `level`."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    handler.set_name("amplify-dev")
    root = logging.getLogger()
    # Replace only our own handler, so calling this twice (or under a test harness) stacks nothing.
    root.handlers[:] = [h for h in root.handlers if h.get_name() != "amplify-dev"] + [handler]
    root.setLevel(level)
    quiet_libraries()


def quiet_libraries() -> None:
    """Hold the libraries that log bodies at WARNING."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
