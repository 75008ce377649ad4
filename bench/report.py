"""The report: the table of measures against their targets, the calls per flow, CPU per phase, RESULTS.md."""

from __future__ import annotations

import argparse
import math
import os
import platform
from datetime import datetime
from pathlib import Path

from bench.figures import describe, ms, p50_p99, percentile, spread, steady_and_first_use, yes_no
from bench.minimum import (
    EXPLAIN,
    MINIMUM,
    TARGET_ACK_P99_MS,
    TARGET_FLOOR_RATIO,
    TARGET_IDLE_RSS_MB,
    TARGET_RATIO,
    TARGET_STARTUP_S,
)
from bench.profiling import profile_section
from bench.results import Results

# What the burst counts, each of which must be exactly the number of users (phases.Phases.burst).
BURST_COUNTS = (
    "request answered",
    "approval messages",
    "approval messages, distinct requests",
    "approval messages, distinct requesters",
    "stored requests",
    "stored requesters",
    "approve answered",
    "DMs posted",
    "DMs, distinct requesters",
    "IAM users created",
    "ephemerals posted",
    "keys created",
)


def build_report(r: Results, args: argparse.Namespace) -> tuple[str, str]:
    """(the table, the details below it)."""
    rows: list[tuple[str, str, str, str]] = []

    def row(what: str, result: str, target: str = "", met: bool | None = None) -> None:
        rows.append((what, result, target, "" if met is None else yes_no(met)))

    med = percentile(r.startup_accepting, 50)
    row(
        f"start-up → accepting requests (`GET /healthz`), median of {len(r.startup_accepting)} "
        f"[{', '.join(f'{s:.2f}' for s in r.startup_accepting)}]",
        f"{med:.2f} s",
        f"< {TARGET_STARTUP_S:.0f} s",
        med < TARGET_STARTUP_S,
    )
    row(
        "start-up → first answered request (signed `/amplify-dev help`), median",
        f"{percentile(r.startup_first_answer, 50):.2f} s",
    )
    if r.restart:
        row(
            f"restart with {r.restart['open requests']} open requests in the store → accepting / first answer",
            f"{r.restart['accepting']:.2f} / {r.restart['first answer']:.2f} s",
            f"< {TARGET_STARTUP_S:.0f} s",
            r.restart["accepting"] < TARGET_STARTUP_S,
        )
    idle = r.rss_idle.get("VmHWM", 0) / 1024
    row(
        "RSS idle after start-up: current / peak",
        f"{r.rss_idle.get('VmRSS', 0) / 1024:.1f} / {idle:.1f} MB",
        f"< {TARGET_IDLE_RSS_MB:.0f} MB",
        idle < TARGET_IDLE_RSS_MB,
    )
    row(
        "RSS after the bursts: current / peak",
        f"{r.rss_after.get('VmRSS', 0) / 1024:.1f} / {r.rss_after.get('VmHWM', 0) / 1024:.1f} MB",
    )
    n, c = args.burst, args.concurrency
    for kind, label in (
        ("request", "`/amplify-dev request`"),
        ("approve", "Approve click"),
        ("show credentials", "Show credentials click"),
    ):
        single = r.acks.get(kind, [])
        row(f"ack {label}, single (one at a time, n={len(single)}): p50 / p99 / max", spread(single))
    for kind, label in (
        ("request (burst)", "`/amplify-dev request`"),
        ("approve (burst)", "Approve click"),
        ("show credentials (burst)", "Show credentials click"),
    ):
        values = r.acks.get(kind, [])
        target = kind != "show credentials (burst)"
        row(
            f"ack {label}, burst ({n} users, {c} concurrent): p50 / p99 / max",
            spread(values),
            f"p99 < {TARGET_ACK_P99_MS:.0f} ms" if target else "",
            percentile(values, 99) * 1000 < TARGET_ACK_P99_MS if target and values else None,
        )
        floor = r.floor.get(kind, [])
        if floor and values:
            ratio = percentile(values, 99) / percentile(floor, 99)
            row(
                "… the same requests to a do-nothing server (bench/floor_server.py), each sent by the same client"
                " thread right after the bot answered it: p50 / p99 / max; bot p99 / floor p99",
                f"{spread(floor)}; **{ratio:.2f}**",
                f"ratio ≤ {TARGET_FLOOR_RATIO}",
                ratio <= TARGET_FLOOR_RATIO,
            )
    b = r.burst
    exact = all(b.get(k) == n for k in BURST_COUNTS)
    row(
        "burst: answered / approval messages / stored requests",
        f"{b.get('request answered')} / {b.get('approval messages')} / {b.get('stored requests')}",
        f"exactly {n}, none duplicated",
        exact,
    )
    row(
        "burst: Approve answered / DMs / IAM users; ephemerals / keys",
        f"{b.get('approve answered')} / {b.get('DMs posted')} / {b.get('IAM users created')}; "
        f"{b.get('ephemerals posted')} / {b.get('keys created')}",
        f"exactly {n}",
        exact,
    )
    for name in (
        "request → approval message posted",
        "Approve → requester's DM posted",
        "Approve → requester's DM posted (burst)",
        "Show credentials → ephemeral posted",
        "Show credentials → ephemeral posted (burst)",
    ):
        values = r.latency.get(name, [])
        if "(burst)" in name:
            row(f"{name} (n={len(values)}): p50 / p99", p50_p99(values))
        else:
            first = f" (first after start-up: {ms(values[0])} ms)" if values else ""
            row(f"{name}, single (n={len(values)}): p50 / p99", p50_p99(values) + first)

    details: list[str] = []
    cached_at_first_use: list[str] = []
    for kind, samples in r.flows.items():
        if not samples:
            continue
        steady, first, consistent = steady_and_first_use(samples)
        min_iam, min_slack = MINIMUM[kind]
        made = sum(steady.iam.values()) + sum(steady.slack.values())
        least = sum(min_iam.values()) + sum(min_slack.values())
        ratio = made / least if least else math.inf
        row(
            f"calls per flow: {kind} (IAM made/min · Slack made/min, n={len(samples)})",
            f"IAM {sum(steady.iam.values())}/{sum(min_iam.values())} · "
            f"Slack {sum(steady.slack.values())}/{sum(min_slack.values())} · ratio {ratio:.2f}",
            f"ratio {TARGET_RATIO:.1f}",
            abs(ratio - TARGET_RATIO) < 1e-9,
        )
        extra_iam, extra_slack = steady.iam - min_iam, steady.slack - min_slack
        missing = (min_iam - steady.iam) + (min_slack - steady.slack)
        details.append(
            f"- **{kind}**: IAM {describe(steady.iam)}; Slack {describe(steady.slack)}."
            + (f" Beyond the minimum: {describe(extra_iam + extra_slack)}." if extra_iam or extra_slack else "")
            + (f" Fewer than the minimum: {describe(missing)}." if missing else "")
            + ("" if consistent else " (Not every flow of this kind made the same calls.)")
        )
        for name in sorted(extra_iam + extra_slack):
            if name in EXPLAIN:
                details.append(f"  - why {name}: {EXPLAIN[name]}.")
        if first.iam or first.slack:
            cached_at_first_use.append(f"{describe(first.iam + first.slack)} (first {kind})")
    if r.startup_calls is not None:
        row(
            "calls once at start-up (process start → no call for 0.5 s; the first sweep runs after the bot "
            f"accepts requests; last call at {r.startup_quiet:.2f} s)",
            describe(r.startup_calls.iam + r.startup_calls.slack),
        )
    if r.restart:
        calls = r.restart["calls"]
        row(
            f"calls at the restart with {r.restart['open requests']} open requests (last call at "
            f"{r.restart['quiet']:.2f} s)",
            describe(calls.iam + calls.slack),
        )
    row("calls once at first use, then cached", "; ".join(cached_at_first_use) or "none")

    table = ["| measure | result | target | met |", "|---|---|---|---|"]
    table += [f"| {what} | {result} | {target} | {met} |" for what, result, target, met in rows]
    missed = [what.split(" (IAM")[0].split(" (`")[0] for what, _, _, met in rows if met == yes_no(False)]
    met_count = sum(met == yes_no(True) for _, _, _, met in rows)
    table += ["", f"Targets: {met_count} met, {len(missed)} missed" + (f" ({'; '.join(missed)})." if missed else ".")]
    columns = ("bot", "bot's workers", "moto", "fake Slack", "bench client")
    cpu = ["| phase | wall s | " + " | ".join(columns) + " |", "|---" * 7 + "|"]
    for phase, used in r.cpu.items():
        cpu.append(f"| {phase} | {used['wall']:.1f} | " + " | ".join(f"{used.get(k, 0):.1f}" for k in columns) + " |")
    text = [
        "Calls per flow, by name (the calls most flows of that kind made; `response_url` is the reply through the "
        "command's response_url):",
        "",
        *details,
        "",
        "CPU seconds used per phase (all processes share the machine's cores):",
        "",
        *cpu,
    ]
    if r.profile:
        text += ["", *profile_section(r.profile)]
    if r.notes:
        text += ["", *[f"Note: {note}" for note in r.notes]]
    return "\n".join(table), "\n".join(text)


