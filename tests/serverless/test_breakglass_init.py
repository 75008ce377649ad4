"""On Lambda, `/amplify-dev breakglass` is acknowledged like every verb: nothing of the workflow is imported or
built for the ack (the grant, the posts and the DMs run in the lazy half, Bolt's self-invocation)."""

from __future__ import annotations

from pathlib import Path

from playground.slack_api import FakeSlack
from tests.conftest import DEV
from tests.serverless.test_init_phase import CONTAINER_SCRIPT, run_container

BREAKGLASS_SCRIPT = CONTAINER_SCRIPT.replace('"text": "request testing"', '"text": "breakglass prod is down, fixing"')


def test_the_breakglass_ack_needs_no_workflow_and_hands_the_work_to_the_lazy_half(
    slack: FakeSlack, tmp_path: Path
) -> None:
    assert BREAKGLASS_SCRIPT != CONTAINER_SCRIPT
    seen = run_container(
        BREAKGLASS_SCRIPT, tmp_path, slack.url, AMPLIFY_DEV_BREAKGLASS_HOURS="4", AMPLIFY_DEV_BREAKGLASS_USERS=DEV
    )
    assert seen["status"] == 200 and seen["invoked"] == 1  # acknowledged, the lazy half invoked
    assert not seen["workflow_built"] and seen["loaded"] == []
