"""On Lambda, `/amplify-dev breakglass` is acknowledged like every verb: nothing of the workflow is imported or
built for the ack (the grant, the posts and the DMs run in the lazy half, Bolt's self-invocation)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from playground.slack_api import FakeSlack
from tests.conftest import CHANNEL, DEV, LEAD, SIGNING_SECRET
from tests.serverless.test_init_phase import CONTAINER_SCRIPT, container_env

BREAKGLASS_SCRIPT = CONTAINER_SCRIPT.replace('"text": "request testing"', '"text": "breakglass prod is down, fixing"')


def test_the_breakglass_ack_needs_no_workflow_and_hands_the_work_to_the_lazy_half(
    slack: FakeSlack, tmp_path: Path
) -> None:
    assert BREAKGLASS_SCRIPT != CONTAINER_SCRIPT
    env = container_env(
        AWS_LAMBDA_FUNCTION_NAME="amplify-dev-bot",
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.url,
        AMPLIFY_DEV_APPROVAL_CHANNEL=CHANNEL,
        AMPLIFY_DEV_APPROVERS=LEAD,
        AMPLIFY_DEV_DYNAMODB_TABLE="amplify-dev-never-reached",
        AMPLIFY_DEV_BREAKGLASS_HOURS="4",
        AMPLIFY_DEV_BREAKGLASS_USERS=DEV,
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", BREAKGLASS_SCRIPT, SIGNING_SECRET],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["status"] == 200 and seen["invoked"] == 1  # acknowledged, the lazy half invoked
    assert not seen["workflow_built"] and seen["loaded"] == []
