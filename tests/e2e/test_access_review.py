"""The access review end to end: IAM last-used data (faked where moto cannot), flags, /amplify-dev review, its
Remove button, and the weekly post claimed once across sweeps and replicas."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from messages.review import REVIEW_REMOVE_ACTION, Flag
from playground.slack_api import FakeSlack
from settings import WEEKDAYS
from store import Request, State
from tests.conftest import CHANNEL, DEV, LEAD, OTHER, Bot, message_text
from tests.fakes.iam_usage import FakeKeyUsage
from workflow.grants.iam_user import iam_last_use
from workflow.review import build_review, post_weekly_review_if_due, review_flags

USED, UNUSED, OLD, CONSOLE = DEV, OTHER, "UOLD", "UCONSOLE"
LATER = timedelta(days=10)  # the review runs 10 days after the grants


@pytest.fixture(autouse=True)
def developers(slack: FakeSlack) -> None:
    slack.add_user(OLD, name="old", real_name="Olga Oldkey")
    slack.add_user(CONSOLE, name="con", real_name="Cole Console")


@pytest.fixture
def usage(iam_client: Any) -> FakeKeyUsage:
    fake = FakeKeyUsage()
    fake.install(iam_client)
    return fake


def grant(bot: Bot, user: str, *, console: bool = False) -> Request:
    """Request, approve and show credentials: an ACTIVE grant with a key."""
    bot.command(user, f"request {'--console ' if console else ''}build the app")
    request_id = bot.request_id_for(user)
    bot.click(LEAD, "amplify_dev_approve", request_id)
    bot.click(user, "amplify_dev_show_credentials", request_id, channel=f"D{user}")
    request = bot.store.get(request_id)
    assert request is not None and request.state == State.ACTIVE and request.access_key_id
    return request


def later(bot: Bot, delta: timedelta = LATER) -> datetime:
    return bot.clock.advance(seconds=delta.total_seconds())


def three_grants(bot: Bot, usage: FakeKeyUsage) -> datetime:
    """A used key, a key never used, and an old (but used) key; the clock 10 days on."""
    used, unused, old = grant(bot, USED), grant(bot, UNUSED), grant(bot, OLD)
    del unused
    now = later(bot)
    usage.used(used.access_key_id or "", now - timedelta(days=1), "amplify", "eu-west-1")
    usage.used(old.access_key_id or "", now - timedelta(days=2), "s3", "us-east-1")
    usage.key_created[old.access_key_id or ""] = now - timedelta(days=120)
    return now


def test_a_used_an_unused_and_an_old_key_are_each_flagged_correctly(bot: Bot, usage: FakeKeyUsage) -> None:
    now = three_grants(bot, usage)
    review = build_review(bot.store, iam_last_use(bot.iam), now)
    rows = {r.developer: r for r in review.rows}
    assert rows[USED].flags == ()
    assert rows[USED].last_used_service == "amplify" and rows[USED].last_used_region == "eu-west-1"
    assert rows[UNUSED].flags == (Flag.NEVER_USED,)
    assert rows[UNUSED].last_used_at is None and rows[UNUSED].last_used_service is None
    assert rows[OLD].flags == (Flag.OLD_KEY,)
    assert rows[OLD].key_age(now) == timedelta(days=120)
    assert all(r.approved_by == LEAD and r.expires_at is not None for r in review.rows)


def test_the_review_reads_one_last_used_per_key_and_one_user_only_for_console_users(
    bot: Bot, usage: FakeKeyUsage
) -> None:
    grant(bot, USED)
    console = grant(bot, CONSOLE, console=True)
    now = later(bot)
    usage.calls.clear()
    review = build_review(bot.store, iam_last_use(bot.iam), now)
    assert usage.count("ListAccessKeys") == 2
    assert usage.count("GetAccessKeyLastUsed") == 2
    assert usage.count("GetUser") == 1
    assert len(usage.calls) == 5
    row = next(r for r in review.rows if r.developer == CONSOLE)
    assert row.password_last_used is None and row.flags == (Flag.NEVER_USED,)  # neither key nor console used
    usage.password_used[console.iam_user_name] = now - timedelta(days=1)  # a console sign-in counts as use
    again = next(r for r in build_review(bot.store, iam_last_use(bot.iam), now).rows if r.developer == CONSOLE)
    assert again.password_last_used == now - timedelta(days=1) and again.flags == ()


def test_flags_for_long_unused_and_soon_expiring_access() -> None:
    now = datetime(2026, 3, 2, tzinfo=UTC)
    request = Request(
        id="r1",
        slack_user_id=DEV,
        team_id="T",
        reason="x",
        console=False,
        iam_user_name="u",
        decided_at=now - timedelta(days=60),
        expires_at=now + timedelta(days=2),
    )
    from iam.review import KeyUsage, UserUsage

    key = KeyUsage("AKIA1", now - timedelta(days=60), "Active", last_used_at=now - timedelta(days=31))
    assert review_flags(request, UserUsage("u", (key,)), key.created_at, now) == (Flag.UNUSED, Flag.EXPIRING)
    never_fetched = UserUsage("u", ())
    assert review_flags(request, never_fetched, None, now) == (Flag.NEVER_USED, Flag.EXPIRING)
    assert review_flags(replace(request, expires_at=None), None, None, now) == ()  # IAM unreadable: no guesses


def test_review_command_is_for_leads_and_flagged_rows_carry_remove(bot: Bot, usage: FakeKeyUsage) -> None:
    three_grants(bot, usage)
    bot.command(OTHER, "review")
    assert "Only the leads" in bot.last_reply_text(OTHER)
    response = bot.command(LEAD, "review")
    assert response.status == 200
    reply = bot.replies_to(LEAD)[-1]
    assert reply.get("response_type") == "ephemeral"
    text = message_text(reply)
    assert "3 active grants, 2 flagged" in text and "never used" in text and "key older than 90 days" in text
    removes = [
        b["accessory"]["value"]
        for b in reply["blocks"]
        if b.get("accessory", {}).get("action_id") == REVIEW_REMOVE_ACTION
    ]
    assert sorted(removes) == sorted([UNUSED, OLD])  # only flagged rows, each carrying only the user id


def test_review_remove_goes_through_the_same_checks_as_every_remove(bot: Bot, usage: FakeKeyUsage) -> None:
    three_grants(bot, usage)
    unused = bot.store.open_request_for(UNUSED)
    assert unused is not None
    bot.click(USED, REVIEW_REMOVE_ACTION, UNUSED)  # not a lead
    assert "Only the leads" in bot.last_reply_text(USED)
    assert unused.iam_user_name in bot.iam_users()
    bot.click(LEAD, REVIEW_REMOVE_ACTION, "<!channel>")  # malformed: ignored
    bot.click(LEAD, REVIEW_REMOVE_ACTION, UNUSED)
    assert unused.iam_user_name not in bot.iam_users()
    assert bot.store.get(unused.id).state == State.REVOKED  # type: ignore[union-attr]


def test_the_weekly_review_is_posted_once_across_two_sweeps_and_two_replicas(
    make_bot: Callable[..., Bot], usage: FakeKeyUsage, tmp_path: Any
) -> None:
    now = datetime.now(UTC) + LATER
    db = str(tmp_path / "shared.db")
    first = make_bot(db, AMPLIFY_DEV_REVIEW_SCHEDULE=WEEKDAYS[now.weekday()])
    second = make_bot(db, AMPLIFY_DEV_REVIEW_SCHEDULE=WEEKDAYS[now.weekday()])  # another replica, same store
    three_grants(first, usage)  # moves the clock both replicas share 10 days on

    def review_posts() -> list[Any]:
        posts = first.slack.calls_to("chat.postMessage")
        return [c for c in posts if c.params.get("channel") == CHANNEL and "Access review" in str(c.params)]

    first.workflow.sweep()
    first.workflow.sweep()
    second.workflow.sweep()
    assert post_weekly_review_if_due(second.workflow.first) is False
    assert len(review_posts()) == 1
    rotate_dms = [c for c in first.slack.calls_to("chat.postMessage") if "rotate" in str(c.params.get("text"))]
    assert [c.params["channel"] for c in rotate_dms] == [f"D{OLD}"]  # the old key's developer, once
    later(first, timedelta(days=7))  # the same weekday a week later: a new week, a new post
    first.workflow.sweep()
    assert len(review_posts()) == 2


def test_no_weekly_post_on_another_day_or_without_a_schedule(make_bot: Callable[..., Bot], usage: FakeKeyUsage) -> None:
    now = datetime.now(UTC) + LATER
    other_day = make_bot(AMPLIFY_DEV_REVIEW_SCHEDULE=WEEKDAYS[(now.weekday() + 1) % 7])
    unscheduled = make_bot()
    later(unscheduled)  # one clock for both bots
    for bot in (other_day, unscheduled):
        bot.workflow.sweep()
        assert post_weekly_review_if_due(bot.workflow.first) is False
    assert not [c for c in other_day.slack.calls_to("chat.postMessage") if "Access review" in str(c.params)]
