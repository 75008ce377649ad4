"""Small arithmetic and formatting shared by the report and the profile section."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence

from bench.results import FlowCalls


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p99 of 500 samples is the 495th smallest)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    """Seconds as milliseconds with one decimal ("n/a" for no value)."""
    return "n/a" if math.isnan(seconds) else f"{seconds * 1000:.1f}"


def spread(values: Sequence[float]) -> str:
    """p50 / p99 / max in milliseconds."""
    return f"{ms(percentile(values, 50))} / {ms(percentile(values, 99))} / {ms(max(values, default=math.nan))} ms"


def p50_p99(values: Sequence[float]) -> str:
    """p50 / p99 in milliseconds."""
    return f"{ms(percentile(values, 50))} / {ms(percentile(values, 99))} ms"


def yes_no(ok: bool) -> str:
    """The "met" column."""
    return "**yes**" if ok else "**no**"


def describe(counter: Counter[str]) -> str:
    """Each name with its count, sorted by name, or "none"."""
    return ", ".join(f"{name} ×{n}" for name, n in sorted(counter.items())) or "none"


def steady_and_first_use(samples: list[FlowCalls]) -> tuple[FlowCalls, FlowCalls, bool]:
    """(the calls most flows of this kind made, what the first one made on top, whether all others agreed)."""

    def key(c: FlowCalls) -> str:
        return json.dumps([sorted(c.iam.items()), sorted(c.slack.items())])

    common = Counter(key(s) for s in samples[1:] or samples).most_common(1)[0][0]
    steady = next(s for s in samples[1:] or samples if key(s) == common)
    first = FlowCalls(iam=samples[0].iam - steady.iam, slack=samples[0].slack - steady.slack)
    consistent = all(key(s) == common for s in samples[1:])
    return steady, first, consistent
