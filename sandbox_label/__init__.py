"""Whether this process runs on fake AWS (sandbox), so every message says so. A leaf: imports nothing of ours.

ops/sandbox.py turns the label on when it starts moto; messages.py and the Slack gateway only read it.
"""

from __future__ import annotations

import threading

SANDBOX_LABEL = ":test_tube: SANDBOX (fake AWS) — "
# `python bot.py --playground`: Slack is a local page too, and the README and the page call it PLAYGROUND.
PLAYGROUND_LABEL = ":test_tube: PLAYGROUND (fake Slack and AWS) — "

_lock = threading.Lock()
_label = ""


def turn_on(label: str = SANDBOX_LABEL) -> None:
    """From now on every message this process sends starts with `label`."""
    global _label
    with _lock:
        _label = label


def turn_off() -> None:
    """Messages are no longer labelled (tests stopping a sandbox)."""
    global _label
    with _lock:
        _label = ""


def sandbox_label() -> str:
    """The label while the sandbox is on, else "" (for prefixing messages unconditionally)."""
    with _lock:
        return _label


def is_sandbox() -> bool:
    """True while the sandbox label is on: every message must then say so."""
    return bool(sandbox_label())
