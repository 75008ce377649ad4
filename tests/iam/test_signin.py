"""iam.signin against the fake Sign-In service: every page listed, five at a time revoked, failures never hidden."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from typing import Any

import pytest

from iam import IamError
from iam.signin import (
    SessionsEnded,
    SignInError,
    end_signin_sessions,
    last_signin_use,
    list_signin_sessions,
    revoke_signin_sessions,
    signin_policy_arn,
    signin_principal_arn,
)
from playground.signin_api import FakeSignin
from tests.signin_support import PRINCIPAL, USER_ARN


def test_principal_arn_drops_the_users_path() -> None:
    assert signin_principal_arn(USER_ARN) == PRINCIPAL
    assert signin_principal_arn("arn:aws:iam::123456789012:user/teams/web/x") == "arn:aws:iam::123456789012:user/x"
    assert signin_principal_arn("arn:aws-cn:iam::123456789012:user/x") == "arn:aws-cn:iam::123456789012:user/x"
    with pytest.raises(ValueError):
        signin_principal_arn("arn:aws:iam::123456789012:role/x")


def test_signin_policy_arn_follows_the_partition() -> None:
    assert signin_policy_arn() == "arn:aws:iam::aws:policy/SignInLocalDevelopmentAccess"
    assert signin_policy_arn("aws-cn") == "arn:aws-cn:iam::aws:policy/SignInLocalDevelopmentAccess"


def test_every_page_is_listed_for_that_user_only(fake_signin: FakeSignin, signin: Any) -> None:
    fake_signin.page_size = 2
    mine = [fake_signin.create_session(PRINCIPAL) for _ in range(5)]
    fake_signin.create_session("arn:aws:iam::123456789012:user/someone.else")

    sessions = list_signin_sessions(signin, USER_ARN)

    assert [s.session_arn for s in sessions] == mine
    calls = fake_signin.calls_to("ListSessions")
    assert len(calls) == 3
    assert all(c.body["principalArn"] == PRINCIPAL and c.body["status"] == "ACTIVE" for c in calls)
    assert sessions[0].issued_at.tzinfo is UTC


def test_seven_sessions_are_revoked_five_then_two(fake_signin: FakeSignin, signin: Any) -> None:
    fake_signin.page_size = 3
    for _ in range(7):
        fake_signin.create_session(PRINCIPAL)
    other = fake_signin.create_session("arn:aws:iam::123456789012:user/someone.else")

    assert revoke_signin_sessions(signin, USER_ARN) == 7

    batches = [c.body["sessionArns"] for c in fake_signin.calls_to("BatchRevokeSessions")]
    assert [len(b) for b in batches] == [5, 2]
    assert all(c.body["principalArn"] == PRINCIPAL for c in fake_signin.calls_to("BatchRevokeSessions"))
    assert {s.status for s in fake_signin.sessions(PRINCIPAL)} == {"REVOKED"}
    assert [s.status for s in fake_signin.sessions() if s.session_arn == other] == ["ACTIVE"]
    # Every page was read before the first revocation.
    operations = [c.operation for c in fake_signin.calls]
    assert operations == ["ListSessions"] * 3 + ["BatchRevokeSessions"] * 2


def test_a_user_without_sessions_revokes_nothing_and_makes_no_revoke_call(fake_signin: FakeSignin, signin: Any) -> None:
    assert revoke_signin_sessions(signin, USER_ARN) == 0
    assert fake_signin.calls_to("BatchRevokeSessions") == []


def test_a_failed_batch_does_not_stop_the_next_and_the_count_is_kept(fake_signin: FakeSignin, signin: Any) -> None:
    for _ in range(7):
        fake_signin.create_session(PRINCIPAL)
    fake_signin.fail("BatchRevokeSessions", "AccessDeniedException", status=403)

    with pytest.raises(SignInError) as caught:
        revoke_signin_sessions(signin, USER_ARN)

    assert (caught.value.step, caught.value.code) == ("BatchRevokeSessions", "AccessDeniedException")
    assert (caught.value.revoked, caught.value.failed) == (2, 5)
    assert isinstance(caught.value, IamError) and not caught.value.rolled_back
    assert len(fake_signin.calls_to("BatchRevokeSessions")) == 2


def test_per_session_errors_are_raised_with_their_code(fake_signin: FakeSignin, signin: Any) -> None:
    fake_signin.create_session(PRINCIPAL)
    fake_signin.fail_revoking(fake_signin.create_session(PRINCIPAL), "InternalServerException")

    with pytest.raises(SignInError) as caught:
        revoke_signin_sessions(signin, USER_ARN)

    assert (caught.value.code, caught.value.revoked, caught.value.failed) == ("InternalServerException", 1, 1)
    assert "1 revoked, 1 not" in str(caught.value)


def test_listing_failure_is_our_exception_with_the_aws_code(fake_signin: FakeSignin, signin: Any) -> None:
    fake_signin.fail("ListSessions", "AccessDeniedException", status=403)

    with pytest.raises(SignInError) as caught:
        revoke_signin_sessions(signin, USER_ARN)

    assert (caught.value.step, caught.value.code, caught.value.revoked) == ("ListSessions", "AccessDeniedException", 0)


def test_signin_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(SignInError("BatchRevokeSessions", "X", revoked=3, failed=1)))  # noqa: S301

    assert (error.step, error.code, error.revoked, error.failed) == ("BatchRevokeSessions", "X", 3, 1)


def test_last_use_is_the_latest_refresh_over_every_session(fake_signin: FakeSignin, signin: Any) -> None:
    fake_signin.create_session(PRINCIPAL, issued_at=1_700_000_000, last_used_at=1_700_003_600)
    revoked = fake_signin.create_session(PRINCIPAL, issued_at=1_700_000_100, last_used_at=1_700_007_200)
    signin.batch_revoke_sessions(principalArn=PRINCIPAL, sessionArns=[revoked])
    fake_signin.create_session(PRINCIPAL, issued_at=1_700_005_000)  # never refreshed: its login is its use

    assert last_signin_use(signin, USER_ARN) == datetime.fromtimestamp(1_700_007_200, tz=UTC)
    assert len(fake_signin.calls_to("GetSession")) == 3
    assert "status" not in fake_signin.calls_to("ListSessions")[-1].body  # revoked sessions count too


def test_last_use_of_a_user_who_never_logged_in_is_none(fake_signin: FakeSignin, signin: Any) -> None:
    assert last_signin_use(signin, USER_ARN) is None


def test_last_use_failure_carries_the_code(fake_signin: FakeSignin, signin: Any) -> None:
    fake_signin.create_session(PRINCIPAL)
    fake_signin.fail("GetSession", "TooManyRequestsError", status=429, times=10)

    with pytest.raises(SignInError) as caught:
        last_signin_use(signin, USER_ARN)

    assert (caught.value.step, caught.value.code) == ("GetSession", "TooManyRequestsError")


def test_ending_sessions_for_a_removal_reports_instead_of_raising(fake_signin: FakeSignin, signin: Any) -> None:
    for _ in range(6):
        fake_signin.create_session(PRINCIPAL)
    fake_signin.fail("BatchRevokeSessions", "AccessDeniedException", status=403)

    outcome = end_signin_sessions(signin, USER_ARN)

    assert (outcome.revoked, outcome.failed, outcome.code, outcome.complete) == (1, 5, "AccessDeniedException", False)


def test_ending_the_sessions_of_a_user_who_has_none_is_complete(fake_signin: FakeSignin, signin: Any) -> None:
    assert end_signin_sessions(signin, USER_ARN) == SessionsEnded(0)
    assert end_signin_sessions(signin, USER_ARN).complete


def test_ending_sessions_when_listing_fails_reports_the_code(fake_signin: FakeSignin, signin: Any) -> None:
    fake_signin.fail("ListSessions", "InternalServerException", status=500, times=10)

    assert end_signin_sessions(signin, USER_ARN) == SessionsEnded(0, 0, "InternalServerException")
