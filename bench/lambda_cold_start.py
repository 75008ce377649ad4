"""Benchmark row: a Lambda cold start at the CPU share Lambda gives the template's memory size.

python bench/lambda_cold_start.py [--memory 512 --memory 1024] [--runs 5]

Each run is a fresh interpreter, started inside a cgroup-v1 CPU quota of memory / 1,769 of one core (Lambda
gives one vCPU at 1,769 MB; `--memory` defaults to template.yaml's MemorySize), timed from just before the
process starts to the first ack of a signed `/amplify-dev request` Function URL event (bench/lambda_child.py):
- **bot**: `lambda_handler` as template.yaml deploys it (AWS_LAMBDA_FUNCTION_NAME set, so the import is Lambda's
  init phase): the Slack tokens read from a Secrets Manager secret, the DynamoDB store, and Bolt's real
  self-invocation, a Lambda Invoke call answered by a local HTTP endpoint (AWS_ENDPOINT_URL_LAMBDA);
- **floor**: a bare Bolt Lambda handler reading the same secret, with one lazy listener (bench/lambda_floor.py),
  in the same run, alternating with the bot's starts;
- **restore**: the bot already imported and built, then the SnapStart after-restore hooks and the first ack
  (what a container restored from a snapshot runs; the restore itself is Lambda's and is not measured here).
moto's server (bench/moto_server.py: DynamoDB, Secrets Manager) and the fake Slack (bench/fake_slack.py) run
outside the quota. One more start of each under `-X importtime` says what dominates the import. Where the
cgroup CPU controller is missing (or not writable), it says so and runs unthrottled.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.workspace import SIGNING_SECRET  # noqa: E402

CGROUP_CPU = Path("/sys/fs/cgroup/cpu")
FULL_CORE_MB = 1769  # AWS: a function has the equivalent of one vCPU at 1,769 MB
PERIOD_US = 100_000
TABLE = "amplify-dev-bench"
FUNCTION = "amplify-dev-bench-bot"
MODES = ("bot", "floor")


def template_memory() -> int:
    """The Function's MemorySize in template.yaml (a parameter's default when it is a !Ref)."""
    text = (ROOT / "template.yaml").read_text()
    match = re.search(r"^      MemorySize: (.+?)[ \t]*$", text, re.M)
    assert match, "no MemorySize in template.yaml"
    value = match.group(1)
    if value.isdigit():
        return int(value)
    name = value.removeprefix("!Ref").strip()
    default = re.search(rf"^  {name}:\n(?:    .*\n)*?    Default: (\d+)", text, re.M)
    assert default, f"no default for {name} in template.yaml"
    return int(default.group(1))


class Quota:
    """A cgroup-v1 CPU group limited to `memory_mb`'s share of one core, or nothing where that is impossible."""

    def __init__(self, memory_mb: int) -> None:
        self.share = min(memory_mb / FULL_CORE_MB, 1.0)
        self.path: Path | None = CGROUP_CPU / f"amplify-dev-bench-{os.getpid()}-{memory_mb}"
        self.problem = ""
        try:
            self.path.mkdir(exist_ok=True)
            (self.path / "cpu.cfs_period_us").write_text(str(PERIOD_US))
            (self.path / "cpu.cfs_quota_us").write_text(str(int(self.share * PERIOD_US)))
        except OSError as e:
            self.problem = f"no cgroup-v1 CPU controller at {CGROUP_CPU} ({e.strerror}): ran unthrottled"
            self.path = None

    def enter(self) -> None:
        """In the child, between fork and exec: join the group (the interpreter's own start-up counts too)."""
        if self.path is not None:
            (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def close(self) -> None:
        if self.path is not None:
            with suppress(OSError):
                self.path.rmdir()

    def describe(self) -> str:
        if self.path is None:
            return self.problem
        return f"cpu.cfs_quota_us={int(self.share * PERIOD_US)} per cpu.cfs_period_us={PERIOD_US}"


class FakeLambda:
    """Lambda's Invoke API on 127.0.0.1: answers Bolt's asynchronous self-invocation (202) and counts it."""

    def __init__(self) -> None:
        self.invocations = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if "/functions/" in self.path and self.path.endswith("/invocations"):
                    outer.invocations += 1
                    self.send_response(202)
                else:
                    self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def start(script: str, env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / script)], stdout=subprocess.PIPE, text=True, env=env)  # noqa: S603
    line = proc.stdout.readline() if proc.stdout else ""
    assert line.startswith("READY "), line
    return proc, line.split()[1]


