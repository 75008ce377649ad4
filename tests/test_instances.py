"""Two deployments in one account, or one that lost its database, delete nothing of each other's (issue 10.1)."""

from __future__ import annotations

import pytest

from settings import SettingsError, load_settings
from store import Fields, State
from tests.conftest import CHANNEL, DEV, GOOD_ENV_FOR_TESTS, OTHER, Bot, message_text

USER = "dana.dev-udev"


def tags(bot: Bot, user: str = USER) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in bot.iam.list_user_tags(UserName=user)["Tags"]}


def channel_texts(bot: Bot) -> str:
    return "\n".join(
        message_text(c.params) for c in bot.slack.calls_to("chat.postMessage") if c.params["channel"] == CHANNEL
    )


def audit_events(bot: Bot) -> list[tuple[str, str]]:
    return [(e.event, e.outcome) for e in bot.workflow.d.audit.events()]


def test_every_user_carries_the_instance_tag_default_the_approval_channel(make_bot) -> None:
    bot = make_bot()
    bot.approved_user()
    assert tags(bot)["amplify-dev:instance"] == CHANNEL
    named = make_bot(AMPLIFY_DEV_INSTANCE="prod")
    named.approved_user(requester=OTHER)
    assert tags(named, "oscar-uother")["amplify-dev:instance"] == "prod"


def test_a_second_deployment_in_the_account_deletes_nothing_of_the_first(make_bot) -> None:
    production = make_bot(AMPLIFY_DEV_INSTANCE="prod")
    staging = make_bot(AMPLIFY_DEV_INSTANCE="staging")
    production.approved_user()

    findings = staging.workflow.reconcile()
    staging.workflow.sweep(reconcile=True)

    assert USER in staging.iam_users()
    assert findings == []  # another instance's user: not staging's to judge, not even to report
    assert "removed" not in [e for e, _ in audit_events(staging)]


def test_a_bot_with_an_empty_store_deletes_nothing_and_reports_once(make_bot, tmp_path) -> None:
    first = make_bot()
    first.approved_user()
    # The same deployment started with a new, empty database (another directory, a container without a volume).
    fresh = make_bot(db_path=str(tmp_path / "empty.db"))

    fresh.workflow.reconcile()
    fresh.workflow.reconcile()

    assert USER in fresh.iam_users()
    reports = [
        c
        for c in fresh.slack.calls_to("chat.postMessage")
        if c.params["channel"] == CHANNEL and "no record of its request" in message_text(c.params)
    ]
    assert len(reports) == 1, reports  # once per user per process
    assert "removed" not in [e for e, _ in audit_events(fresh)]


def test_drift_finishes_the_removal_of_a_closed_request_and_audits_it(bot: Bot) -> None:
    request_id = bot.approved_user()
    # The removal was recorded but IAM was never told (e.g. a crash between the two).
    bot.store.compare_and_set(request_id, Fields(state=State.ACTIVE), Fields(state=State.REVOKED))

    findings = bot.workflow.reconcile()

    assert USER not in bot.iam_users()
    assert any("outlived its closed request" in f for f in findings)
    assert ("removed", "drift") in audit_events(bot)


def test_users_from_before_instance_tags_are_adopted_not_deleted(bot: Bot) -> None:
    request_id = bot.approved_user()
    # As the previous release made it: no instance tag, and no IAM user id in the record.
    bot.iam.untag_user(UserName=USER, TagKeys=["amplify-dev:instance"])
    bot.store.compare_and_set(request_id, Fields(state=State.ACTIVE), Fields(iam_user_id=None))

    bot.workflow.sweep(reconcile=True)

    assert USER in bot.iam_users()
    assert tags(bot)["amplify-dev:instance"] == CHANNEL
    bot.command(DEV, "remove")
    assert USER not in bot.iam_users()


def test_remove_of_a_legacy_user_adopts_it_when_the_request_is_ours(bot: Bot) -> None:
    bot.approved_user()
    bot.iam.untag_user(UserName=USER, TagKeys=["amplify-dev:instance"])

    bot.command(DEV, "remove")

    assert USER not in bot.iam_users()


def test_a_user_of_another_instance_is_never_removed_even_by_name(make_bot) -> None:
    production = make_bot(AMPLIFY_DEV_INSTANCE="prod")
    production.approved_user()
    request_id = production.request_id_for(DEV)
    production.iam.tag_user(UserName=USER, Tags=[{"Key": "amplify-dev:instance", "Value": "staging"}])

    production.command(DEV, "remove")

    assert USER in production.iam_users()
    assert production.store.get(request_id).state == State.REVOKED
    assert "not one amplify-dev manages" in production.last_reply_text(DEV)


def test_show_credentials_refuses_a_user_of_another_instance(bot: Bot) -> None:
    request_id = bot.approved_user()
    bot.iam.tag_user(UserName=USER, Tags=[{"Key": "amplify-dev:instance", "Value": "someone-else"}])

    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel=f"D{DEV}")

    assert bot.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"] == []
    assert bot.ephemerals_to(DEV) == []
    assert "not one this amplify-dev manages" in bot.last_reply_text(DEV)
    assert bot.store.get(request_id).credentials == "none"


def test_instance_must_be_a_tag_value() -> None:
    with pytest.raises(SettingsError, match="AMPLIFY_DEV_INSTANCE"):
        load_settings({**GOOD_ENV_FOR_TESTS, "AMPLIFY_DEV_INSTANCE": "prod<script>"})
    assert load_settings({**GOOD_ENV_FOR_TESTS, "AMPLIFY_DEV_INSTANCE": "team-a/prod"}).instance == "team-a/prod"
    assert load_settings(GOOD_ENV_FOR_TESTS).instance == GOOD_ENV_FOR_TESTS["AMPLIFY_DEV_APPROVAL_CHANNEL"]
