"""build_iam_client: retries, timeouts and endpoint resolution."""

from __future__ import annotations

import pytest

from iam import build_iam_client


def test_client_retries_in_standard_mode_with_bounded_timeouts(aws_credentials: None) -> None:
    client = build_iam_client("us-east-1")

    config = client.meta.config
    # botocore stores max_attempts (retries) as total_max_attempts (first attempt included).
    assert config.retries == {"mode": "standard", "total_max_attempts": 6}
    assert (config.connect_timeout, config.read_timeout) == (5, 15)
    assert client.meta.service_model.service_name == "iam"
    assert client.meta.endpoint_url == "https://iam.amazonaws.com"


def test_client_honours_aws_endpoint_url_when_none_is_given(
    aws_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:4566")

    assert build_iam_client("us-east-1").meta.endpoint_url == "http://localhost:4566"


def test_explicit_endpoint_url_wins(aws_credentials: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:4566")

    assert build_iam_client(endpoint_url="http://127.0.0.1:5000").meta.endpoint_url == "http://127.0.0.1:5000"
