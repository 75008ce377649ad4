"""One Lambda container start, run by bench/lambda_cold_start.py in a fresh interpreter (under a CPU quota).

python bench/lambda_child.py bot|floor|restore     the event comes in $BENCH_EVENT (built and signed by the parent)

Prints one JSON line of time.monotonic() readings (the same clock in every process on Linux, so the parent
measures from before it started this process): `imported` once the handler module is imported (which, with
AWS_LAMBDA_FUNCTION_NAME set, is Lambda's init phase: settings, secret, clients, app), `acked` once the first
event's answer is back. `restore` imports and builds, then times the SnapStart after-restore hooks and the first
ack after them (what a container restored from a snapshot does).
"""

import json
import os
import sys
import time


class Context:
    """The two attributes of Lambda's context object that Bolt's adapter reads."""

    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "amplify-dev-bot")
    invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}:live"


def main() -> None:
    mode = sys.argv[1]
    event = json.loads(os.environ["BENCH_EVENT"])
    sys.path.insert(0, os.environ["BENCH_ROOT"])
    if mode == "floor":
        sys.path.insert(0, os.path.join(os.environ["BENCH_ROOT"], "bench"))
        import lambda_floor as module
    else:
        import lambda_handler as module
    imported = time.monotonic()
    extra: dict[str, object] = {}
    if mode == "restore":
        import snapshot_restore_py

        restored = time.monotonic()
        for hook, args, kwargs in snapshot_restore_py._after_restore_registry:  # what the runtime calls
            hook(*args, **kwargs)
        extra = {"restored": restored, "hooks_done": time.monotonic()}
    answer = module.handler(event, Context())
    acked = time.monotonic()
    if answer.get("statusCode") != 200:
        raise SystemExit(f"not acknowledged: {answer}")
    steps = getattr(module, "INIT_STEPS", None)
    print(json.dumps({"imported": imported, "acked": acked, "steps": steps, **extra}))


if __name__ == "__main__":
    main()
