"""Issue 21, informed approval, through signed requests in both access modes and with several projects: the leads'
message, the Home tab's pending rows and the extension request show what approving grants (the managed policies
by name, a plain warning for an admin-equivalent one without a boundary, the boundary and group, the account and
project, the credential kind)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.conftest import DEV, LEAD, Bot, message_text
from tests.e2e.test_projects import API_CHANNEL, WEB_CHANNEL, pbot, posts_to  # noqa: F401  (pbot: a fixture)
from tests.identity_center.conftest import ACCOUNT

BOUNDARY = "arn:aws:iam::123456789012:policy/AmplifyDevBoundary"
WARNING = "without a permissions boundary"


def home_text(bot: Bot, user: str = LEAD) -> str:
    """Everything `user` reads on their Home tab, opened now."""
    response = bot.event({"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"})
    assert response.status == 200
    view = bot.slack.calls_to("views.publish")[-1].params["view"]
    return message_text(json.loads(view) if isinstance(view, str) else view)


def extension_text(bot: Bot) -> str:
    """The leads' extension request, after the requester is approved and clicks Extend."""
    request_id = bot.approved_user()
    bot.click(DEV, "amplify_dev_extend", request_id, channel=f"D{DEV}")
    assert bot.store.get(request_id).extension_ts
    return message_text(bot.approval_post().params)


def test_iam_user_default_shows_the_admin_policy_with_a_plain_warning_everywhere_a_lead_decides(bot: Bot) -> None:
    bot.command(DEV, "request building the checkout")
    post = message_text(bot.approval_post().params)
    assert "*What approving grants*" in post
    assert "`AdministratorAccess-Amplify`" in post and WARNING in post and "account administrator" in post
    assert "*Permissions boundary*\nnone" in post
    assert "the bot's own account" in post
    assert "an access key (a long-lived secret, deleted when access ends)" in post

    home = home_text(bot)
    assert ":warning: *admin-equivalent* · Grants `AdministratorAccess-Amplify`, no boundary" in home
    assert "access key" in home

    bot.click(LEAD, "amplify_dev_deny", bot.request_id_for(DEV))
    extension = extension_text(bot)
    assert "asks to extend" in extension and "`AdministratorAccess-Amplify`" in extension and WARNING in extension


def test_a_boundary_and_a_group_are_named_and_silence_the_warning(make_bot: Callable[..., Bot]) -> None:
    bot = make_bot(AMPLIFY_DEV_PERMISSIONS_BOUNDARY=BOUNDARY, AMPLIFY_DEV_IAM_GROUP="amplify-developers")
    bot.command(DEV, "request building the checkout")
    post = message_text(bot.approval_post().params)
    assert "*Permissions boundary*\n`AmplifyDevBoundary`" in post
    assert "*IAM group*\n`amplify-developers`" in post
    assert WARNING not in post and ":warning:" not in post
    home = home_text(bot)
    assert "with boundary `AmplifyDevBoundary` · group `amplify-developers`" in home and "admin-equivalent" not in home


def test_sign_in_credentials_are_named_as_such(make_bot: Callable[..., Bot], signin: Any) -> None:
    bot = make_bot(signin=signin, AMPLIFY_DEV_CREDENTIALS="sign-in")
    bot.command(DEV, "request building the checkout")
    post = message_text(bot.approval_post().params)
    assert "console sign-in and `aws login` (short-lived CLI credentials, no access key)" in post
    assert "sign-in, no key" in home_text(bot)


def test_identity_center_shows_the_permission_set_and_its_account(ic_bot: Bot) -> None:
    ic_bot.command(DEV, "request building the checkout")
    post = message_text(ic_bot.approval_post().params)
    assert "*Grants*\npermission set `AmplifyDeveloper`" in post
    assert f"*Account*\n{ACCOUNT}" in post
    assert "an IAM Identity Center permission set" in post
    assert ":warning:" not in post  # the permission set's policies are not the bot's to name
    home = home_text(ic_bot)
    assert f"Grants permission set `AmplifyDeveloper` · account {ACCOUNT}" in home and "Identity Center" in home

    ic_bot.click(LEAD, "amplify_dev_deny", ic_bot.request_id_for(DEV))
    extension = extension_text(ic_bot)
    assert "permission set `AmplifyDeveloper`" in extension and ACCOUNT in extension


def test_each_project_shows_its_own_account_and_project(pbot: Bot) -> None:  # noqa: F811
    pbot.command(DEV, "request --project web building the shop")
    pbot.command(DEV, "request --project api fixing the API")
    web, api = posts_to(pbot, WEB_CHANNEL)[-1], posts_to(pbot, API_CHANNEL)[-1]
    assert "*Account*\n111111111111" in web and "*Project*\n`web` (Web shop)" in web
    assert "*Account*\n222222222222" in api and "*Project*\n`api` (Public API)" in api
    home = home_text(pbot)  # LEAD leads web only
    assert "account 111111111111 · project `web`" in home and "222222222222" not in home
