"""The whole product through signed requests: request -> approve -> Show credentials -> remove."""

from __future__ import annotations

import boto3
from moto.core import DEFAULT_ACCOUNT_ID

from tests.conftest import CHANNEL, DEV, LEAD, Bot, message_text

IAM_PATH = "/amplify-dev/"


def test_request_approve_reveal_remove_end_to_end(bot: Bot) -> None:
    response = bot.command(DEV, "request --console building the checkout flow")
    assert response.status == 200

    post = bot.approval_post()
    shown = message_text(post.params)
    assert "<@UDEV>" in shown and "building the checkout flow" in shown and "dana.dev-udev" in shown
    buttons = [e for b in post.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["Approve", "Deny"]
    assert buttons[0]["style"] == "primary" and buttons[1]["style"] == "danger" and "confirm" in buttons[1]
    assert "with the leads" in bot.last_reply_text(DEV)

    request_id = bot.request_id_for(DEV)
    assert {b["value"] for b in buttons} == {request_id}

    bot.click(LEAD, "amplify_dev_approve", request_id)
    user = bot.iam.get_user(UserName="dana.dev-udev")["User"]
    assert user["Path"] == IAM_PATH
    tags = {t["Key"]: t["Value"] for t in bot.iam.list_user_tags(UserName="dana.dev-udev")["Tags"]}
    expires = bot.store.get(request_id).expires_at
    assert expires is not None and (expires - bot.store.get(request_id).decided_at).days == 30  # the default
    assert tags == {
        "amplify-dev:slack-user-id": DEV,
        "amplify-dev:request-id": request_id,
        "amplify-dev:approved-by": LEAD,
        "amplify-dev:expires-at": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "amplify-dev:instance": bot.settings.approval_channel,  # AMPLIFY_DEV_INSTANCE's default
    }
    assert bot.iam.list_user_policies(UserName="dana.dev-udev")["PolicyNames"] == ["amplify-dev-expiry"]
    attached = {
        p["PolicyName"] for p in bot.iam.list_attached_user_policies(UserName="dana.dev-udev")["AttachedPolicies"]
    }
    assert attached == {"AdministratorAccess-Amplify", "IAMUserChangePassword"}
    assert bot.iam.list_access_keys(UserName="dana.dev-udev")["AccessKeyMetadata"] == []  # minted only on click

    update = bot.slack.calls_to("chat.update")[-1]
    assert update.params["channel"] == CHANNEL and update.params["ts"] == bot.store.get(request_id).approval_ts
    outcome = message_text(update.params)
    assert "Approved by <@ULEAD>" in outcome
    assert not [b for b in update.params["blocks"] if b["type"] == "actions"]

    dm = bot.dms_to(DEV)[-1]
    assert "<@ULEAD>" in message_text(dm.params)
    show = [e for b in dm.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert show[0]["text"]["text"] == "Show credentials"

    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    ephemeral = bot.ephemerals_to(DEV)[-1]
    assert ephemeral.params["channel"] == "DUDEV"
    text = message_text(ephemeral.params)
    keys = bot.iam.list_access_keys(UserName="dana.dev-udev")["AccessKeyMetadata"]
    assert len(keys) == 1 and keys[0]["AccessKeyId"] in text
    assert f"https://{DEFAULT_ACCOUNT_ID}.signin.aws.amazon.com/console" in text
    assert "[amplify-dev]\naws_access_key_id = " in text and "aws configure --profile amplify-dev" in text
    assert "eu-west-1" in text

    # The delivered secret is the one IAM has: it authenticates as that user (moto checks signatures).
    secret = _secret_from(text)
    sts = boto3.client(
        "sts", aws_access_key_id=keys[0]["AccessKeyId"], aws_secret_access_key=secret, region_name="eu-west-1"
    )
    assert sts.get_caller_identity()["Arn"].endswith("/dana.dev-udev")

    bot.click(DEV, "amplify_dev_show_credentials", request_id, channel="DUDEV")
    assert len(bot.iam.list_access_keys(UserName="dana.dev-udev")["AccessKeyMetadata"]) == 1
    assert "already shown" in bot.last_reply_text(DEV)

    bot.command(DEV, "remove")
    assert "dana.dev-udev" not in bot.iam_users()
    assert "removed" in bot.last_reply_text(DEV)
    assert "removed their own access" in message_text(bot.slack.calls_to("chat.postMessage")[-1].params)


def _secret_from(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("aws_secret_access_key = "):
            return line.split(" = ")[1]
    raise AssertionError("no secret in the credentials message")