def signed_event() -> str:
    """A Function URL (payload 2.0) event carrying a signed `/amplify-dev request`, as JSON."""
    from slack_sdk.signature import SignatureVerifier

    body = urlencode(
        {
            "command": "/amplify-dev",
            "text": "request bench",
            "user_id": "UDEV",
            "user_name": "dev",
            "team_id": "T0TEAM",
            "channel_id": "C0GENERAL",
            "response_url": "http://127.0.0.1:9/r",
            "trigger_id": "t",
        }
    )
    ts = str(int(time.time()))
    return json.dumps(
        {
            "version": "2.0",
            "headers": {
                "content-type": "application/x-www-form-urlencoded",
                "x-slack-request-timestamp": ts,
                "x-slack-signature": SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=ts, body=body),
            },
            "requestContext": {"http": {"method": "POST", "path": "/"}},
            "body": body,
            "isBase64Encoded": False,
        }
    )


@contextmanager
def fakes() -> Iterator[tuple[dict[str, str], FakeLambda]]:
    """moto (DynamoDB table, the Slack secret), the fake Slack and the fake Lambda API; the child's environment."""
    import boto3

    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SLACK_", "AMPLIFY_DEV_"))}
    base.pop("PYTHONPATH", None)
    aws = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    moto, moto_url = start("moto_server.py", {**base, **aws})
    slack, slack_url = start("fake_slack.py", base)
    lam = FakeLambda()
    try:
        secret = boto3.client(
            "secretsmanager", endpoint_url=moto_url, region_name="us-east-1", **_keys()
        ).create_secret(
            Name="amplify-dev-bench",
            SecretString=json.dumps({"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SIGNING_SECRET}),
        )
        env = {
            **base,
            **aws,
            # What Lambda sets in every container (the first is what lambda_handler builds at import on).
            "AWS_LAMBDA_FUNCTION_NAME": FUNCTION,
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": moto_url,
            "AWS_ENDPOINT_URL_LAMBDA": lam.url,
            # What template.yaml sets.
            "AMPLIFY_DEV_SLACK_SECRET_ARN": secret["ARN"],
            "AMPLIFY_DEV_DYNAMODB_TABLE": TABLE,
            "AMPLIFY_DEV_APPROVAL_CHANNEL": "C0APPROVE",
            "AMPLIFY_DEV_APPROVERS": "ULEAD",
            "AMPLIFY_DEV_POLICY_ARNS": "arn:aws:iam::aws:policy/AdministratorAccess-Amplify",
            "AMPLIFY_DEV_LOG_LEVEL": "INFO",
            "AMPLIFY_DEV_LOG_FORMAT": "json",
            "SLACK_API_URL": slack_url.rstrip("/") + "/",
            "BENCH_ROOT": str(ROOT),
        }
        subprocess.run([sys.executable, "bot.py", "create-table"], cwd=ROOT, env=env, check=True, capture_output=True)
        yield env, lam
    finally:
        lam.server.shutdown()
        moto.terminate()
        slack.terminate()
        moto.wait(10)
        slack.wait(10)


def _keys() -> dict[str, str]:
    return {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}  # moto accepts any


def run_child(mode: str, env: dict[str, str], quota: Quota, *, importtime: bool = False) -> dict:
    """One fresh container start in the quota; times in seconds from just before the process started."""
    env = env | {"BENCH_EVENT": signed_event()}
    command = [
        sys.executable,
        *(["-X", "importtime"] if importtime else []),
        str(ROOT / "bench" / "lambda_child.py"),
        mode,
    ]
    t0 = time.monotonic()
    out = subprocess.run(  # noqa: S603 (our own interpreter and script)
        command, env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True, preexec_fn=quota.enter, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"{mode} start failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    row = {"total": result["acked"] - t0, "import": result["imported"] - t0, "steps": result.get("steps")}
    if mode == "restore":
        row["restore"] = result["acked"] - result["restored"]
        row["hooks"] = result["hooks_done"] - result["restored"]
    if importtime:
        row["importtime"] = out.stderr
    return row


def top_imports(trace: str, limit: int = 8) -> list[tuple[str, float]]:
    """Where one `-X importtime` trace spent its time: each module's own (self) time, summed by top-level package."""
    spent: dict[str, int] = {}
    for line in trace.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            package = match.group(2).split(".")[0]
            spent[package] = spent.get(package, 0) + int(match.group(1))
    return [(name, us / 1e6) for name, us in sorted(spent.items(), key=lambda kv: -kv[1])[:limit]]


def imported_modules(trace: str, prefixes: tuple[str, ...]) -> list[str]:
    """Which of the project's packages the traced start imported at all."""
    found = set()
    for line in trace.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+\d+ \|\s*(\S+)", line)
        if match and match.group(1).split(".")[0] in prefixes:
            found.add(match.group(1).split(".")[0])
    return sorted(found)


def summary(values: list[float]) -> str:
    return f"best {min(values):.3f} s · median {statistics.median(values):.3f} s"


def measure(memory: int, runs: int, env: dict[str, str], lam: FakeLambda) -> dict:
    """`runs` starts of the bot and the floor, alternating, then the restore path, then one traced start each."""
    quota = Quota(memory)
    try:
        rows: dict[str, list[dict]] = {mode: [] for mode in (*MODES, "restore")}
        for _ in range(runs):
            for mode in MODES:
                before = lam.invocations
                rows[mode].append(run_child(mode, env, quota))
                # The ack included the self-invocation (Bolt makes it before the handler returns).
                assert lam.invocations == before + 1, f"{mode}: {lam.invocations - before} Invoke calls"
        for _ in range(runs):
            rows["restore"].append(run_child("restore", env, quota))
        traced = {mode: run_child(mode, env, quota, importtime=True) for mode in MODES}
        return {"memory": memory, "quota": quota.describe(), "rows": rows, "traced": traced}
    finally:
        quota.close()


def report(result: dict) -> str:
    rows, traced = result["rows"], result["traced"]
    bot = [r["total"] for r in rows["bot"]]
    floor = [r["total"] for r in rows["floor"]]
    lines = [
        f"### {result['memory']} MB ({result['quota']}), {len(bot)} starts each",
        "",
        "| start | process start → first ack | of which import (init phase) |",
        "|---|---|---|",
        f"| bot (`lambda_handler`) | {summary(bot)} | {summary([r['import'] for r in rows['bot']])} |",
        f"| floor (bare Bolt + secret) | {summary(floor)} | {summary([r['import'] for r in rows['floor']])} |",
        f"| ratio bot / floor | best {min(bot) / min(floor):.2f} · median {statistics.median(bot) / statistics.median(floor):.2f} | |",
        f"| SnapStart restore path: after-restore hooks + first ack | {summary([r['restore'] for r in rows['restore']])} (hooks: {summary([r['hooks'] for r in rows['restore']])}) | |",
        "",
    ]
    steps = rows["bot"][0].get("steps")
    if steps:
        lines.append(
            "bot's init steps (first start): " + ", ".join(f"{name} {sec * 1000:.0f} ms" for name, sec in steps)
        )
    for mode in MODES:
        top = top_imports(traced[mode]["importtime"])
        lines.append(
            f"{mode}'s import time by package (`-X importtime` self times summed, one start in the quota): "
            + ", ".join(f"{n} {s:.3f} s" for n, s in top)
        )
    project = imported_modules(
        traced["bot"]["importtime"],
        ("iam", "identity_center", "ops", "moto", "playground", "workflow", "messages", "store", "handlers"),
    )
    lines.append(f"project packages the bot's start imported: {', '.join(project)}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory", type=int, action="append", help="MB (repeatable); default: template.yaml's")
    parser.add_argument("--runs", type=int, default=5, help="starts per configuration (default 5)")
    args = parser.parse_args()
    memories = args.memory or [template_memory()]
    load = os.getloadavg()
    print(
        f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; Python {sys.version.split()[0]}", flush=True
    )
    with fakes() as (env, lam):
        for memory in memories:
            result = measure(memory, args.runs, env, lam)
            print(report(result), flush=True)
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
