"""`python bot.py check` in Identity Center mode: the instance, the Identity Store, the permission set and its
session duration, the account, the start URL's form. (The users:read.email scope, required only in this mode, is in the Slack scope check.)"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import identity_center as idc
from ops.check.results import CheckResult, Status
from settings import Settings
from settings.identity_center import start_url_looks_right

AREA = "AWS IAM Identity Center"
LONGEST_QUIET_SESSION = timedelta(days=1)


def check_identity_center(settings: Settings, clients: Any, sts: Any) -> list[CheckResult]:
    """Every Identity Center check, in the order printed."""
    config = settings.identity_center
    assert config is not None
    results: list[CheckResult] = []

    def add(status: Status, subject: str, detail: str) -> None:
        results.append(CheckResult(AREA, status, subject, detail))

    try:
        instance = idc.find_instance(clients.sso_admin, config.instance_arn, config.identity_store_id)
        add(Status.PASS, "instance", f"{instance.instance_arn}, Identity Store {instance.identity_store_id}")
    except idc.IdentityCenterError as e:
        add(
            Status.FAIL,
            "instance",
            f"not found ({e.step}: {e.code}). Set AMPLIFY_DEV_SSO_INSTANCE_ARN and "
            "AMPLIFY_DEV_IDENTITY_STORE_ID, or check the bot's sso:ListInstances permission.",
        )
        instance = None
    if instance is not None:
        try:
            found = idc.describe_permission_set(clients.sso_admin, instance.instance_arn, config.permission_set_arn)
        except idc.IdentityCenterError as e:
            add(Status.FAIL, "permission set", f"AMPLIFY_DEV_PERMISSION_SET_ARN cannot be read ({e.step}: {e.code})")
        else:
            long = found.session_duration > LONGEST_QUIET_SESSION
            add(
                Status.WARN if long else Status.PASS,
                "permission set",
                f"`{found.name}` (the role name developers use), sessions last {found.session_duration}"
                + (
                    ": longer than a day. Removing access does not end sessions already issued, so a removed "
                    "developer keeps access that long; shorten the permission set's session duration."
                    if long
                    else ""
                ),
            )
    account = config.account_id
    if account is None:
        try:
            account = str(sts.get_caller_identity()["Account"])
        except Exception as e:
            add(Status.FAIL, "account", f"could not ask STS for the bot's account ({type(e).__name__})")
    if account:
        add(Status.PASS, "account", f"developers are assigned in {account}")
    if start_url_looks_right(config.start_url):
        add(Status.PASS, "start URL", config.start_url)
    else:
        add(
            Status.WARN,
            "start URL",
            f"{config.start_url} is neither https://<name>.awsapps.com/start nor a custom domain ending /start",
        )
    add(
        Status.WARN,
        "expiry",
        "AWS enforces no end date on an assignment: amplify-dev's sweep deletes it when access expires, so keep "
        "the bot running.",
    )
    return results
