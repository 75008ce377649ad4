"""What a run measured: filled by the phases, read by the report."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FlowCalls:
    """The calls one flow made."""

    iam: Counter[str]
    slack: Counter[str]


@dataclass
class Results:
    """Every figure of one run, by phase."""

    startup_accepting: list[float] = field(default_factory=list)
    startup_first_answer: list[float] = field(default_factory=list)
    startup_calls: FlowCalls | None = None
    startup_quiet: float = math.nan
    rss_idle: dict[str, int] = field(default_factory=dict)
    rss_after: dict[str, int] = field(default_factory=dict)
    acks: dict[str, list[float]] = field(default_factory=dict)
    floor: dict[str, list[float]] = field(default_factory=dict)  # the same bursts' acks from bench/floor_server.py
    latency: dict[str, list[float]] = field(default_factory=dict)
    flows: dict[str, list[FlowCalls]] = field(default_factory=dict)
    burst: dict[str, Any] = field(default_factory=dict)
    restart: dict[str, Any] = field(default_factory=dict)
    profile: dict[str, Any] = field(default_factory=dict)
    cpu: dict[str, dict[str, float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
