"""The fake Sign-In service answers as botocore's signin model says, through a real (re-pointed) boto3 client."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from playground.signin_api import FakeSignin
from tests.signin_support import PRINCIPAL


def test_list_sessions_pages_by_next_token(fake_signin: FakeSignin, signin: Any) -> None:
    fake_signin.page_size = 2
    arns = [fake_signin.create_session(PRINCIPAL) for _ in range(5)]
    fake_signin.create_session("arn:aws:iam::123456789012:user/someone.else")

    first = signin.list_sessions(principalArn=PRINCIPAL)
    pages = list(signin.get_paginator("list_sessions").paginate(principalArn=PRINCIPAL))

    assert len(first["items"]) == 2 and first["nextToken"]
    assert [item["sessionArn"] for page in pages for item in page["items"]] == arns
    assert len(pages) == 3 and "nextToken" not in pages[-1]
    assert {"sessionArn", "principalArn", "status", "issuedAt", "expiresAt"} <= set(first["items"][0])
    assert "lastUsedAt" not in first["items"][0]  # only GetSession has it, as in the model


def test_get_session_has_last_used_and_hides_other_principals_sessions(fake_signin: FakeSignin, signin: Any) -> None:
    arn = fake_signin.create_session(PRINCIPAL, issued_at=1_700_000_000, last_used_at=1_700_000_900)

    assert signin.get_session(sessionArn=arn, principalArn=PRINCIPAL)["lastUsedAt"] == 1_700_000_900
    with pytest.raises(ClientError) as caught:
        signin.get_session(sessionArn=arn, principalArn="arn:aws:iam::123456789012:user/other")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_batch_revoke_revokes_and_reports_per_session_errors(fake_signin: FakeSignin, signin: Any) -> None:
    ok, broken = fake_signin.create_session(PRINCIPAL), fake_signin.create_session(PRINCIPAL)
    fake_signin.fail_revoking(broken, "InternalServerException")

    answer = signin.batch_revoke_sessions(principalArn=PRINCIPAL, sessionArns=[ok, broken])

    assert answer["revokedSessions"] == [{"sessionArn": ok}]
    assert [(e["sessionArn"], e["code"]) for e in answer["errors"]] == [(broken, "InternalServerException")]
    assert [s.status for s in fake_signin.sessions(PRINCIPAL)] == ["REVOKED", "ACTIVE"]
    assert signin.list_sessions(principalArn=PRINCIPAL, status="ACTIVE")["items"][0]["sessionArn"] == broken


def test_batch_revoke_refuses_more_than_five_sessions(fake_signin: FakeSignin, signin: Any) -> None:
    """botocore does not check a list's maximum length on the client, so the fake enforces the model's 5."""
    arns = [fake_signin.create_session(PRINCIPAL) for _ in range(6)]

    with pytest.raises(ClientError) as caught:
        signin.batch_revoke_sessions(principalArn=PRINCIPAL, sessionArns=arns)

    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert all(s.status == "ACTIVE" for s in fake_signin.sessions())


def test_a_path_in_the_principal_arn_is_refused_as_the_model_pattern_says(fake_signin: FakeSignin, signin: Any) -> None:
    with pytest.raises(ClientError) as caught:
        signin.list_sessions(principalArn="arn:aws:iam::123456789012:user/amplify-dev/dana.dev-udev")

    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_injected_failure_carries_its_code_and_every_call_is_recorded(fake_signin: FakeSignin, signin: Any) -> None:
    fake_signin.fail("ListSessions", "AccessDeniedException", status=403)

    with pytest.raises(ClientError) as caught:
        signin.list_sessions(principalArn=PRINCIPAL)
    signin.list_sessions(principalArn=PRINCIPAL)

    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
    calls = fake_signin.calls_to("ListSessions")
    assert len(calls) == 2
    assert calls[0].body == {"principalArn": PRINCIPAL}
    assert calls[1].signed_service == "signin"
    assert calls[1].host == fake_signin.url.removeprefix("http://")


def test_an_unsigned_request_is_refused(fake_signin: FakeSignin) -> None:
    request = urllib.request.Request(  # noqa: S310 (loopback)
        fake_signin.url + "/list-sessions", data=json.dumps({}).encode(), method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)  # noqa: S310 (loopback)

    assert caught.value.code == 403
    assert caught.value.headers["x-amzn-errortype"] == "AccessDeniedException"


def test_serve_for_points_the_bots_signin_client_at_the_fake() -> None:
    import boto3

    from iam.signin_client import signin_client_from
    from playground.signin_api import serve_for

    environ: dict[str, str] = {}
    fake = serve_for(environ, account_id="123456789012", region="eu-west-1")
    try:
        session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="y", region_name="eu-west-1")
        client = signin_client_from(session, "eu-west-1", environ=environ)
        fake.create_session(PRINCIPAL)

        assert environ["AWS_ENDPOINT_URL_SIGNIN"] == fake.url
        assert len(client.list_sessions(principalArn=PRINCIPAL)["items"]) == 1
    finally:
        fake.stop()


def test_the_fake_runs_as_its_own_process_and_prints_its_url() -> None:
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "playground.signin_api", "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        ready = process.stdout.readline().split()
        assert ready[0] == "READY" and ready[1].startswith("http://127.0.0.1:")
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0
