"""`python bot.py review`: the same rows as the Slack review, as text, CSV or JSON lines; one implicit project."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from bot import parse_args
from ops.review_export import run_review_export
from tests.conftest import DEV, LEAD, OTHER, Bot
from tests.e2e.test_access_review import grant, later
from tests.fakes.iam_usage import FakeKeyUsage


@pytest.fixture
def reviewed(bot: Bot) -> tuple[Bot, FakeKeyUsage]:
    usage = FakeKeyUsage()
    usage.install(bot.iam)
    used, _ = grant(bot, DEV), grant(bot, OTHER, console=True)
    now = later(bot)
    usage.used(used.access_key_id or "", now - timedelta(days=1), "amplify", "eu-west-1")
    return bot, usage


def export(bot: Bot, fmt: str, project: str | None = None) -> tuple[int, str]:
    out = io.StringIO()
    code = run_review_export(
        bot.settings, out, fmt=fmt, project=project, store=bot.store, iam_client=bot.iam, now=bot.workflow.d.clock()
    )
    return code, out.getvalue()


def test_jsonl_has_one_object_per_grant_with_flags_and_last_use(reviewed: tuple[Bot, FakeKeyUsage]) -> None:
    bot, _ = reviewed
    code, text = export(bot, "jsonl")
    assert code == 0
    rows = {r["developer"]: r for r in map(json.loads, text.splitlines())}
    assert set(rows) == {DEV, OTHER}
    assert rows[DEV]["flags"] == [] and rows[DEV]["last_used_service"] == "amplify"
    assert rows[OTHER]["flags"] == ["never_used"] and rows[OTHER]["console"] is True
    assert rows[OTHER]["password_last_used"] is None and rows[OTHER]["approved_by"] == LEAD
    assert all(r["project"] == "default" and r["key_id"].startswith("AKIA") for r in rows.values())


def test_csv_and_text_carry_the_same_rows(reviewed: tuple[Bot, FakeKeyUsage]) -> None:
    bot, _ = reviewed
    _, text = export(bot, "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["developer"] for r in rows) == sorted([DEV, OTHER])
    assert {r["developer"]: r["flags"] for r in rows}[OTHER] == "never_used"
    _, text = export(bot, "text")
    assert "2 active grant(s), 1 flagged" in text
    assert "flags: never used" in text and "console sign-in: never" in text and "(amplify, eu-west-1)" in text
    assert "Secret" not in text and "secret" not in text.lower()


def test_without_a_projects_file_only_the_implicit_default_project_is_known(
    reviewed: tuple[Bot, FakeKeyUsage],
) -> None:
    bot, _ = reviewed
    assert export(bot, "text", project="default")[0] == 0
    assert export(bot, "text")[0] == 0  # the only project may be left out
    assert export(bot, "text", project="other") == (2, "")


def test_the_command_line_takes_project_and_format() -> None:
    args = parse_args(["review", "--project", "default", "--format", "csv"])
    assert (args.command, args.project, args.format) == ("review", "default", "csv")
    with pytest.raises(SystemExit):
        parse_args(["review", "--format", "xml"])
