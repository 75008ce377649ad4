"""Where the bot's start-up time goes: run by `python bench/run.py --profile` with the bot's environment.

Times the same steps `python bot.py` takes before it serves (imports, settings, bot.build(), start-up
recovery), profiles build() and recovery with pyinstrument, and prints one JSON object on stdout.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

started = time.perf_counter()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

steps: list[tuple[str, float]] = []


def step(name: str, since: float) -> float:
    now = time.perf_counter()
    steps.append((name, now - since))
    return now


t = step("python start → this script running (interpreter, site)", started)  # ~0: measured outside too
import slack_bolt  # noqa: E402, F401
import slack_sdk  # noqa: E402, F401

t = step("import slack_bolt + slack_sdk", t)
import boto3  # noqa: E402, F401

t = step("import boto3 + botocore", t)
import waitress.server  # noqa: E402, F401

t = step("import waitress", t)
import bot  # noqa: E402

t = step("import bot and the rest of its modules", t)

from pyinstrument import Profiler  # noqa: E402

bot.configure_logging()
settings = bot.load_settings()
bot.quiet_libraries()
t = step("logging + settings", time.perf_counter())

profiler = Profiler(interval=0.0005)
profiler.start()
t = time.perf_counter()
built = bot.build(settings)
t = step("bot.build(): clients, Bolt App (auth.test), store", t)
workflow: Any = next(item for item in built if hasattr(item, "recover"))
runner: Any = next(item for item in built if hasattr(item, "submit"))
runner.submit(workflow.recover).result()
t = step("start-up recovery (reads every open request)", t)
profiler.stop()


def heaviest(frame: Any, depth: int, total: float, out: list[dict[str, Any]]) -> None:
    """The frames that take at least 3% of the profiled time, a few levels down."""
    for child in sorted(frame.children, key=lambda c: c.time, reverse=True):
        if child.time < 0.03 * total:
            break
        out.append({"depth": depth, "function": child.function, "file": child.file_path_short, "s": child.time})
        if depth < 6:
            heaviest(child, depth + 1, total, out)


root = profiler.last_session.root_frame() if profiler.last_session else None
frames: list[dict[str, Any]] = []
if root is not None:
    heaviest(root, 0, root.time, frames)
runner.shutdown(wait=True)
print(json.dumps({"steps": steps, "build_profile": frames}))
