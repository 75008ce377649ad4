"""The Lambda package (ops/package.py, which `sam build` runs through the Makefile): the bot's code alone, which
imports on its own without the sandbox's, the tests' or the other modes' dependencies."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def test_the_package_is_the_bot_alone_and_imports_without_the_other_modes_dependencies(tmp_path: Path) -> None:
    from ops.package import copy_source

    artifacts = tmp_path / "Function"
    copy_source(ROOT, artifacts)
    shipped = {p.name for p in artifacts.iterdir()}
    assert not shipped & NOT_SHIPPED and not list(artifacts.rglob("*.db")) and not (artifacts / ".env").exists()
    assert {"lambda_handler.py", "bot.py", "workflow", "store", "handlers"} <= shipped
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


def test_the_lambda_requirements_are_the_bots_pins_without_the_other_modes() -> None:
    def pins(name: str) -> dict[str, str]:
        lines = (ROOT / name).read_text().splitlines()
        return dict(line.split("==") for line in lines if "==" in line and not line.startswith("#"))

    lambda_pins, bot_pins = pins("requirements-lambda.txt"), pins("requirements.txt")
    assert lambda_pins.items() <= bot_pins.items()  # the same versions as every other runtime tests
    assert {"slack-bolt", "slack-sdk", "boto3", "snapshot-restore-py"} <= set(lambda_pins)
    assert not {"moto", "waitress", "PyYAML", "python-dotenv"} & set(lambda_pins)
