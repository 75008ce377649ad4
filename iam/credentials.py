"""Access keys, console passwords and the console sign-in URL."""

from __future__ import annotations

import logging
import secrets
import string
from datetime import datetime, timedelta

from botocore.client import BaseClient

from ._aws import AWS_ERRORS, collect
from .errors import AccessKeyLimit, IamError, error_code, is_no_such_entity, outcome_unknown
from .models import AccessKey, PasswordPolicy, Secret

logger = logging.getLogger(__name__)


MAX_ACCESS_KEYS = 2
MIN_GENERATED_PASSWORD_LENGTH = 20
# Safe inside a Slack code span and inside shell single quotes: no & < > ` * _ ~ | ' " or backslash.
PASSWORD_SYMBOLS = "!@#$%^()+-=[]{}"  # noqa: S105 (a character set, not a password)
# GetAccountPasswordPolicy says NoSuchEntity when the account uses AWS's default: at least 8 characters and
# three of the four character classes. Requiring all four satisfies it.
DEFAULT_PASSWORD_POLICY = PasswordPolicy(
    minimum_length=8,
    require_symbols=True,
    require_numbers=True,
    require_uppercase=True,
    require_lowercase=True,
)


def list_access_key_ids(iam: BaseClient, user_name: str) -> list[str]:
    """Return the user's access key ids, oldest first."""
    try:
        keys = collect(iam, "list_access_keys", "AccessKeyMetadata", UserName=user_name)
    except AWS_ERRORS as exc:
        raise IamError("ListAccessKeys", error_code(exc)) from None
    return [key["AccessKeyId"] for key in sorted(keys, key=lambda key: key["CreateDate"])]


def access_key_age(iam: BaseClient, user_name: str, in_use: str | None, now: datetime) -> timedelta | None:
    """Age of the key in use (`in_use` if it still exists, else the newest); None when the user has no key."""
    try:
        keys = collect(iam, "list_access_keys", "AccessKeyMetadata", UserName=user_name)
    except AWS_ERRORS as exc:
        raise IamError("ListAccessKeys", error_code(exc)) from None
    if not keys:
        return None
    delivered = [k for k in keys if k["AccessKeyId"] == in_use]
    key = delivered[0] if delivered else max(keys, key=lambda k: k["CreateDate"])
    return max(now - key["CreateDate"], timedelta(0))


def create_access_key(iam: BaseClient, user_name: str) -> AccessKey:
    """Create an access key for the user, or raise AccessKeyLimit if it already has two."""
    # No ListAccessKeys first: IAM itself answers LimitExceeded at two keys, and a check would race anyway.
    try:
        key = iam.create_access_key(UserName=user_name)["AccessKey"]
    except AWS_ERRORS as exc:
        code = error_code(exc)
        if code == "LimitExceeded":
            raise AccessKeyLimit("CreateAccessKey", code, detail="the user already has 2 access keys") from None
        # A key created by a request whose answer was lost is unusable (its secret is gone) but exists.
        raise IamError("CreateAccessKey", code, rolled_back=not outcome_unknown(exc)) from None
    return AccessKey(access_key_id=key["AccessKeyId"], secret_access_key=Secret(key["SecretAccessKey"]))


def delete_access_key(iam: BaseClient, user_name: str, access_key_id: str) -> None:
    """Delete one access key; a key that is already gone is fine."""
    try:
        iam.delete_access_key(UserName=user_name, AccessKeyId=access_key_id)
    except AWS_ERRORS as exc:
        if not is_no_such_entity(exc):
            raise IamError("DeleteAccessKey", error_code(exc), rolled_back=False) from None


def get_password_policy(iam: BaseClient) -> PasswordPolicy:
    """Return the account password policy, or AWS's default if the account has none."""
    try:
        policy = iam.get_account_password_policy()["PasswordPolicy"]
    except AWS_ERRORS as exc:
        if is_no_such_entity(exc):
            return DEFAULT_PASSWORD_POLICY
        raise IamError("GetAccountPasswordPolicy", error_code(exc)) from None
    return PasswordPolicy(
        minimum_length=int(policy.get("MinimumPasswordLength", DEFAULT_PASSWORD_POLICY.minimum_length)),
        require_symbols=bool(policy.get("RequireSymbols", False)),
        require_numbers=bool(policy.get("RequireNumbers", False)),
        require_uppercase=bool(policy.get("RequireUppercaseCharacters", False)),
        require_lowercase=bool(policy.get("RequireLowercaseCharacters", False)),
    )


