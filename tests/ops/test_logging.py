"""Logs: one line per event, text by default or JSON, level and format from settings, secrets redacted in both."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

import bot
from logging_setup import HANDLER_NAME, JsonFormatter, RedactingFilter, TextFormatter, configure_logging
from settings import SettingsError, load_settings

SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
BASE = {
    "SLACK_BOT_TOKEN": "xoxb-test",
    "SLACK_SIGNING_SECRET": "s",
    "AMPLIFY_DEV_APPROVAL_CHANNEL": "C0APPROVE",
    "AMPLIFY_DEV_APPROVERS": "ULEAD",
}


def _our_handler() -> logging.Handler:
    return next(h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME)


def _json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_json_format_writes_one_object_per_line_with_extras(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "json")

    logging.getLogger("amplify-dev").info(
        "request %s approved\nby a lead", "r1", extra={"request_id": "r1", "slack_user_id": "UDEV", "actor": "ULEAD"}
    )

    (entry,) = _json_lines(capsys.readouterr().err)
    assert entry["level"] == "INFO" and entry["logger"] == "amplify-dev"
    assert entry["message"] == "request r1 approved\nby a lead"  # still one line: the newline is escaped
    assert (entry["request_id"], entry["slack_user_id"], entry["actor"]) == ("r1", "UDEV", "ULEAD")
    assert entry["time"].endswith("+00:00") and "T" in entry["time"]


def test_json_format_carries_the_traceback_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "json")

    try:
        raise RuntimeError(f"boom {SECRET_KEY}")
    except RuntimeError:
        logging.getLogger("amplify-dev").exception("failed")

    (entry,) = _json_lines(capsys.readouterr().err)
    assert "RuntimeError" in entry["exception"]
    assert SECRET_KEY not in json.dumps(entry)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_both_formats_redact_messages_and_extras(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", fmt)

    logging.getLogger("amplify-dev").warning(
        "token xoxb-123-456-abc key %s",
        SECRET_KEY,
        extra={"password": "Hunter2!!", "detail": {"response_url": "https://hooks.slack.com/x"}, "note": SECRET_KEY},
    )

    out = capsys.readouterr().err
    for leaked in ("xoxb-123", SECRET_KEY, "Hunter2", "hooks.slack.com/x"):
        assert leaked not in out
    assert "[redacted]" in out


def test_text_format_is_the_default_and_shows_extras(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging()

    logging.getLogger("amplify-dev").info("request r1 filed", extra={"request_id": "r1", "slack_user_id": "UDEV"})
    logging.getLogger("amplify-dev").info("plain")

    first, second = capsys.readouterr().err.splitlines()
    assert first.endswith("INFO amplify-dev: request r1 filed [request_id=r1 slack_user_id=UDEV]")
    assert second.endswith("INFO amplify-dev: plain")
    assert isinstance(_our_handler().formatter, TextFormatter)


def test_level_filters_and_reconfiguring_replaces_our_handler(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("WARNING", "text")
    configure_logging("WARNING", "json")

    logging.getLogger("amplify-dev").info("hidden")
    logging.getLogger("amplify-dev").warning("shown")

    assert [h.get_name() for h in logging.getLogger().handlers].count(HANDLER_NAME) == 1
    assert [e["message"] for e in _json_lines(capsys.readouterr().err)] == ["shown"]


def test_libraries_stay_at_warning_at_debug() -> None:
    configure_logging("DEBUG", "json")

    assert logging.getLogger().level == logging.DEBUG
    assert logging.getLogger("botocore").level == logging.WARNING
    assert logging.getLogger("slack_sdk").level == logging.WARNING


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="xml"):
        configure_logging("INFO", "xml")


# --- settings -------------------------------------------------------------------------------------------


def test_log_settings_default_to_info_and_text() -> None:
    settings = load_settings(BASE)

    assert (settings.log_level, settings.log_format) == ("INFO", "text")


def test_log_settings_are_read_case_insensitively() -> None:
    settings = load_settings({**BASE, "AMPLIFY_DEV_LOG_LEVEL": "debug", "AMPLIFY_DEV_LOG_FORMAT": "JSON"})

    assert (settings.log_level, settings.log_format) == ("DEBUG", "json")


@pytest.mark.parametrize(("name", "value"), [("AMPLIFY_DEV_LOG_LEVEL", "loud"), ("AMPLIFY_DEV_LOG_FORMAT", "xml")])
def test_bad_log_settings_are_named_in_the_error(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"{name}.*'{value}'"):
        load_settings({**BASE, name: value})


def test_main_reconfigures_logging_from_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name, value in {**BASE, "AMPLIFY_DEV_LOG_LEVEL": "WARNING", "AMPLIFY_DEV_LOG_FORMAT": "json"}.items():
        monkeypatch.setenv(name, value)
    seen: dict[str, Any] = {}

    def fake_run_bot(settings: Any, *, sandbox: bool = False) -> int:
        seen["formatter"] = _our_handler().formatter
        seen["level"] = logging.getLogger().level
        logging.getLogger("amplify-dev").warning("started", extra={"request_id": "r9"})
        return 0

    monkeypatch.setattr(bot, "run_bot", fake_run_bot)

    assert bot.main([]) == 0
    assert isinstance(seen["formatter"], JsonFormatter)
    assert seen["level"] == logging.WARNING
    assert _json_lines(capsys.readouterr().err)[-1]["request_id"] == "r9"


def test_env_example_documents_both_log_settings() -> None:
    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text()

    assert "AMPLIFY_DEV_LOG_LEVEL=INFO" in example
    assert "AMPLIFY_DEV_LOG_FORMAT=text" in example


# --- a root handler installed before ours (the AWS Lambda runtime's own) ----------------------------------


class EarlierHandler(logging.Handler):
    """A root handler that was there before the bot configured logging, as the Lambda Python runtime's is."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


