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


def _lint_with(tmp_path: Path, module: str, line: str) -> subprocess.CompletedProcess[str]:
    """Run the contracts on a copy of the tree where `module` (a path under the root) gains `line`."""
    copy = tmp_path / "tree"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", "tests", "*.db", "__pycache__", "docs"))
    target = copy / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    lint = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    return subprocess.run(  # noqa: S603 (our own linter, fixed arguments)
        [lint, "--no-cache"], cwd=copy, capture_output=True, text=True, timeout=120, check=False
    )


def test_an_upward_import_is_caught(tmp_path: Path) -> None:
    """The contract really runs: a copy of the tree where messages imports the workflow breaks it."""
    result = _lint_with(tmp_path, "messages/__init__.py", "import workflow")
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


def test_a_flow_importing_iam_is_caught(tmp_path: Path) -> None:
    """Only the grant kinds (workflow/grants/) talk to iam/ and identity_center/: a flow that imports one breaks it."""
    result = _lint_with(tmp_path, "workflow/deciding.py", "import iam")
    assert result.returncode != 0
    assert "Flows do not import iam/ or identity_center/" in result.stdout and "BROKEN" in result.stdout


def test_product_code_importing_bench_is_caught(tmp_path: Path) -> None:
    """bench/ stays in the repo but out of the product: an import of it from product code breaks the contract."""
    result = _lint_with(tmp_path, "workflow/router.py", "import bench.figures")
    assert result.returncode != 0
    assert "bench/ is not product code" in result.stdout and "BROKEN" in result.stdout
