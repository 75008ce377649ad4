"""The audit trail: every transition recorded (never a secret), exported as JSONL or CSV, optionally posted."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from ops.audit_export import run_audit_export
from tests.conftest import DEV, LEAD, LEAD2, Bot, message_text


def events(bot: Bot) -> list[str]:
    return [e.event for e in bot.workflow.d.audit.events()]


def test_every_transition_is_audited(bot: Bot) -> None:
    request_id = bot.approved_user(text="request --console x")
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    bot.command(DEV, "rotate")
    bot.command(DEV, "remove")
    bot.command(DEV, "request again")
    bot.click(LEAD, "amplify_dev_deny", bot.request_id_for(DEV))
    bot.command(DEV, "request third")
    bot.command(DEV, "remove")
    assert events(bot) == [
        "requested",
        "approved",
        "provisioned",
        "credentials_shown",
        "rotated",
        "revoking",
        "removed",
        "requested",
        "denied",
        "requested",
        "cancelled",
    ]
    first = bot.workflow.d.audit.events()[1]
    assert (first.actor, first.subject, first.request_id, first.iam_user) == (LEAD, DEV, request_id, "dana.dev-udev")


def test_audit_holds_no_secret(bot: Bot) -> None:
    request_id = bot.approved_user(text="request --console x")
    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    shown = message_text(bot.ephemerals_to(DEV)[-1].params)
    secret = next(line.split(" = ")[1] for line in shown.splitlines() if line.startswith("aws_secret_access_key = "))
    dump = json.dumps([e.to_dict() for e in bot.workflow.d.audit.events()])
    assert secret not in dump and "Temporary password" not in dump


def test_failures_are_audited_with_the_aws_code(bot: Bot) -> None:
    from tests.faults.support import fail_iam

    fail_iam(bot.iam, "CreateUser")
    bot.approved_user()
    failed = [e for e in bot.workflow.d.audit.events() if e.event == "failed"]
    assert failed and failed[0].outcome == "AccessDenied" and "CreateUser" in failed[0].detail


def test_export_jsonl_csv_and_since(bot: Bot) -> None:
    bot.approved_user()
    out = io.StringIO()
    assert run_audit_export(bot.settings, out, fmt="jsonl") == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["event"] for r in rows] == ["requested", "approved", "provisioned"]
    out = io.StringIO()
    run_audit_export(bot.settings, out, fmt="csv")
    table = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert table[1]["actor"] == LEAD and table[1]["event"] == "approved"
    out = io.StringIO()
    run_audit_export(bot.settings, out, since="2999-01-01")
    assert out.getvalue() == ""
    assert run_audit_export(bot.settings, io.StringIO(), since="yesterday") == 2


def test_audit_command_line(bot: Bot, tmp_path: Path) -> None:
    bot.approved_user()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "SLACK_BOT_TOKEN": "xoxb-x",
        "SLACK_SIGNING_SECRET": "s",
        "AMPLIFY_DEV_APPROVAL_CHANNEL": "C0APPROVE",
        "AMPLIFY_DEV_APPROVERS": LEAD,
        "AMPLIFY_DEV_DB": bot.db_path,
    }
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(root / "bot.py"), "audit", "--format", "csv"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("at,event,actor")
    assert len(result.stdout.splitlines()) == 4


def test_audit_channel_gets_one_line_per_event(make_bot) -> None:
    bot = make_bot(AMPLIFY_DEV_AUDIT_CHANNEL="C0AUDIT")
    bot.approved_user()
    lines = [c.params["text"] for c in bot.slack.calls_to("chat.postMessage") if c.params["channel"] == "C0AUDIT"]
    assert len(lines) == 3
    assert lines[1].startswith("`approved` by <@ULEAD> for <@UDEV>")


def test_two_approvals_need_two_different_leads(make_bot) -> None:
    bot = make_bot(AMPLIFY_DEV_REQUIRED_APPROVALS="2")
    bot.command(DEV, "request x")
    request_id = bot.request_id_for(DEV)
    bot.click(LEAD, "amplify_dev_approve", request_id)
    assert bot.iam_users() == []
    update = bot.slack.calls_to("chat.update")[-1]
    assert "Approved so far by <@ULEAD> (1 of 2)" in message_text(update.params)
    assert [b for b in update.params["blocks"] if b["type"] == "actions"]  # buttons stay
    bot.click(LEAD, "amplify_dev_approve", request_id)  # the same lead twice counts once
    assert bot.iam_users() == [] and "already approved" in bot.last_reply_text(LEAD)
    bot.click(DEV, "amplify_dev_approve", request_id)  # never the requester
    assert bot.iam_users() == []
    bot.click(LEAD2, "amplify_dev_approve", request_id)
    assert bot.iam_users() == ["dana.dev-udev"]
    final = bot.slack.calls_to("chat.update")[-1]
    assert "Approved by <@ULEAD> and <@ULEAD2>" in message_text(final.params)


def test_extension_requests_and_denials_are_audited(bot: Bot) -> None:
    request_id = bot.approved_user(text="request --days 5 x")
    bot.click(DEV, "amplify_dev_extend", request_id, channel=f"D{DEV}")
    bot.click(LEAD, "amplify_dev_extend_deny", request_id)

    assert events(bot)[-2:] == ["extension_requested", "extension_denied"]


def test_simultaneous_approvals_write_one_approval_to_the_audit_trail(bot: Bot) -> None:
    from concurrent.futures import ThreadPoolExecutor

    bot.command(DEV, "request x")
    request_id = bot.request_id_for(DEV)
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda lead: bot.click(lead, "amplify_dev_approve", request_id), [LEAD, LEAD2] * 3))

    # Each transition and its audit row are one write: a click that lost the race left no row behind.
    assert events(bot) == ["requested", "approved", "provisioned"]


def test_a_transition_and_its_audit_row_are_one_write(bot: Bot, monkeypatch) -> None:
    """Even if the process dies right after a transition (before logging it), its audit row is there."""
    import pytest

    from tests.faults.support import Crash
    from workflow.ledger import Ledger

    bot.command(DEV, "request x")
    request_id = bot.request_id_for(DEV)

    def die(self: Ledger, record: object) -> None:
        raise Crash("after the write")

    monkeypatch.setattr(Ledger, "_told", die)
    from workflow import deciding

    project, request = bot.workflow.for_request(request_id)
    with pytest.raises(Crash):
        deciding.deny(project, LEAD, request)

    assert bot.store.get(request_id).state == "denied"
    assert events(bot)[-1] == "denied"


def _record_state_changes(bot: Bot, monkeypatch) -> list[tuple[str, str, str, object]]:
    """Every state change the store makes: (request id, from, to, the audit event written with it)."""
    from store import UNSET

    changes: list[tuple[str, str, str, object]] = []
    write = bot.store.compare_and_set

    def watched(request_id, expect, change, *, audit=None):
        before = bot.store.get(request_id)
        after = write(request_id, expect, change, audit=audit)
        if after is not None and change.state is not UNSET and before is not None and before.state != after.state:
            changes.append((request_id, str(before.state), str(after.state), audit))
        return after

    monkeypatch.setattr(bot.store, "compare_and_set", watched)
    return changes


def test_every_state_change_of_a_full_life_has_its_audit_row(bot: Bot, monkeypatch) -> None:
    """Requested, approved, provisioned, removed (ACTIVE -> REVOKING -> REVOKED); and a second life that expires."""
    changes = _record_state_changes(bot, monkeypatch)
    first = bot.approved_user(text="request --days 1 first")
    bot.click(DEV, "amplify_dev_show_credentials", first, channel="DUDEV")
    bot.command(DEV, "remove")
    second = bot.approved_user(text="request --days 1 second")
    bot.clock.advance(days=1, minutes=1)
    bot.workflow.sweep()

    moves = [(rid, old, new) for rid, old, new, _ in changes]
    assert moves == [
        (first, "pending", "approved"),
        (first, "approved", "active"),
        (first, "active", "revoking"),
        (first, "revoking", "revoked"),
        (second, "pending", "approved"),
        (second, "approved", "active"),
        (second, "active", "revoking"),
        (second, "revoking", "expired"),
    ]
    assert all(audit is not None for *_, audit in changes), changes  # the audit row went with the write
    stored = [(e.request_id, e.event) for e in bot.workflow.d.audit.events()]
    for rid, _, _, audit in changes:
        assert (rid, audit.event) in stored
    assert [event for rid, event in stored if rid == first] == [
        "requested",
        "approved",
        "provisioned",
        "credentials_shown",
        "revoking",
        "removed",
    ]


def test_the_ledger_refuses_a_state_change_without_its_audit_row(bot: Bot) -> None:
    """Bookkeeping writes (Ledger.note) cannot move a request's state: that goes through Ledger.move, audited."""
    import pytest

    from store import Fields, State

    bot.command(DEV, "request x")
    request_id = bot.request_id_for(DEV)
    ledger = bot.workflow.first.ledger
    with pytest.raises(ValueError):
        ledger.note(request_id, Fields(state=State.PENDING), Fields(state=State.DENIED))
    assert bot.store.get(request_id).state == State.PENDING
    assert events(bot) == ["requested"]