KEY_ID = "AKIAIOSFODNN7EXAMPLE"


def _log_a_key() -> None:
    logging.getLogger("amplify-dev").warning(
        "key %s secret %s password=Hunter2!!", KEY_ID, SECRET_KEY, extra={"password": "Hunter2!!"}
    )


def _start_socket_or_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot, "run_bot", lambda settings, *, sandbox=False: _log_a_key() or 0)
    assert bot.main([]) == 0


def _start_playground(monkeypatch: pytest.MonkeyPatch) -> None:
    import playground.run

    monkeypatch.setattr(playground.run, "run_playground", lambda wiring: _log_a_key() or 0)
    assert bot.main(["--playground"]) == 0


def _start_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    import lambda_handler

    monkeypatch.setattr(bot, "build_lambda_app", lambda settings, aws: (None, None))
    monkeypatch.setattr(lambda_handler, "LambdaBot", lambda *args, **kwargs: None)
    lambda_handler.build_from_environment()
    _log_a_key()


@pytest.mark.parametrize("start", [_start_socket_or_http, _start_playground, _start_lambda])
def test_a_root_handler_installed_before_ours_never_sees_a_secret(
    start: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name, value in BASE.items():
        monkeypatch.setenv(name, value)
    earlier = EarlierHandler()
    logging.getLogger().addHandler(earlier)

    start(monkeypatch)

    # The one line logged with a key (the Lambda start also logs how long its init phase took).
    (line,) = [seen for seen in earlier.lines if KEY_ID in seen]
    assert all(SECRET_KEY not in seen and "Hunter2" not in seen for seen in earlier.lines)
    assert KEY_ID in line  # an access key id is not a secret: the logs name keys by it on purpose
    assert line.endswith("key AKIAIOSFODNN7EXAMPLE secret [redacted-secret] password=[redacted]")
    assert sum(isinstance(f, RedactingFilter) for f in earlier.filters) == 1  # however often configured
    ours = capsys.readouterr().err
    assert SECRET_KEY not in ours and "Hunter2" not in ours


def test_inside_lambda_each_line_is_written_once_by_the_runtimes_handler_redacted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    saved = root.handlers[:]
    runtime = EarlierHandler()  # the Lambda runtime's handler, there before the function is imported
    root.handlers[:] = [runtime]
    try:
        configure_logging("INFO", "json", inside_lambda=True)
        logging.getLogger("amplify-dev").warning("key %s secret %s", KEY_ID, SECRET_KEY, extra={"aws_request_id": "r1"})
        assert root.handlers == [runtime]  # no second handler of ours on stderr
        [line] = runtime.lines
        entry = json.loads(line)
        assert entry["aws_request_id"] == "r1" and SECRET_KEY not in line and entry["level"] == "WARNING"
        assert capsys.readouterr().err == ""
        configure_logging("INFO", "text")  # outside Lambda: ours is added beside any other, as before
        assert len(root.handlers) == 2
    finally:
        root.handlers[:] = saved