def generate_password(policy: PasswordPolicy) -> Secret:
    """Return a random password with all four character classes that satisfies the policy."""
    # All four classes are always included, whatever the policy requires: it costs nothing and also
    # satisfies AWS's default "three of four" rule.
    classes = (string.ascii_lowercase, string.ascii_uppercase, string.digits, PASSWORD_SYMBOLS)
    alphabet = "".join(classes)
    length = max(policy.minimum_length, MIN_GENERATED_PASSWORD_LENGTH)
    chars = [secrets.choice(cls) for cls in classes]
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    # Shuffle so the guaranteed characters are not always in front.
    secrets.SystemRandom().shuffle(chars)
    return Secret("".join(chars))


def create_console_login(iam: BaseClient, user_name: str, policy: PasswordPolicy | None = None) -> Secret:
    """Give the user a console password that must be changed at first sign-in, and return it.

    `policy` is the account's password policy if the caller has it cached; otherwise it is read here.
    """
    password = generate_password(policy or get_password_policy(iam))
    try:
        _create_login_profile(iam, user_name, password)
    except AWS_ERRORS as exc:
        if error_code(exc) != "EntityAlreadyExists":
            rolled_back = not outcome_unknown(exc)
            raise IamError("CreateLoginProfile", error_code(exc), rolled_back=rolled_back) from None
        # A profile left over from an earlier attempt whose password never reached the user: replace it.
        try:
            delete_console_login(iam, user_name)
        except IamError as delete_exc:
            # This call created nothing; the old profile is as it was.
            raise IamError(delete_exc.step, delete_exc.code) from None
        try:
            _create_login_profile(iam, user_name, password)
        except AWS_ERRORS as retry_exc:
            raise IamError(
                "CreateLoginProfile", error_code(retry_exc), rolled_back=not outcome_unknown(retry_exc)
            ) from None
    return password


def reset_console_password(iam: BaseClient, user_name: str, policy: PasswordPolicy | None = None) -> Secret:
    """Give the user a new temporary console password (changed at the next sign-in) and return it; a user without
    a console password gets one. The old password stops working at once."""
    password = generate_password(policy or get_password_policy(iam))
    try:
        iam.update_login_profile(UserName=user_name, Password=password.reveal(), PasswordResetRequired=True)
    except AWS_ERRORS as exc:
        if not is_no_such_entity(exc):
            raise IamError("UpdateLoginProfile", error_code(exc), rolled_back=not outcome_unknown(exc)) from None
        return create_console_login(iam, user_name, policy)
    return password


def _create_login_profile(iam: BaseClient, user_name: str, password: Secret) -> None:
    iam.create_login_profile(UserName=user_name, Password=password.reveal(), PasswordResetRequired=True)


def delete_console_login(iam: BaseClient, user_name: str) -> None:
    """Remove the user's console password; a user without one is fine."""
    try:
        iam.delete_login_profile(UserName=user_name)
    except AWS_ERRORS as exc:
        if not is_no_such_entity(exc):
            raise IamError("DeleteLoginProfile", error_code(exc), rolled_back=False) from None


def console_signin_url(iam: BaseClient, account_id: str) -> str:
    """Return the console sign-in URL, using the account alias if there is one."""
    if not (len(account_id) == 12 and account_id.isascii() and account_id.isdigit()):
        raise ValueError("account id must be 12 digits")
    try:
        aliases = collect(iam, "list_account_aliases", "AccountAliases")
    except AWS_ERRORS as exc:
        # The account-id URL always works: a missing iam:ListAccountAliases permission is no reason to fail.
        logger.warning("ListAccountAliases failed (%s); using the account id URL", error_code(exc))
        aliases = []
    return f"https://{aliases[0] if aliases else account_id}.signin.aws.amazon.com/console"
