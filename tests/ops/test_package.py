"""The Lambda package (Makefile's build-Function, which `sam build` runs): every package of the bot, nothing else,
and the copy imports on its own without the sandbox's, the tests' or the other modes' dependencies."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOT_SHIPPED = {"tests", "bench", "docs", "playground"}  # never imported on Lambda
OTHER_MODES = ("moto", "playground", "tests", "bench", "yaml", "waitress", "dotenv", "werkzeug", "flask")

IMPORT_EVERYTHING = """
import importlib, pkgutil, sys
blocked = set(sys.argv[1].split(","))

class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ImportError(f"{name} is not in the Lambda package")

sys.meta_path.insert(0, Refuse())
root = sys.argv[2]
names = [m.name for m in pkgutil.iter_modules([root])]
for name in list(names):
    module = importlib.import_module(name)
    if hasattr(module, "__path__"):
        names += [m.name for m in pkgutil.walk_packages(module.__path__, name + ".")]
for name in names:
    importlib.import_module(name)
print(len(names))
"""


def makefile_list(name: str) -> set[str]:
    text = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    match = re.search(rf"^{name} := (.*)$", text, re.M)
    assert match, name
    return set(match.group(1).split())


def test_the_makefile_ships_every_package_of_the_bot_and_no_other() -> None:
    packages = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()} - NOT_SHIPPED
    modules = {p.name for p in ROOT.glob("*.py")}
    assert makefile_list("PACKAGES") == packages
    assert makefile_list("MODULES") == modules


def test_the_package_imports_without_the_other_modes_dependencies(tmp_path: Path) -> None:
    if subprocess.run(["make", "--version"], capture_output=True, check=False).returncode != 0:  # noqa: S607
        pytest.skip("make is not installed")
    artifacts = tmp_path / "Function"
    subprocess.run(["make", "-s", "code", f"ARTIFACTS_DIR={artifacts}"], cwd=ROOT, check=True)  # noqa: S603, S607
    shipped = {p.name for p in artifacts.iterdir()}
    assert not shipped & NOT_SHIPPED and not list(artifacts.rglob("*.db")) and not (artifacts / ".env").exists()
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", IMPORT_EVERYTHING, ",".join(OTHER_MODES), str(artifacts)],
        cwd=tmp_path,
        env={"PYTHONPATH": str(artifacts), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) > 50  # every module of the bot was imported
