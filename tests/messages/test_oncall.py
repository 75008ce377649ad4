"""Reminders, break-glass and Amplify sandboxes in Block Kit: compared as to_dict(), user text never as mrkdwn."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from messages.grant import CredentialKind, GrantDescription
from messages.oncall import (
    BREAKGLASS_ACK_ACTION,
    SANDBOX_WITHOUT_ACCESS,
    Acknowledgement,
    BreakGlassUse,
    breakglass_approver_dm,
    breakglass_post,
    last_reminded_line,
    reminder_reply,
    sandbox_advice,
    sandbox_advice_block,
    sandbox_listing_failed_line,
    sandbox_notice_lines,
    sandbox_review_blocks,
)
from tests.messages.fakes import WHEN, Stack

FILED = WHEN
FILED_DATE = "<!date^1796288400^{date_short_pretty} at {time}|2026-12-03T09:00:00+00:00>"
UNTIL = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)
UNTIL_DATE = "<!date^1796302800^{date_short_pretty} at {time}|2026-12-03T13:00:00+00:00>"
GRANT = GrantDescription(
    project="shop",
    credential=CredentialKind.ACCESS_KEY,
    account="111111111111",
    policy_arns=("arn:aws:iam::aws:policy/AdministratorAccess-Amplify",),
)
USE = BreakGlassUse(
    request_id="r-123",
    user_id="U0DEV",
    reason="checkout is down <!channel> *now*",
    hours=4,
    expires_at=UNTIL,
    grant=GRANT,
    approval_channel="C0LEADS",
)


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": False}


def dicts(blocks: list[Any]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]


def test_a_reminder_names_the_user_group_and_the_listed_approvers() -> None:
    reply = reminder_reply(
        requester="U0DEV", approver_user_ids=["U0LEAD"], approver_group_ids=["S0LEADS"], filed_at=FILED, number=2
    )
    text = (
        f":bell: <!subteam^S0LEADS>, <@U0LEAD>: <@U0DEV>'s access request from {FILED_DATE} is still waiting for "
        "a decision. Approve or deny it above."
    )
    assert reply.text == text
    assert dicts(reply.blocks) == [
        {"type": "section", "text": mrkdwn(text)},
        {"type": "context", "elements": [mrkdwn("Reminder 2 of 4.")]},
    ]


def test_an_extension_reminder_says_so_and_without_approvers_asks_the_leads() -> None:
    reply = reminder_reply(
        requester="U0DEV", approver_user_ids=[], approver_group_ids=[], filed_at=FILED, number=1, extension=True
    )
    assert reply.text.startswith(":bell: the leads: <@U0DEV>'s extension from ")


def test_the_status_line_says_when_the_leads_were_last_reminded() -> None:
    assert last_reminded_line(None, 0) == "The leads have not been reminded yet."
    assert last_reminded_line(FILED, 3) == f"Leads last reminded {FILED_DATE} (3 of 4 reminders)."


def test_the_break_glass_post_is_loud_shows_the_grant_and_carries_acknowledge() -> None:
    blocks = dicts(breakglass_post(USE).blocks)
    assert blocks[0] == {
        "type": "section",
        "text": mrkdwn(
            f":rotating_light: *Break-glass:* <@U0DEV> took access to `shop` *without approval*, for 4 hours "
            f"(until {UNTIL_DATE}). Request `r-123`."
        ),
    }
    assert blocks[2] == {"type": "section", "text": plain("checkout is down <!channel> *now*")}
    assert blocks[3] == {"type": "context", "elements": [mrkdwn("*What approving grants*")]}
    assert blocks[-2] == {"type": "context", "elements": [mrkdwn("Not yet acknowledged by a lead.")]}
    [button] = blocks[-1]["elements"]
    assert (button["action_id"], button["value"], button["text"]["text"]) == (
        BREAKGLASS_ACK_ACTION,
        "r-123",
        "Acknowledge",
    )
    assert BREAKGLASS_ACK_ACTION == "amplify_dev_breakglass_ack"


def test_once_acknowledged_the_post_names_the_lead_and_loses_its_button() -> None:
    acked = breakglass_post(USE, Acknowledgement(by="U0LEAD", at=FILED))
    blocks = dicts(acked.blocks)
    assert blocks[-1] == {
        "type": "context",
        "elements": [mrkdwn(f":white_check_mark: Acknowledged by <@U0LEAD> on {FILED_DATE}.")],
    }
    assert not any(b["type"] == "actions" for b in blocks)
    assert blocks[:-1] == dicts(breakglass_post(USE).blocks)[:-2]  # the same story, minus the button


def test_every_approver_is_told_by_dm_where_to_acknowledge() -> None:
    dm = breakglass_approver_dm(USE)
    assert dicts(dm.blocks) == [
        {
            "type": "section",
            "text": mrkdwn(
                f":rotating_light: <@U0DEV> used break-glass on `shop`: access without approval until {UNTIL_DATE}. "
                "Review it and press *Acknowledge* on the post in <#C0LEADS>; you can remove the access there or "
                "with `/amplify-dev remove`."
            ),
        },
        {"type": "context", "elements": [mrkdwn("*Reason*")]},
        {"type": "section", "text": plain("checkout is down <!channel> *now*")},
    ]
    assert "<!channel>" not in dm.text


def test_the_dm_advises_the_sandbox_identifier() -> None:
    assert dicts(sandbox_advice_block("dana-u0dev", name="dana-u0dev")) == [
        {
            "type": "section",
            "text": mrkdwn(
                "*Amplify Gen 2 sandbox*: use `dana-u0dev` as its identifier (your IAM user name), so the leads can "
                "find it and have it deleted when your access ends:\n"
                "`npx ampx sandbox --profile amplify-dev --identifier dana-u0dev`"
            ),
        }
    ]
    assert "the name amplify-dev knows you by" in (sandbox_advice("dana-u0dev", identity_center=True) or "")
    assert sandbox_advice_block(None) == []


def test_a_name_longer_than_ampx_takes_is_shortened_and_the_dm_says_so() -> None:
    advice = sandbox_advice("janed-u012ab3cd", name="jane.doe-u012ab3cd") or ""

    assert "your IAM user name `jane.doe-u012ab3cd` made to fit `ampx`" in advice
    assert (
        "at most 15 letters, digits and dashes: its other characters dropped and cut at the front, keeping the "
        "Slack ID at its end" in advice
    )
    only_dots = sandbox_advice("danadev-udev", name="dana.dev-udev") or ""
    assert "its other characters dropped)" in only_dots and "cut at the front" not in only_dots
    assert advice.endswith("`npx ampx sandbox --profile amplify-dev --identifier janed-u012ab3cd`")


def test_the_removal_notice_names_each_stack_with_the_command_that_deletes_it() -> None:
    name = "amplify-shop-janedu012ab3cd-sandbox-0123456789"
    assert sandbox_notice_lines("U0DEV", [Stack(name)]) == [
        ":package: <@U0DEV> still has 1 Amplify sandbox stack (a cost until deleted; amplify-dev deletes "
        "nothing). Delete each with:",
        f"• `{name}` (eu-west-1, created {FILED_DATE}, CREATE_COMPLETE): "
        f"`aws cloudformation delete-stack --stack-name {name} --region eu-west-1`",
    ]
    assert sandbox_notice_lines("U0DEV", []) == []
    assert "AccessDenied" in sandbox_listing_failed_line("U0DEV", "cloudformation:ListStacks", "AccessDenied")


def test_the_review_flags_sandboxes_of_people_without_access_and_caps_the_list() -> None:
    stacks = [Stack(f"amplify-app{n}-alice-sandbox-000000000{n}") for n in range(7)]
    [block] = dicts(sandbox_review_blocks([("U0GONE", stacks), ("U0NONE", [])]))
    lines = block["text"]["text"].split("\n")
    assert lines[0] == f":warning: *{SANDBOX_WITHOUT_ACCESS}*: <@U0GONE>"
    assert SANDBOX_WITHOUT_ACCESS == "sandbox of someone without access"
    assert len(lines) == 1 + 5 + 1 and lines[-1] == "• and 2 more (`aws cloudformation list-stacks`)"


def test_the_review_has_a_flag_for_break_glass_not_yet_acknowledged() -> None:
    from messages.review import Flag

    assert (Flag.BREAKGLASS.value, Flag.BREAKGLASS.label) == (
        "breakglass_unacknowledged",
        "break-glass, not yet acknowledged",
    )
