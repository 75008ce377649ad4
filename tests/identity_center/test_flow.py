"""Identity Center mode end to end, through signed requests and the fake Slack: request, approve, DM, remove."""

from __future__ import annotations

from store import State
from tests.conftest import CHANNEL, DEV, LEAD, OTHER, Bot, message_text
from tests.identity_center.conftest import ACCOUNT, START_URL, IdentityCenterWorld


def channel_texts(bot: Bot) -> str:
    return "\n".join(
        message_text(c.params)
        for c in bot.slack.calls_to("chat.postMessage") + bot.slack.calls_to("chat.update")
        if c.params.get("channel") == CHANNEL
    )


def test_approval_assigns_the_permission_set_and_the_dm_says_how_to_sign_in(
    ic_bot: Bot, world: IdentityCenterWorld
) -> None:
    request_id = ic_bot.approved_user()
    request = ic_bot.store.get(request_id)
    assert request.state == State.ACTIVE
    assert request.identity_store_user_id == world.dana and request.assignment_created is True
    assert world.assigned_users() == {world.dana}
    (created,) = world.called("CreateAccountAssignment")
    assert created == {
        "InstanceArn": world.instance_arn,
        "TargetId": ACCOUNT,
        "TargetType": "AWS_ACCOUNT",
        "PermissionSetArn": world.permission_set_arn,
        "PrincipalType": "USER",
        "PrincipalId": world.dana,
    }
    assert world.called("GetUserId")[0]["AlternateIdentifier"] == {
        "UniqueAttribute": {"AttributePath": "emails.value", "AttributeValue": "dana@example.com"}
    }
    assert ic_bot.iam_users() == []  # no IAM user, no key, in this mode

    dm = ic_bot.dms_to(DEV)[-1]
    text = message_text(dm.params)
    for expected in (
        START_URL,
        "SSO region: `eu-west-1`",
        f"Account ID: `{ACCOUNT}`",
        "Role name: `AmplifyDeveloper`",
        "[profile amplify-dev]",
        "sso_session = amplify-dev",
        f"sso_account_id = {ACCOUNT}",
        "sso_role_name = AmplifyDeveloper",
        "[sso-session amplify-dev]",
        f"sso_start_url = {START_URL}",
        "npx ampx sandbox --profile amplify-dev",
        "A session lasts 8 hours",
    ):
        assert expected in text, expected
    assert not [b for b in dm.params["blocks"] if b["type"] == "actions"]  # no Show credentials button
    assert "secret" not in text.lower() and "aws_access_key_id" not in text
    assert "Account assignment of permission set `AmplifyDeveloper`" in channel_texts(ic_bot)


def test_remove_deletes_the_assignment_and_waits_for_it(ic_bot: Bot, world: IdentityCenterWorld) -> None:
    request_id = ic_bot.approved_user()
    ic_bot.command(DEV, "remove")
    assert ic_bot.store.get(request_id).state == State.REVOKED
    assert world.assigned_users() == set()
    (deleted,) = world.called("DeleteAccountAssignment")
    assert deleted["PrincipalId"] == world.dana and deleted["PermissionSetArn"] == world.permission_set_arn
    reply = ic_bot.last_reply_text(DEV)
    assert "is deleted" in reply and "Sessions already started stay valid" in reply and "8 hours" in reply


def test_no_identity_center_user_with_the_email_is_refused_at_once(ic_bot: Bot, world: IdentityCenterWorld) -> None:
    ic_bot.command(OTHER, "request build the app")
    reply = ic_bot.last_reply_text(OTHER)
    assert "no IAM Identity Center user with your Slack email `oscar@example.com`" in reply
    assert "AMPLIFY_DEV_SSO_CREATE_USERS" in reply and "nothing was filed" in reply
    assert ic_bot.store.latest_for(OTHER) is None
    assert not [c for c in ic_bot.slack.calls_to("chat.postMessage") if c.params.get("channel") == CHANNEL]


def test_create_users_makes_the_identity_store_user_at_approval(make_ic_bot, world: IdentityCenterWorld) -> None:
    bot = make_ic_bot(AMPLIFY_DEV_SSO_CREATE_USERS="true")
    request_id = bot.approved_user(requester=OTHER)
    (made,) = world.called("CreateUser")
    assert made["UserName"] == "oscar@example.com" and made["Emails"][0]["Value"] == "oscar@example.com"
    request = bot.store.get(request_id)
    assert request.state == State.ACTIVE and request.identity_store_user_id in world.assigned_users()


def test_show_credentials_and_rotate_explain_there_are_no_keys(ic_bot: Bot) -> None:
    request_id = ic_bot.approved_user()
    ic_bot.command(DEV, "rotate")
    assert "no access keys to show or rotate" in ic_bot.last_reply_text(DEV)
    assert "at most 8 hours" in ic_bot.last_reply_text(DEV)
    ic_bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    assert "no access keys to show or rotate" in ic_bot.last_reply_text(DEV)
    assert ic_bot.ephemerals_to(DEV) == [] and ic_bot.iam_users() == []


def test_lead_approval_is_unchanged_a_deny_assigns_nothing(ic_bot: Bot, world: IdentityCenterWorld) -> None:
    ic_bot.command(DEV, "request build the app")
    ic_bot.click(LEAD, "amplify_dev_deny", ic_bot.request_id_for(DEV))
    assert ic_bot.store.latest_for(DEV).state == State.DENIED
    assert world.called("CreateAccountAssignment") == [] and world.assigned_users() == set()


def test_the_review_says_what_aws_does_not_tell_instead_of_inventing_it(ic_bot: Bot) -> None:
    from tests.conftest import DEV, LEAD, message_text

    ic_bot.command(DEV, "request build")
    ic_bot.click(LEAD, "amplify_dev_approve", ic_bot.request_id_for(DEV))
    iam_calls: list[str] = []
    ic_bot.iam.meta.events.register("before-call.iam.*", lambda model, **_: iam_calls.append(model.name))

    ic_bot.command(LEAD, "review")

    text = message_text(ic_bot.replies_to(LEAD)[-1])
    assert "AWS tells the bot neither when it was last used nor any key age" in text
    row = text.split(f"<@{DEV}>", 1)[1]
    assert "never used" not in row.lower() and "not used" not in row.lower()  # no flag from data AWS does not give
    assert iam_calls == []  # an assignment has no IAM user to read


def test_filing_a_request_looks_the_identity_store_user_up_once(ic_bot: Bot, world: IdentityCenterWorld) -> None:
    ic_bot.command(DEV, "request need the console")
    request = ic_bot.store.get(ic_bot.request_id_for(DEV))
    assert request.identity_store_user_id == world.dana
    assert len(world.called("GetUserId")) == 1  # the check and the id the request records are one look-up
