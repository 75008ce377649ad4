"""`sam build` (template.yaml's `BuildMethod: makefile`): the function's package, without what git ignores.

SAM's own Python build copies the whole CodeUri and honours no ignore file, so a local `amplify-dev.db` (request
state and the audit trail) would be shipped. This copies the code leaving out every name `.gitignore` lists (the
SQLite files, `.env`, caches, `.aws-sam/`), then installs requirements.txt for the function's runtime.

    python3 ops/package.py ARTIFACTS_DIR        (what the Makefile runs; imports nothing of the bot's)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALWAYS_LEFT_OUT = (".git", ".aws-sam", "__pycache__", "*.pyc")
# template.yaml's Runtime and Architectures: wheels for Lambda, whatever machine builds it.
PIP_TARGET = ("--platform", "manylinux2014_aarch64", "--implementation", "cp", "--python-version", "3.12")


def ignored_names(gitignore: Path) -> tuple[str, ...]:
    """The name patterns .gitignore lists (a trailing / dropped), and the ones never packaged anyway."""
    lines = gitignore.read_text(encoding="utf-8").splitlines() if gitignore.is_file() else []
    patterns = [line.strip().rstrip("/") for line in lines if line.strip() and not line.startswith(("#", "!"))]
    return (*ALWAYS_LEFT_OUT, *patterns)


def copy_source(source: Path, artifacts: Path) -> None:
    """Copy `source` into `artifacts`, leaving out what git ignores (and .git, .aws-sam)."""
    shutil.copytree(
        source, artifacts, ignore=shutil.ignore_patterns(*ignored_names(source / ".gitignore")), dirs_exist_ok=True
    )


def main(argv: list[str]) -> int:
    """Copy the code into ARTIFACTS_DIR and install requirements.txt there."""
    if len(argv) != 1:
        print("usage: python3 ops/package.py ARTIFACTS_DIR", file=sys.stderr)
        return 2
    artifacts = Path(argv[0])
    copy_source(ROOT, artifacts)
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--only-binary=:all:"]
    command = [*pip, *PIP_TARGET, "--target", str(artifacts), "-r", str(ROOT / "requirements.txt")]
    return subprocess.call(command)  # noqa: S603 - pip, with our own requirements file


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
