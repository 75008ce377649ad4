"""Benchmark row: Lambda cold start. A fresh interpreter imports lambda_handler, builds the container (settings,
clients, app) and answers one signed `/amplify-dev request` Function URL event through handler(); moto (server
mode, another process: DynamoDB + IAM) and the fake Slack stand in for AWS and Slack. The lazy self-invocation is
dropped: it runs in another invocation, after the ack. Prints import / init / first-ack times and, with
`-X importtime`, the modules that dominate the import.

python bench/lambda_cold_start.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-signing-secret"  # noqa: S105 (signs fake requests to a fake)
TABLE = "amplify-dev-bench"


def child() -> None:
    """The fresh interpreter: what a Lambda container does on its first event."""
    started = time.perf_counter()
    import lambda_handler

    imported = time.perf_counter()
    bot = lambda_handler.current()
    from slack_bolt.adapter.aws_lambda.lazy_listener_runner import LambdaLazyListenerRunner

    class Dropped:
        def invoke(self, **_: object) -> dict[str, int]:
            return {"StatusCode": 202}

    bot.app.listener_runner.lazy_listener_runner = LambdaLazyListenerRunner(bot.slack.logger, lambda_client=Dropped())
    built = time.perf_counter()
    from slack_sdk.signature import SignatureVerifier

    body = urlencode(
        {
            "command": "/amplify-dev",
            "text": "request bench",
            "user_id": "UDEV",
            "team_id": "T0TEAM",
            "channel_id": "C0GENERAL",
            "response_url": "http://127.0.0.1:9/r",
            "trigger_id": "t",
        }
    )
    ts = str(int(time.time()))
    event = {
        "version": "2.0",
        "headers": {
            "content-type": "application/x-www-form-urlencoded",
            "x-slack-request-timestamp": ts,
            "x-slack-signature": SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body),
        },
        "requestContext": {"http": {"method": "POST", "path": "/"}},
        "body": body,
        "isBase64Encoded": False,
    }

    class Context:
        function_name = "amplify-dev"
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:amplify-dev"

    answer = lambda_handler.handler(event, Context())
    acked = time.perf_counter()
    assert answer["statusCode"] == 200, answer
    print(json.dumps({"import": imported - started, "init": built - imported, "ack": acked - built}))


def start(script: str, env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, str(ROOT / "bench" / script)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)  # noqa: S603
    line = proc.stdout.readline() if proc.stdout else ""
    assert line.startswith("READY "), line
    return proc, line.split()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SLACK_", "AMPLIFY_DEV_"))}
    env.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"})
    moto, moto_url = start("moto_server.py", env)
    slack, slack_url = start("fake_slack.py", env)
    try:
        env.update(
            {
                "AWS_ENDPOINT_URL": moto_url,
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": slack_url.rstrip("/") + "/",
                "AMPLIFY_DEV_APPROVAL_CHANNEL": "C0APPROVE",
                "AMPLIFY_DEV_APPROVERS": "ULEAD",
                "AMPLIFY_DEV_DYNAMODB_TABLE": TABLE,
                "PYTHONPATH": str(ROOT),
            }
        )
        subprocess.run([sys.executable, "bot.py", "create-table"], cwd=ROOT, env=env, check=True, capture_output=True)
        runs = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            out = subprocess.run(  # noqa: S603
                [sys.executable, __file__, "--child"],
                cwd=tempfile.gettempdir(),
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            total = time.perf_counter() - t0
            runs.append({**json.loads(out.stdout.strip().splitlines()[-1]), "process": total})
        traced = subprocess.run(  # noqa: S603
            [sys.executable, "-X", "importtime", __file__, "--child"],
            cwd=tempfile.gettempdir(),
            env=env,
            capture_output=True,
            text=True,
        )
    finally:
        moto.terminate()
        slack.terminate()
    best = min(runs, key=lambda r: r["process"])
    median = sorted(runs, key=lambda r: r["process"])[len(runs) // 2]
    print(f"runs: {len(runs)}; median whole process (interpreter start to first ack): {median['process']:.3f} s")
    for name in ("import", "init", "ack"):
        print(f"  {name}: median {sorted(r[name] for r in runs)[len(runs) // 2]:.3f} s (best {best[name]:.3f} s)")
    top: dict[str, int] = {}
    for line in traced.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if match and len(match.group(2)) <= 3:  # top-level imports only
            top[match.group(3)] = max(top.get(match.group(3), 0), int(match.group(1)))
    print("largest top-level imports (cumulative, one traced run):")
    for name, us in sorted(top.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {name}: {us / 1e6:.3f} s")


if __name__ == "__main__":
    if "--child" in sys.argv:
        sys.path.insert(0, str(ROOT))
        child()
    else:
        main()
