"""What one line of the checklist is, how the checklist is printed, and the exit code it gives."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TextIO

POLICY_COMMAND = "`python bot.py policy`"


class Status(StrEnum):
    """How one check came out."""

    PASS = "PASS"  # noqa: S105 (a check outcome, not a password)
    WARN = "WARN"
    FAIL = "FAIL"
    SKIP = "SKIP"


@dataclass(frozen=True)
class CheckResult:
    """One line of the checklist: what was checked, how it came out, and what to do about it."""

    area: str
    status: Status
    subject: str
    detail: str


def exit_code(results: Iterable[CheckResult]) -> int:
    """1 if any check failed, else 0."""
    return 1 if any(r.status is Status.FAIL for r in results) else 0


def write_report(results: list[CheckResult], out: TextIO) -> None:
    """The checklist, grouped by area, then a one-line summary."""
    out.write("amplify-dev check\n")
    area = None
    for result in results:
        if result.area != area:
            area = result.area
            out.write(f"\n{area}\n")
        out.write(f"  {result.status.value:<4}  {result.subject}: {result.detail}\n")
    counts = {status: sum(r.status is status for r in results) for status in Status}
    verdict = "NOT READY: fix every FAIL above" if counts[Status.FAIL] else "ready"
    warnings = f"{counts[Status.WARN]} warning{'' if counts[Status.WARN] == 1 else 's'}"
    out.write(
        f"\n{counts[Status.PASS]} passed, {warnings}, {counts[Status.FAIL]} failed, "
        f"{counts[Status.SKIP]} skipped: {verdict}\n"
    )


def settings_report(problems: list[str], out: TextIO) -> int:
    """The checklist when the settings themselves are invalid: one FAIL per setting, the rest not checked; 1."""
    results = [CheckResult("Settings", Status.FAIL, _setting_named(p), p) for p in problems]
    results.append(
        CheckResult("Slack and AWS", Status.SKIP, "everything else", "not checked until the settings above are fixed")
    )
    write_report(results, out)
    return exit_code(results)


def _setting_named(problem: str) -> str:
    first = problem.split(" ", 1)[0].strip(":`")
    return first if first.isupper() or first == "projects" else "setting"
