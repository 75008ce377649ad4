"""The Identity Center mode's settings (AMPLIFY_DEV_MODE=identity-center), parsed apart from the rest."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .validators import REGION

MODE_IAM_USER = "iam-user"
MODE_IDENTITY_CENTER = "identity-center"
MODES = (MODE_IAM_USER, MODE_IDENTITY_CENTER)

# AWS writes permissionSet/…; moto (the sandbox) writes instance/…: both name the instance and the set.
_PERMISSION_SET_ARN = re.compile(
    r"^arn:aws[a-z-]*:sso:::(permissionSet|instance)/(sso)?ins-[A-Za-z0-9.-]{16}/ps-[A-Za-z0-9./-]{16}$"
)
_INSTANCE_ARN = re.compile(r"^arn:aws[a-z-]*:sso:::instance/(sso)?ins-[A-Za-z0-9.-]{16}$")
_IDENTITY_STORE_ID = re.compile(r"^d-[0-9a-f]{10}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_START_URL = re.compile(r"^https://[^\s/]+(/[^\s]*)?$")
AWSAPPS_START_URL = re.compile(r"^https://[a-z0-9-]+\.awsapps\.com/start/?$")


@dataclass(frozen=True)
class IdentityCenterSettings:
    """What an Identity Center grant is: a permission set in an account, for a user matched by email."""

    permission_set_arn: str
    start_url: str
    instance_arn: str | None = None  # None: ListInstances, when the account has exactly one
    identity_store_id: str | None = None  # None: the instance's own
    account_id: str | None = None  # None: the bot's own account
    sso_region: str | None = None  # None: the bot's region
    create_users: bool = False


def start_url_looks_right(url: str) -> bool:
    """https://<x>.awsapps.com/start, or a custom domain ending /start (what check expects)."""
    return bool(AWSAPPS_START_URL.match(url)) or (url.startswith("https://") and url.rstrip("/").endswith("/start"))


def load_identity_center(
    env: Mapping[str, str], boolean: Callable[[Mapping[str, str], str], bool], error: type[ValueError]
) -> IdentityCenterSettings | None:
    """None in the IAM-user mode; else the validated Identity Center settings (`error` names a bad one)."""
    mode = (env.get("AMPLIFY_DEV_MODE") or MODE_IAM_USER).lower()
    if mode not in MODES:
        raise error(
            f"AMPLIFY_DEV_MODE must be iam-user (the default) or identity-center, got {env['AMPLIFY_DEV_MODE']!r}"
        )
    if mode == MODE_IAM_USER:
        return None

    def required(name: str) -> str:
        value = env.get(name, "")
        if not value:
            raise error(f"{name} is required when AMPLIFY_DEV_MODE=identity-center (see .env.example)")
        return value

    def matching(name: str, pattern: re.Pattern[str], what: str) -> str | None:
        value = env.get(name) or None
        if value is not None and not pattern.match(value):
            raise error(f"{name} must be {what}, got {value!r}")
        return value

    permission_set = required("AMPLIFY_DEV_PERMISSION_SET_ARN")
    if not _PERMISSION_SET_ARN.match(permission_set):
        raise error(
            "AMPLIFY_DEV_PERMISSION_SET_ARN must be a permission set ARN like "
            f"arn:aws:sso:::permissionSet/ssoins-…/ps-…, got {permission_set!r}"
        )
    start_url = required("AMPLIFY_DEV_SSO_START_URL")
    if not _START_URL.match(start_url):
        raise error(f"AMPLIFY_DEV_SSO_START_URL must be an https:// URL (the AWS access portal), got {start_url!r}")
    instance = matching(
        "AMPLIFY_DEV_SSO_INSTANCE_ARN", _INSTANCE_ARN, "an instance ARN like arn:aws:sso:::instance/ssoins-…"
    )
    if instance and instance.rsplit("/", 1)[-1] != permission_set.split("/")[-2]:
        raise error("AMPLIFY_DEV_PERMISSION_SET_ARN belongs to another instance than AMPLIFY_DEV_SSO_INSTANCE_ARN")
    return IdentityCenterSettings(
        permission_set_arn=permission_set,
        start_url=start_url,
        instance_arn=instance,
        identity_store_id=matching(
            "AMPLIFY_DEV_IDENTITY_STORE_ID", _IDENTITY_STORE_ID, "an Identity Store id like d-1234567890"
        ),
        account_id=matching("AMPLIFY_DEV_ACCOUNT_ID", _ACCOUNT_ID, "a 12-digit AWS account ID"),
        sso_region=matching("AMPLIFY_DEV_SSO_REGION", REGION, "an AWS region such as eu-west-1"),
        create_users=boolean(env, "AMPLIFY_DEV_SSO_CREATE_USERS"),
    )
