"""The signin client reaches the endpoint the operator names, which botocore's own endpoint rules ignore."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from iam.signin_client import signin_client_from, signin_endpoint_override

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def _where_list_sessions_goes(client: Any) -> dict[str, str]:
    """Send ListSessions, answered by a before-send hook (nothing leaves the process): its URL and signature."""
    seen: dict[str, str] = {}

    def answer(request: Any, **_: Any) -> AWSResponse:
        seen["url"] = request.url
        seen["authorization"] = request.headers["Authorization"].decode()
        return AWSResponse(request.url, 200, {}, _Raw(b'{"items": []}'))

    client.meta.events.register("before-send.signin", answer)
    client.list_sessions(principalArn="arn:aws:iam::123456789012:user/dana")
    return seen


class _Raw:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Any:
        yield self._data


def test_botocore_ignores_endpoint_url_for_signin_control_plane_calls() -> None:
    """The fact the re-pointing exists for: with endpoint_url alone, ListSessions still goes to AWS."""
    client = boto3.client("signin", region_name="eu-west-1", endpoint_url="http://127.0.0.1:9", **CREDENTIALS)

    assert _where_list_sessions_goes(client)["url"] == "https://signin.eu-west-1.api.aws/list-sessions"


def test_signin_client_sends_to_the_named_endpoint_signed_for_signin() -> None:
    session = boto3.Session(region_name="eu-west-1", **CREDENTIALS)
    client = signin_client_from(session, "eu-west-1", endpoint_url="http://127.0.0.1:9/proxy/")

    seen = _where_list_sessions_goes(client)

    assert seen["url"] == "http://127.0.0.1:9/proxy/list-sessions"
    assert "/eu-west-1/signin/aws4_request" in seen["authorization"]
    assert "host" in seen["authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")


def test_without_an_override_the_client_is_left_as_botocore_builds_it() -> None:
    client = signin_client_from(boto3.Session(region_name="eu-west-1", **CREDENTIALS), "eu-west-1", environ={})

    assert _where_list_sessions_goes(client)["url"] == "https://signin.eu-west-1.api.aws/list-sessions"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        (
            {"AWS_ENDPOINT_URL_SIGNIN": "http://signin.local", "AWS_ENDPOINT_URL": "http://all.local"},
            "http://signin.local",
        ),
        ({"AWS_ENDPOINT_URL": "http://all.local"}, "http://all.local"),
        ({"AWS_ENDPOINT_URL_SIGNIN": " ", "AWS_ENDPOINT_URL": ""}, None),
        ({}, None),
    ],
)
def test_endpoint_override_prefers_the_signin_variable(environ: dict[str, str], expected: str | None) -> None:
    assert signin_endpoint_override(environ) == expected


def test_environment_override_reaches_the_client() -> None:
    session = boto3.Session(region_name="eu-west-1", **CREDENTIALS)
    client = signin_client_from(session, "eu-west-1", environ={"AWS_ENDPOINT_URL_SIGNIN": "https://vpce.example:8443"})

    assert _where_list_sessions_goes(client)["url"] == "https://vpce.example:8443/list-sessions"


def test_a_malformed_endpoint_is_refused() -> None:
    with pytest.raises(ValueError, match="http"):
        signin_client_from(boto3.Session(region_name="eu-west-1", **CREDENTIALS), "eu-west-1", endpoint_url="signin")
