"""`python bot.py --playground` with AMPLIFY_DEV_CREDENTIALS=sign-in: the switch that shows the keyless kind, its
Sign-In calls answered by the local fake (playground.signin_api)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.playground.support import conversation, message_with_button, running_playground


def test_the_playground_shows_sign_in_credentials_and_no_key(tmp_path: Path) -> None:
    with running_playground(tmp_path, {"AMPLIFY_DEV_CREDENTIALS": "sign-in"}) as playground:
        assert "Credentials: sign-in" in "".join(playground.output)
        playground.api("command", user="U0DEV", text="request trying sign-in")
        lead = playground.wait_state("U0LEAD1", lambda s: message_with_button(s, "channel", "amplify_dev_approve"))
        request = message_with_button(lead, "channel", "amplify_dev_approve")
        playground.api("click", user="U0LEAD1", channel="C0LEADS", ts=request["ts"], action_id="amplify_dev_approve")
        show = message_with_button(playground.state("U0DEV"), "dm", "amplify_dev_show_credentials")
        assert show is not None
        playground.api("click", user="U0DEV", channel="DU0DEV", ts=show["ts"], action_id="amplify_dev_show_credentials")
        shown = json.dumps(conversation(playground.state("U0DEV"), "dm")["messages"])
        assert "aws login --profile amplify-dev" in shown and "Temporary password" in shown
        assert "Secret access key" not in shown and "aws_access_key_id" not in shown

        playground.api("command", user="U0DEV", text="remove")
        channel = json.dumps(conversation(playground.state("U0LEAD1"), "channel")["messages"])
        assert "0 `aws login` sessions were ended" in channel  # the fake Sign-In answered ListSessions