def machine_line(started: datetime, elapsed: float, load_before: float) -> str:
    """When, on what, with which versions, how long, and how busy the machine was."""
    import slack_bolt
    import slack_sdk

    try:
        from importlib.metadata import version

        moto_version = version("moto")
        boto3_version = version("boto3")
    except Exception:
        moto_version = boto3_version = "?"
    return (
        f"{started:%Y-%m-%d %H:%M} UTC · {os.cpu_count()} CPUs · Python {platform.python_version()} · "
        f"slack-bolt {slack_bolt.version.__version__} · slack-sdk {slack_sdk.version.__version__} · "
        f"boto3 {boto3_version} · moto {moto_version} · run took {elapsed:.0f} s · load average before the run "
        f"{load_before:.2f}, after {os.getloadavg()[0]:.2f} (other work on this machine skews the figures)"
    )


def write_results(path: Path, header: str, table: str, details: str) -> None:
    """bench/RESULTS.md: the header, the table, the details and how the counting works; the sections after them
    (`## ...`: the one-row scripts' results, pasted by hand) are kept."""
    previous = path.read_text() if path.exists() else ""
    kept = previous[previous.index("\n## ") :] if "\n## " in previous else ""
    path.write_text(
        "# amplify-dev benchmark results\n\n"
        f"`python bench/run.py` — {header}\n\n"
        f"{table}\n\n{details}\n\n"
        "moto 5.2 has no ListServiceSpecificCredentials / DeleteServiceSpecificCredential (which `remove` calls): "
        "bench/moto_server.py adds them to moto's IAM in its own process (an empty list / NoSuchEntity) and counts "
        "IAM calls there, so the bot runs unmodified. Slack calls are counted by the project's fake Slack Web API "
        "(bench/fake_slack.py adds read-outs to it). bench/bot_local.py only pins the bot's HTTP listener to "
        "127.0.0.1.\n\n"
        "See bench/README.md for what each row measures and how the minimum calls per flow are counted.\n"
        f"{kept}"
    )
