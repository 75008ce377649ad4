"""The layers are a checked contract: an upward import (or Slack in iam/, I/O in messages) fails the build."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold() -> None:
    lint = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run(  # noqa: S603 (our own linter, fixed arguments)
        [lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "broken" in result.stdout and " 0 broken" in result.stdout


def test_an_upward_import_is_caught(tmp_path: Path) -> None:
    """The contract really runs: a copy of the tree where messages imports the workflow breaks it."""
    copy = tmp_path / "tree"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", "tests", "*.db", "__pycache__", "bench", "docs"))
    messages = copy / "messages" / "__init__.py"
    messages.write_text(messages.read_text() + "\nimport workflow  # noqa\n")
    lint = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run(  # noqa: S603 (our own linter, fixed arguments)
        [lint, "--no-cache"], cwd=copy, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
