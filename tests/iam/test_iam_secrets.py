"""No secret in a repr, a log line or an exception; exceptions carry only step and code."""

from __future__ import annotations

import copy
import dataclasses
import logging
import pickle
import traceback
from typing import Any

import pytest
from iam_support import PATH, bot_tags, client_error

from iam import (
    AccessKey,
    AccessKeyLimit,
    IamError,
    NotManagedByBot,
    Secret,
    UserNameTaken,
    create_access_key,
    create_console_login,
)

VALUE = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
USER = "jane.doe-u012ab3cd"


def test_secret_never_shows_its_value() -> None:
    secret = Secret(VALUE)
    key = AccessKey(access_key_id="AKIAEXAMPLE", secret_access_key=secret)

    renderings = [
        repr(secret),
        str(secret),
        f"{secret}",
        f"{secret!r}",
        f"{secret:>60}",
        "%s %r" % (secret, secret),  # noqa: UP031 - old-style formatting is what logging uses
        "{}".format(secret),  # noqa: UP032
        repr(key),
        str(key),
        repr(dataclasses.asdict(key)),
        repr([secret]),
    ]

    assert all(VALUE not in text for text in renderings)
    assert repr(secret) == str(secret) == "Secret(***)"
    assert secret.reveal() == VALUE


def test_secret_cannot_be_pickled_or_changed() -> None:
    secret = Secret(VALUE)

    with pytest.raises(TypeError):
        pickle.dumps(secret)
    with pytest.raises(AttributeError):
        secret._value = "x"  # type: ignore[misc]
    assert copy.deepcopy(secret).reveal() == VALUE
    assert not hasattr(secret, "__dict__")


def test_logging_a_secret_or_a_key_shows_no_value(caplog: pytest.LogCaptureFixture) -> None:
    secret = Secret(VALUE)
    logger = logging.getLogger("iam.test")

    with caplog.at_level(logging.DEBUG):
        logger.info("password %s", secret)
        logger.info("key %r", AccessKey("AKIAEXAMPLE", secret))
        logger.info("as dict %s", {"secret": secret})

    assert len(caplog.records) == 3
    assert VALUE not in caplog.text


def test_iam_error_is_a_plain_sentence_with_step_and_code() -> None:
    error = IamError("CreateUser", "AccessDenied", rolled_back=False)

    assert str(error) == "CreateUser failed: AccessDenied"
    assert (error.step, error.code, error.rolled_back, error.detail) == ("CreateUser", "AccessDenied", False, "")
    assert str(IamError("CreateUser", "EntityAlreadyExists", detail="name taken")) == (
        "CreateUser failed: EntityAlreadyExists (name taken)"
    )
    assert IamError("GetUser", "Throttling").rolled_back is True


@pytest.mark.parametrize("cls", [IamError, UserNameTaken, NotManagedByBot, AccessKeyLimit])
def test_iam_errors_survive_pickling(cls: type[IamError]) -> None:
    error = cls("DeleteUser", "DeleteConflict", rolled_back=False, detail="x")

    copy_ = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object

    assert type(copy_) is cls
    assert (copy_.step, copy_.code, copy_.rolled_back, copy_.detail) == ("DeleteUser", "DeleteConflict", False, "x")
    assert str(copy_) == str(error)


def test_aws_message_echoing_the_password_never_reaches_the_exception(iam: Any) -> None:
    # Suppose IAM (or a proxy) put the request parameters into its error message.
    iam.create_user(UserName=USER, Path=PATH, Tags=bot_tags())
    sent: list[str] = []

    def echoing_failure(params: dict[str, Any], **kwargs: Any) -> None:
        sent.append(params["Password"])
        raise client_error("CreateLoginProfile", "PasswordPolicyViolation", 400, f"bad: {params['Password']}")

    iam.meta.events.register("provide-client-params.iam.CreateLoginProfile", echoing_failure)

    with pytest.raises(IamError) as raised:
        create_console_login(iam, USER)

    formatted = "".join(traceback.format_exception(raised.value))
    assert sent
    assert sent[0] not in formatted
    assert sent[0] not in repr(raised.value)
    assert "PasswordPolicyViolation" in formatted


def test_creating_credentials_logs_no_secret(iam: Any, caplog: pytest.LogCaptureFixture) -> None:
    iam.create_user(UserName=USER, Path=PATH, Tags=bot_tags())

    with caplog.at_level(logging.DEBUG, logger="iam"):
        key = create_access_key(iam, USER)
        password = create_console_login(iam, USER)

    assert key.secret_access_key.reveal() not in caplog.text
    assert password.reveal() not in caplog.text
