"""Run the bot exactly as `python bot.py` does, except that HTTP mode listens on 127.0.0.1 only.

bot.serve_http binds 0.0.0.0 (Slack must reach it); the benchmark keeps everything on the loopback interface.
Nothing else is changed: same settings, same build(), same waitress server.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bot

_serve_http = bot.serve_http


def _serve_on_loopback(*args: Any, **kwargs: Any) -> None:
    kwargs["host"] = "127.0.0.1"
    _serve_http(*args, **kwargs)


bot.serve_http = _serve_on_loopback

if __name__ == "__main__":
    sys.exit(bot.main(sys.argv[1:]))
