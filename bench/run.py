"""Benchmark amplify-dev end to end: acknowledgement times, time to the answer, API calls per flow, start-up, RSS.

    python bench/run.py            (under a minute on 2 cores; writes bench/RESULTS.md)

It starts three processes on 127.0.0.1: moto's IAM (bench/moto_server.py, which counts IAM calls), the
project's fake Slack Web API (bench/fake_slack.py, which records Slack calls) and the bot in HTTP mode
(bench/bot_local.py: `python bot.py` listening on the loopback interface only). Then it sends the bot signed
requests as Slack does and reads the answers back from what the fakes recorded. Nothing is asserted: the
targets are reported as met or missed. See bench/README.md.

This file is only the command line and the order of the phases: bench/processes.py runs the three processes,
bench/client.py talks to the bot as Slack does (payloads from playground/personas.py) and reads the fakes,
bench/phases.py and bench/flows.py measure, bench/report.py writes the table and bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/run.py` runs from anywhere

from bench.phases import Phases
from bench.processes import Stack
from bench.profiling import run_profile
from bench.report import build_report, machine_line, write_results
from bench.workspace import BENCH


def parse_args(argv: list[str]) -> argparse.Namespace:
    """run.py's options: the sizes of each phase, where to write, what to keep."""
    parser = argparse.ArgumentParser(prog="python bench/run.py", description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=500, help="users in the burst (default 500)")
    parser.add_argument("--concurrency", type=int, default=20, help="requests in flight in the burst (default 20)")
    parser.add_argument("--single", type=int, default=50, help="flows measured one at a time (default 50)")
    parser.add_argument("--console", type=int, default=5, help="console-access flows (default 5)")
    parser.add_argument("--rotate", type=int, default=10, help="rotate and remove flows (default 10)")
    parser.add_argument("--startup-trials", type=int, default=3, help="bot start-ups timed (default 3)")
    parser.add_argument("--idle-seconds", type=float, default=1.0, help="wait before reading RSS (default 1)")
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md", help="where to write the results")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    parser.add_argument(
        "--profile", action="store_true", help="also profile start-up (pyinstrument) and a burst (py-spy)"
    )
    parser.add_argument(
        "--lazy-workers", type=int, help="AMPLIFY_DEV_LAZY_WORKERS for the bot (default: the bot's own default)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, database)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run every phase, print the report, write RESULTS.md (unless --no-write); never leave a child behind."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.rotate > args.single:
        args.rotate = args.single
    started = datetime.now(UTC)
    load_before = os.getloadavg()[0]
    clock = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="amplify-dev-bench-"))
    stack = Stack(workdir)
    if args.lazy_workers is not None:
        stack.bot_extra_env["AMPLIFY_DEV_LAZY_WORKERS"] = str(args.lazy_workers)
    phases = Phases(stack, args)
    try:
        print("· starting moto and the fake Slack", file=sys.stderr, flush=True)
        stack.start_fakes()
        print(f"· start-up ×{args.startup_trials}", file=sys.stderr, flush=True)
        phases.startup()
        print(f"· {args.single} flows one at a time (+{args.console} console)", file=sys.stderr, flush=True)
        done = phases.single()
        print(f"· burst: {args.burst} users, {args.concurrency} concurrent", file=sys.stderr, flush=True)
        phases.burst()
        print(f"· rotate and remove ×{args.rotate}", file=sys.stderr, flush=True)
        phases.rotate_remove(done)
        print("· restart on the filled store", file=sys.stderr, flush=True)
        phases.restart()
        if args.profile and not shutil.which("py-spy"):
            phases.results.notes.append(
                "--profile skipped: py-spy is not installed (pip install -r bench/requirements.txt)"
            )
        elif args.profile:
            print("· profiling start-up and a second burst", file=sys.stderr, flush=True)
            run_profile(phases)
    except BaseException:
        print(f"benchmark failed; logs in {workdir}", file=sys.stderr)
        raise
    finally:
        stack.stop_all()  # never leave a child process behind, whatever happened
    elapsed = time.perf_counter() - clock
    header = machine_line(started, elapsed, load_before)
    phases.results.notes += stack.notes
    table, details = build_report(phases.results, args)
    print(f"\n{header}\n\n{table}\n\n{details}")
    if not args.no_write:
        write_results(args.out, header, table, details)
        print(f"\nwritten to {args.out}", file=sys.stderr)
    if not args.keep:
        shutil.rmtree(workdir)
    else:
        print(f"work directory kept: {workdir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
