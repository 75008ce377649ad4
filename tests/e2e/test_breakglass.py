"""Break-glass end to end through signed requests: `/amplify-dev breakglass <reason>` grants at once, loudly, with
the expiry capped and enforced as any grant's; Acknowledge by a lead ends the review's flag, once."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, timedelta
from typing import Any

import pytest

from messages import BREAKGLASS_ACK_ACTION, SHOW_CREDENTIALS_ACTION
from messages.review import REVIEW_REMOVE_ACTION
from store import Credentials, State
from tests.conftest import CHANNEL, DEV, GROUP_LEAD, LEAD, LEAD2, OTHER, Bot, message_text

USER = "dana.dev-udev"
AUDIT = "C0AUDIT"
REASON = "prod checkout is down, hotfixing"
ON = {
    "AMPLIFY_DEV_BREAKGLASS_HOURS": "4",
    "AMPLIFY_DEV_BREAKGLASS_USERS": DEV,
    "AMPLIFY_DEV_AUDIT_CHANNEL": AUDIT,
}


@pytest.fixture
def bg_bot(make_bot: Callable[..., Bot]) -> Bot:
    return make_bot(**ON)


def posts_to(bot: Bot, channel: str) -> list[dict[str, Any]]:
    return [c.params for c in bot.slack.calls_to("chat.postMessage") if c.params.get("channel") == channel]


def buttons(params: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in params.get("blocks") or [] if b.get("type") == "actions" for e in b["elements"]]


def events(bot: Bot, name: str) -> list[Any]:
    return [e for e in bot.workflow.first.ledger.audit.events() if e.event == name]


def expiry_iso(bot: Bot, user: str = USER) -> str:
    document = bot.iam.get_user_policy(UserName=user, PolicyName="amplify-dev-expiry")["PolicyDocument"]
    policy = json.loads(document) if isinstance(document, str) else document
    return policy["Statement"][0]["Condition"]["DateGreaterThan"]["aws:CurrentTime"]


def test_a_listed_user_gets_access_at_once_with_the_expiry_capped_and_enforced(bg_bot: Bot) -> None:
    bg_bot.command(DEV, f"breakglass {REASON}")

    request = bg_bot.store.open_request_for(DEV)
    assert request is not None and request.state == State.ACTIVE and request.breakglass
    assert USER in bg_bot.iam_users()  # no lead clicked anything
    assert request.expires_at == bg_bot.clock.now + timedelta(hours=4)
    assert expiry_iso(bg_bot) == request.expires_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "without approval" in bg_bot.last_reply_text(DEV) and "4 hours" in bg_bot.last_reply_text(DEV)
    # The normal DM with Show credentials, and the key minted on the click as for any grant.
    dm = bg_bot.dms_to(DEV)[-1].params
    assert [b["action_id"] for b in buttons(dm)] == [SHOW_CREDENTIALS_ACTION]
    bg_bot.click(DEV, SHOW_CREDENTIALS_ACTION, request.id, channel=f"D{DEV}")
    assert bg_bot.store.get(request.id).credentials == Credentials.SHOWN
    assert "AKIA" in message_text(bg_bot.ephemerals_to(DEV)[-1].params)


def test_it_is_loud_posts_in_both_channels_a_dm_to_every_approver_and_an_audit_event(bg_bot: Bot) -> None:
    bg_bot.command(DEV, f"breakglass {REASON}")
    request = bg_bot.store.open_request_for(DEV)

    [post] = posts_to(bg_bot, CHANNEL)
    assert [b["text"]["text"] for b in buttons(post)] == ["Acknowledge"]
    assert buttons(post)[0]["value"] == request.id and buttons(post)[0]["action_id"] == BREAKGLASS_ACK_ACTION
    assert REASON in message_text(post) and "without approval" in message_text(post)
    assert request.breakglass_ts  # recorded, to redraw it on Acknowledge
    audit_posts = [message_text(p) for p in posts_to(bg_bot, AUDIT)]
    assert any("Break-glass" in t and REASON in t for t in audit_posts)
    for approver in (LEAD, LEAD2, GROUP_LEAD):  # listed by id and through the user group
        [dm] = bg_bot.dms_to(approver)
        assert "used break-glass" in message_text(dm.params) and f"<#{CHANNEL}>" in message_text(dm.params)
    assert not bg_bot.dms_to(OTHER)
    [taken] = events(bg_bot, "breakglass")
    assert taken.actor == DEV and taken.request_id == request.id and "hours=4" in taken.detail
    assert [e.event for e in events(bg_bot, "provisioned")] == ["provisioned"]
    assert not events(bg_bot, "requested")


def test_fewer_hours_may_be_asked_for_and_more_are_refused(bg_bot: Bot) -> None:
    bg_bot.command(DEV, f"breakglass --hours 5 {REASON}")
    assert bg_bot.store.latest_for(DEV) is None and "1 to 4 hours" in bg_bot.last_reply_text(DEV)
    bg_bot.command(DEV, f"breakglass --hours 2 {REASON}")
    request = bg_bot.store.open_request_for(DEV)
    assert request.expires_at == bg_bot.clock.now + timedelta(hours=2)


@pytest.mark.parametrize(
    ("who", "text", "env", "said"),
    [
        (OTHER, f"breakglass {REASON}", ON, "aren't among the people allowed to use break-glass"),
        (DEV, "breakglass urgent!", ON, "at least 10 characters"),
        (DEV, f"breakglass {REASON}", {}, "not turned on"),
    ],
    ids=["not-listed", "short-reason", "off"],
)
def test_a_refused_break_glass_grants_nothing_and_tells_nobody_else(
    make_bot: Callable[..., Bot], who: str, text: str, env: dict[str, str], said: str
) -> None:
    bot = make_bot(**env)
    bot.command(who, text)
    assert said in bot.last_reply_text(who)
    assert bot.store.latest_for(who) is None and bot.iam_users() == []
    assert not posts_to(bot, CHANNEL) and not bot.dms_to(LEAD)
    [refused] = events(bot, "refused")
    assert refused.actor == who and refused.outcome.startswith("breakglass_")


def test_a_member_of_a_listed_user_group_may_break_the_glass(make_bot: Callable[..., Bot]) -> None:
    bot = make_bot(**{**ON, "AMPLIFY_DEV_BREAKGLASS_USERS": "SONCALL"})
    bot.slack.set_usergroup("SONCALL", [OTHER])
    bot.command(OTHER, f"breakglass {REASON}")
    assert bot.store.open_request_for(OTHER).state == State.ACTIVE
    bot.command(DEV, f"breakglass {REASON}")
    assert bot.store.latest_for(DEV) is None


def test_a_second_submission_and_a_retry_grant_nothing_more(bg_bot: Bot) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda _: bg_bot.command(DEV, f"breakglass {REASON}"), range(2)))
    bg_bot.command(DEV, f"breakglass {REASON}")  # Slack's retry, or a third press

    assert len(bg_bot.store.open_requests_for(DEV)) == 1
    assert bg_bot.iam_users() == [USER]
    assert len(events(bg_bot, "breakglass")) == 1 and len(posts_to(bg_bot, CHANNEL)) == 1
    assert len(bg_bot.dms_to(LEAD)) == 1 and len(bg_bot.dms_to(DEV)) == 1
    assert "Break-glass was not used: you already have an open request" in bg_bot.last_reply_text(DEV)


def test_the_review_flags_it_until_a_lead_acknowledges_and_only_a_lead_may(bg_bot: Bot) -> None:
    bg_bot.command(DEV, f"breakglass {REASON}")
    request = bg_bot.store.open_request_for(DEV)
    bg_bot.command(LEAD, "review")
    assert "break-glass, not yet acknowledged" in bg_bot.last_reply_text(LEAD)

    bg_bot.click(DEV, BREAKGLASS_ACK_ACTION, request.id)
    assert "can't acknowledge your own" in bg_bot.last_reply_text(DEV)
    bg_bot.click(OTHER, BREAKGLASS_ACK_ACTION, request.id)
    assert "Only the leads" in bg_bot.last_reply_text(OTHER)
    assert bg_bot.store.get(request.id).breakglass_acked_by is None and not events(bg_bot, "breakglass_acknowledged")

    bg_bot.click(LEAD, BREAKGLASS_ACK_ACTION, request.id)
    acknowledged = bg_bot.store.get(request.id)
    assert acknowledged.breakglass_acked_by == LEAD and acknowledged.breakglass_acked_at == bg_bot.clock.now
    [update] = bg_bot.slack.calls_to("chat.update")
    assert update.params["ts"] == request.breakglass_ts and update.params["channel"] == CHANNEL
    assert "Acknowledged by" in message_text(update.params) and not buttons(update.params)
    [event] = events(bg_bot, "breakglass_acknowledged")
    assert event.actor == LEAD and event.request_id == request.id
    bg_bot.command(LEAD, "review")
    assert "break-glass, not yet acknowledged" not in bg_bot.last_reply_text(LEAD)
    assert acknowledged.state == State.ACTIVE  # acknowledging ends the flag, not the access


def test_a_break_glass_that_ended_unacknowledged_stays_flagged_in_the_review_until_a_lead_acknowledges(
    bg_bot: Bot,
) -> None:
    bg_bot.command(DEV, f"breakglass {REASON}")
    request = bg_bot.store.open_request_for(DEV)
    bg_bot.clock.advance(hours=4, minutes=1)
    bg_bot.workflow.sweep()
    assert bg_bot.store.get(request.id).state == State.EXPIRED and USER not in bg_bot.iam_users()
    bg_bot.command(LEAD, "review")
    review = bg_bot.last_reply_text(LEAD)
    assert "break-glass, not yet acknowledged" in review and "still listed until a lead acknowledges" in review
    assert "0 active grants, 1 flagged" in review and "access expired" in review
    assert REVIEW_REMOVE_ACTION not in json.dumps(bg_bot.replies_to(LEAD)[-1])  # nothing left to remove

    bg_bot.click(LEAD, BREAKGLASS_ACK_ACTION, request.id)
    assert bg_bot.store.get(request.id).breakglass_acked_by == LEAD
    bg_bot.command(LEAD, "review")
    assert "not yet acknowledged*" not in bg_bot.last_reply_text(LEAD)
    assert "Nobody holds access right now" in bg_bot.last_reply_text(LEAD)


def test_two_leads_acknowledging_at_once_make_one_acknowledgement(bg_bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    bg_bot.command(DEV, f"breakglass {REASON}")
    request = bg_bot.store.open_request_for(DEV)
    # Both clicks read the request (not yet acknowledged) before either writes: only the compare-and-set decides.
    both_read = threading.Barrier(2, timeout=10)
    read = bg_bot.workflow.for_request

    def read_then_wait(request_id: str) -> Any:
        found = read(request_id)
        both_read.wait()
        return found

    monkeypatch.setattr(bg_bot.workflow, "for_request", read_then_wait)
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda lead: bg_bot.click(lead, BREAKGLASS_ACK_ACTION, request.id), [LEAD, LEAD2]))
    assert len(events(bg_bot, "breakglass_acknowledged")) == 1
    assert len(bg_bot.slack.calls_to("chat.update")) == 1
    winner = bg_bot.store.get(request.id).breakglass_acked_by
    loser = LEAD2 if winner == LEAD else LEAD
    assert "already acknowledged" in bg_bot.last_reply_text(loser)


def test_the_sweep_ends_it_when_the_hours_are_over(bg_bot: Bot) -> None:
    bg_bot.command(DEV, f"breakglass {REASON}")
    request = bg_bot.store.open_request_for(DEV)
    bg_bot.clock.advance(hours=4, minutes=1)
    bg_bot.workflow.sweep()
    assert bg_bot.store.get(request.id).state == State.EXPIRED and USER not in bg_bot.iam_users()


def test_a_run_cut_short_after_filing_is_finished_by_recovery_loudly(
    bg_bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workflow import deciding

    def crash(*_: Any, **__: Any) -> None:
        raise SystemExit("the process died")

    with monkeypatch.context() as patch:
        patch.setattr(deciding, "provision", crash)
        with pytest.raises(SystemExit):
            from workflow import breakglass

            breakglass.break_glass(bg_bot.workflow.first, DEV, "T0TEAM", REASON)
    filed = bg_bot.store.open_request_for(DEV)
    assert filed.state == State.APPROVED and not posts_to(bg_bot, CHANNEL)

    bg_bot.workflow.recover()

    recovered = bg_bot.store.get(filed.id)
    assert recovered.state == State.ACTIVE and recovered.expires_at == filed.expires_at  # not extended by the crash
    assert len(posts_to(bg_bot, CHANNEL)) == 1 and bg_bot.dms_to(LEAD) and bg_bot.dms_to(DEV)


def test_the_help_lists_the_command_only_when_it_is_on(make_bot: Callable[..., Bot]) -> None:
    on = make_bot(**ON)
    response = on.command(DEV, "help")
    assert "breakglass [--console] [--hours N] <reason>" in response.body and "at most 4 hours" in response.body
    off = make_bot()
    assert "breakglass" not in off.command(DEV, "help").body


def test_a_provisioning_failure_grants_nothing_and_tells_the_channel_and_the_developer(bg_bot: Bot) -> None:
    from tests.faults.support import fail_iam

    fail_iam(bg_bot.iam, "CreateUser")
    bg_bot.command(DEV, f"breakglass {REASON}")

    request = bg_bot.store.latest_for(DEV)
    assert request.state == State.FAILED and bg_bot.iam_users() == []
    assert "could not be created" in bg_bot.last_reply_text(DEV)
    assert any(
        "Break-glass by" in message_text(p) and "Nothing was granted" in message_text(p)
        for p in posts_to(bg_bot, CHANNEL)
    )
    assert "could not be created" in message_text(bg_bot.dms_to(DEV)[-1].params)
    assert not any(buttons(p) for p in posts_to(bg_bot, CHANNEL))  # nothing to acknowledge: nothing was granted
    assert [e.event for e in events(bg_bot, "failed")] == ["failed"]


def test_when_the_channel_post_fails_the_access_stays_and_the_developer_is_told_to_tell_the_leads(
    make_bot: Callable[..., Bot],
) -> None:
    bg_bot = make_bot(**{**ON, "AMPLIFY_DEV_AUDIT_CHANNEL": None})  # the approval post is the first post
    bg_bot.slack.fail("chat.postMessage", error="not_in_channel")
    bg_bot.command(DEV, f"breakglass {REASON}")
    request = bg_bot.store.open_request_for(DEV)
    assert request.state == State.ACTIVE and request.breakglass_ts is None
    assert "tell the leads yourself" in bg_bot.last_reply_text(DEV)
    assert bg_bot.dms_to(LEAD)  # the approvers' DMs still went out


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("breakglass --hours many prod is down now", "`--hours` takes a whole number"),
        ("breakglass --fast prod down!!", "`--fast`"),
    ],
)
def test_malformed_options_get_the_usage_and_grant_nothing(bg_bot: Bot, text: str, said: str) -> None:
    response = bg_bot.command(DEV, text)
    assert said in response.body and "breakglass" in response.body
    assert bg_bot.store.latest_for(DEV) is None


def test_console_break_glass_follows_allow_console(make_bot: Callable[..., Bot]) -> None:
    bot = make_bot(**ON, AMPLIFY_DEV_ALLOW_CONSOLE="false")
    bot.command(DEV, f"breakglass --console {REASON}")
    assert "Console access is turned off" in bot.last_reply_text(DEV) and bot.store.latest_for(DEV) is None


def test_status_says_the_access_was_taken_through_break_glass(bg_bot: Bot) -> None:
    bg_bot.command(DEV, f"breakglass {REASON}")
    response = bg_bot.command(DEV, "status")
    assert "taken through break-glass, without approval" in response.body and "approved by" not in response.body
