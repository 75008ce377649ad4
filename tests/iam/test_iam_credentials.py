"""Access keys, console passwords and the sign-in URL."""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from iam_support import ACCOUNT_ID, PATH, Call, bot_tags

from iam import (
    AccessKey,
    AccessKeyLimit,
    IamError,
    PasswordPolicy,
    Secret,
    console_signin_url,
    create_access_key,
    create_console_login,
    delete_access_key,
    delete_console_login,
    generate_password,
    get_password_policy,
    list_access_key_ids,
)

USER = "jane.doe-u012ab3cd"
SYMBOLS = "!@#$%^()+-=[]{}"
CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, SYMBOLS)


@pytest.fixture
def user(iam: Any) -> str:
    iam.create_user(UserName=USER, Path=PATH, Tags=bot_tags())
    return USER


def moto_key_ids(iam: Any) -> list[str]:
    return [k["AccessKeyId"] for k in iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]]


# --- access keys ----------------------------------------------------------------------------------------


def test_create_access_key_returns_the_new_key_with_its_secret_wrapped(iam: Any, user: str) -> None:
    key = create_access_key(iam, user)

    assert isinstance(key, AccessKey)
    assert moto_key_ids(iam) == [key.access_key_id]
    assert isinstance(key.secret_access_key, Secret)
    assert len(key.secret_access_key.reveal()) == 40
    assert key.secret_access_key.reveal() not in repr(key)


def test_third_access_key_is_refused_by_iam_in_one_call(iam: Any, user: str, calls: list[Call]) -> None:
    create_access_key(iam, user)
    create_access_key(iam, user)
    calls.clear()

    with pytest.raises(AccessKeyLimit) as raised:
        create_access_key(iam, user)

    assert (raised.value.step, raised.value.code) == ("CreateAccessKey", "LimitExceeded")
    assert [op for op, _ in calls] == ["CreateAccessKey"]  # no ListAccessKeys first: IAM enforces the limit
    assert len(moto_key_ids(iam)) == 2


def test_limit_exceeded_from_iam_is_an_access_key_limit(iam: Any, user: str, fail: Callable[..., Any]) -> None:
    # Real IAM answers LimitExceeded (HTTP 409) at two keys.
    fail("CreateAccessKey", "LimitExceeded", status=409)

    with pytest.raises(AccessKeyLimit) as raised:
        create_access_key(iam, user)

    assert raised.value.code == "LimitExceeded"


def test_other_create_access_key_errors_are_iam_errors(iam: Any, user: str, fail: Callable[..., Any]) -> None:
    fail("CreateAccessKey", "AccessDenied")

    with pytest.raises(IamError) as raised:
        create_access_key(iam, user)

    assert not isinstance(raised.value, AccessKeyLimit)
    assert (raised.value.step, raised.value.code, raised.value.rolled_back) == ("CreateAccessKey", "AccessDenied", True)


def test_list_access_key_ids_is_oldest_first_whatever_order_iam_answers_in(iam: Any, user: str) -> None:
    first = create_access_key(iam, user).access_key_id
    second = create_access_key(iam, user).access_key_id

    def newest_first(parsed: dict[str, Any], **kwargs: Any) -> None:
        parsed["AccessKeyMetadata"].sort(key=lambda k: k["CreateDate"], reverse=True)

    iam.meta.events.register("after-call.iam.ListAccessKeys", newest_first)

    assert list_access_key_ids(iam, user) == [first, second]


def test_delete_access_key_removes_it_and_tolerates_a_missing_key(iam: Any, user: str) -> None:
    key = create_access_key(iam, user)

    delete_access_key(iam, user, key.access_key_id)
    delete_access_key(iam, user, key.access_key_id)

    assert moto_key_ids(iam) == []


def test_delete_access_key_reports_other_errors(iam: Any, user: str, fail: Callable[..., Any]) -> None:
    key = create_access_key(iam, user)
    fail("DeleteAccessKey", "AccessDenied")

    with pytest.raises(IamError) as raised:
        delete_access_key(iam, user, key.access_key_id)

    assert (raised.value.step, raised.value.code, raised.value.rolled_back) == (
        "DeleteAccessKey",
        "AccessDenied",
        False,
    )


# --- passwords ------------------------------------------------------------------------------------------


def strict_policy(iam: Any, length: int = 40) -> None:
    iam.update_account_password_policy(
        MinimumPasswordLength=length,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
    )


def assert_meets(password: str, policy: PasswordPolicy) -> None:
    assert len(password) >= max(policy.minimum_length, 20)
    assert all(any(ch in cls for ch in password) for cls in CLASSES)
    assert set(password) <= set("".join(CLASSES))


def test_password_policy_defaults_to_aws_default_when_the_account_has_none(iam: Any) -> None:
    assert get_password_policy(iam) == PasswordPolicy(
        minimum_length=8, require_symbols=True, require_numbers=True, require_uppercase=True, require_lowercase=True
    )


