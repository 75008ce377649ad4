"""The sign-in kind's words (messages/grants.py by Granted.kind): never an access key, sessions counted."""

from __future__ import annotations

from datetime import UTC, datetime

from messages import (
    SIGN_IN_KIND,
    CredentialsShown,
    Granted,
    access_dm,
    credentials_message,
    revoked_sentence,
    rotated_reply,
)
from messages.review import KEY_AGE_NOT_APPLICABLE, review_row_text
from store import Request
from tests.conftest import message_text
from tests.messages.fakes import review_row

SIGN_IN = Granted(kind=SIGN_IN_KIND, path="/amplify-dev/")
REQUEST = Request(id="r1", slack_user_id="UDEV", team_id="T", reason="x", console=True, iam_user_name="dana")
SHOWN = CredentialsShown(
    user_name="dana",
    access_key_id="",
    secret_access_key="",
    region="eu-west-1",
    console_password="Temp-Pass-123!",
    signin_url="https://123456789012.signin.aws.amazon.com/console",
)


def test_the_sign_in_ephemeral_has_the_password_and_aws_login_and_no_key() -> None:
    text = message_text(credentials_message(SIGN_IN, SHOWN).to_kwargs())
    assert "Temp-Pass-123!" in text and "aws login --profile amplify-dev" in text
    assert "Access key ID" not in text and "aws_access_key_id" not in text
    access_key = message_text(credentials_message(Granted(), SHOWN).to_kwargs())
    assert "Access key ID" in access_key and "aws login" not in access_key


def test_sign_in_words_speak_of_sessions_never_of_keys() -> None:
    assert "3 `aws login` sessions were ended" in revoked_sentence(
        SIGN_IN, REQUEST, deleted=True, channel=True, sessions=(3, 0)
    )
    partly = revoked_sentence(SIGN_IN, REQUEST, deleted=True, channel=False, sessions=(2, 1))
    assert "1 could not be" in partly
    dm = message_text({"blocks": [b.to_dict() for b in access_dm(SIGN_IN, REQUEST).blocks]})
    assert "temporary console password" in dm and "the access key" not in dm
    assert "1 `aws login` session was ended" in rotated_reply(SIGN_IN, (), (), (1, 0)).text


def test_the_review_row_of_a_sign_in_grant_says_key_age_does_not_apply() -> None:
    now = datetime(2026, 12, 3, tzinfo=UTC)
    row = review_row(
        request_id="r1",
        developer="UDEV",
        iam_user="dana",
        console=True,
        approved_at=now,
        signin_last_used=now,
        keys=False,
    )
    assert KEY_AGE_NOT_APPLICABLE in review_row_text(row, now)
    assert row.to_dict()["key_created_at"] == KEY_AGE_NOT_APPLICABLE
    assert "no access key yet" not in review_row_text(row, now)
