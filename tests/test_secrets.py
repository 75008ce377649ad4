"""The secret key and console password leave the process only in the one ephemeral message."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from logging_setup import QUIET_LOGGERS, RedactingFilter, configure_logging, redact
from tests.conftest import DEV, LEAD, Bot, message_text


def _secret_and_password(text: str) -> tuple[str, str]:
    secret = next(line.split(" = ")[1] for line in text.splitlines() if line.startswith("aws_secret_access_key = "))
    password = next(line.split("`")[1] for line in text.splitlines() if line.startswith("Temporary password:"))
    return secret, password


class AsLogged(logging.Handler):
    """Every record's message and traceback as the code logged them, before any filter ran."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.name, record.getMessage() + str(record.exc_info or "")))


def test_full_flow_at_debug_leaks_no_secret(bot: Bot, caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    configure_logging("DEBUG")  # what an operator who turns logging all the way up gets
    caplog.set_level(logging.DEBUG)
    # What the code itself logs, read before the redacting filter rewrites each record in place (caplog's
    # records are those same objects, and its handler is filtered too): the filter must not hide a leak here.
    logged = AsLogged()
    logging.getLogger().handlers.insert(0, logged)
    for name in QUIET_LOGGERS:
        assert logging.getLogger(name).level == logging.WARNING

    bot.command(DEV, "request --console need it")
    request_id = bot.request_id_for(DEV)
    bot.click(LEAD, "amplify_dev_approve", request_id)
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    bot.command(DEV, "rotate")
    bot.command(DEV, "remove")

    ephemerals = bot.ephemerals_to(DEV)
    assert len(ephemerals) == 2
    secret, password = _secret_and_password(message_text(ephemerals[0].params))
    rotated_secret = next(
        line.split(" = ")[1]
        for line in message_text(ephemerals[1].params).splitlines()
        if line.startswith("aws_secret_access_key = ")
    )
    secrets = [secret, password, rotated_secret]
    assert len(secret) == 40 and len(password) >= 20

    assert logged.lines, "the flow logged nothing at DEBUG: the test would prove nothing"
    for name, line in logged.lines:
        for value in secrets:
            assert value not in line, f"secret in log record from {name}"

    bot.store.close()
    raw = b"".join(p.read_bytes() for p in Path(bot.db_path).parent.glob(Path(bot.db_path).name + "*"))
    assert raw, "no database bytes read"
    for value in secrets:
        assert value.encode() not in raw

    # Only the two ephemerals carried a secret; every other Slack call (posts, updates, replies) did not.
    for call in bot.slack.calls:
        if call in ephemerals:
            continue
        for value in secrets:
            assert value not in str(call.params)
    # The notification text of the ephemeral (phones, previews) carries none either.
    for call in ephemerals:
        assert all(value not in call.params["text"] for value in secrets)


def test_redacting_filter_blanks_secrets_tokens_and_response_urls() -> None:
    record = logging.LogRecord(
        "x",
        logging.ERROR,
        __file__,
        1,
        "key %s token %s url %s password=%s",
        (
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "xoxb-123-456-abc",
            "https://hooks.slack.com/actions/T/1/abc",
            "Hunter2!!",
        ),
        None,
    )
    RedactingFilter().filter(record)
    text = record.getMessage()
    for leaked in ("wJalrXUtnFEMI", "xoxb-123", "actions/T/1", "Hunter2"):
        assert leaked not in text
    assert redact("request r0123 by UDEV") == "request r0123 by UDEV"


def test_redacting_filter_covers_tracebacks() -> None:
    try:
        raise RuntimeError("leaked wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    except RuntimeError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
    RedactingFilter().filter(record)
    assert "wJalrXUtnFEMI" not in (record.exc_text or "") and "RuntimeError" in (record.exc_text or "")