def test_password_policy_is_read_from_the_account(iam: Any) -> None:
    iam.update_account_password_policy(MinimumPasswordLength=14, RequireNumbers=True)

    assert get_password_policy(iam) == PasswordPolicy(
        minimum_length=14, require_symbols=False, require_numbers=True, require_uppercase=False, require_lowercase=False
    )


def test_password_policy_errors_are_reported(iam: Any, fail: Callable[..., Any]) -> None:
    fail("GetAccountPasswordPolicy", "AccessDenied")

    with pytest.raises(IamError) as raised:
        get_password_policy(iam)

    assert (raised.value.step, raised.value.code) == ("GetAccountPasswordPolicy", "AccessDenied")


@given(
    policy=st.builds(
        PasswordPolicy,
        minimum_length=st.integers(min_value=6, max_value=128),
        require_symbols=st.booleans(),
        require_numbers=st.booleans(),
        require_uppercase=st.booleans(),
        require_lowercase=st.booleans(),
    )
)
def test_generated_password_always_has_all_four_classes_and_enough_length(policy: PasswordPolicy) -> None:
    assert_meets(generate_password(policy).reveal(), policy)


def test_password_symbols_are_safe_in_slack_code_spans_and_shell_quotes() -> None:
    weak = PasswordPolicy(6, False, False, False, False)
    seen = set("".join(generate_password(weak).reveal() for _ in range(200)))

    assert seen & set(SYMBOLS)
    assert not seen & set("&<>`*_~|'\"\\ ")


def test_generated_passwords_differ() -> None:
    policy = PasswordPolicy(20, True, True, True, True)

    assert len({generate_password(policy).reveal() for _ in range(50)}) == 50


def test_console_login_meets_a_strict_account_policy_and_forces_a_reset(iam: Any, user: str, calls: list[Call]) -> None:
    strict_policy(iam, length=40)

    password = create_console_login(iam, user)

    assert_meets(password.reveal(), PasswordPolicy(40, True, True, True, True))
    assert len(password.reveal()) == 40
    # moto ignores PasswordResetRequired (and the password policy), so check what was sent.
    assert [params for op, params in calls if op == "CreateLoginProfile"] == [
        {"UserName": user, "Password": password.reveal(), "PasswordResetRequired": True}
    ]
    assert iam.get_login_profile(UserName=user)["LoginProfile"]["UserName"] == user


def test_console_login_replaces_a_profile_left_over_from_a_crash(iam: Any, user: str, calls: list[Call]) -> None:
    iam.create_login_profile(UserName=user, Password="Left-0ver-passw0rd!", PasswordResetRequired=True)
    calls.clear()

    password = create_console_login(iam, user)

    assert [op for op, _ in calls if "LoginProfile" in op] == [
        "CreateLoginProfile",
        "DeleteLoginProfile",
        "CreateLoginProfile",
    ]
    assert calls[-1][1]["Password"] == password.reveal()


def test_console_login_failure_is_reported_by_step_and_code(iam: Any, user: str, fail: Callable[..., Any]) -> None:
    fail("CreateLoginProfile", "PasswordPolicyViolation", status=400)

    with pytest.raises(IamError) as raised:
        create_console_login(iam, user)

    assert (raised.value.step, raised.value.code, raised.value.rolled_back) == (
        "CreateLoginProfile",
        "PasswordPolicyViolation",
        True,
    )


def test_delete_console_login_removes_it_and_tolerates_none(iam: Any, user: str) -> None:
    create_console_login(iam, user)

    delete_console_login(iam, user)
    delete_console_login(iam, user)

    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_login_profile(UserName=user)


# --- sign-in URL ----------------------------------------------------------------------------------------


def test_signin_url_uses_the_account_id_without_an_alias(iam: Any) -> None:
    assert console_signin_url(iam, ACCOUNT_ID) == f"https://{ACCOUNT_ID}.signin.aws.amazon.com/console"


def test_signin_url_uses_the_account_alias(iam: Any) -> None:
    iam.create_account_alias(AccountAlias="acme-amplify")

    assert console_signin_url(iam, ACCOUNT_ID) == "https://acme-amplify.signin.aws.amazon.com/console"


def test_signin_url_falls_back_to_the_account_id_if_aliases_cannot_be_read(iam: Any, fail: Callable[..., Any]) -> None:
    iam.create_account_alias(AccountAlias="acme-amplify")
    fail("ListAccountAliases", "AccessDenied")

    assert console_signin_url(iam, ACCOUNT_ID) == f"https://{ACCOUNT_ID}.signin.aws.amazon.com/console"


@pytest.mark.parametrize("account_id", ["", "12345678901", "evil.example.com/x", "１２３４５６７８９０１２"])
def test_signin_url_refuses_a_malformed_account_id(iam: Any, account_id: str) -> None:
    with pytest.raises(ValueError):
        console_signin_url(iam, account_id)
