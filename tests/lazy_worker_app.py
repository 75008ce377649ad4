"""What a lazy-listener worker process builds in tests/test_lazy_workers.py (the name the runner is given).

The bot's worker app (bot.build_lazy_worker_app), with its settings from the environment the test set, except that
IAM is moto inside the worker (each worker process has its own, as --sandbox does), and that a worker dies at once
(os._exit, no clean-up, as a killed process does) when it is about to make the IAM call named by
AMPLIFY_DEV_TEST_CRASH_ON while the file AMPLIFY_DEV_TEST_CRASH_MARKER exists (removed first: only one worker dies).
"""

from __future__ import annotations

import os
from typing import Any

from slack_bolt import App


def build() -> App:
    """The worker's app, built as bot.build_lazy_worker_app builds it, on an in-process moto."""
    import bot
    from ops import sandbox

    real_start = sandbox.start_sandbox_iam

    def start_iam(region: str, **kwargs: Any) -> Any:
        client = real_start(region, **kwargs)
        action, marker = os.environ.get("AMPLIFY_DEV_TEST_CRASH_ON"), os.environ.get("AMPLIFY_DEV_TEST_CRASH_MARKER")
        if action and marker:

            def crash(**_: Any) -> None:
                if os.path.exists(marker):
                    os.remove(marker)
                    os._exit(17)

            client.meta.events.register(f"before-call.iam.{action}", crash)
        return client

    sandbox.start_sandbox_iam = start_iam
    return bot.build_lazy_worker_app(sandbox=True)
