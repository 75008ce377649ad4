"""A signin client pointed at the fake Sign-In service, for the tests of iam.signin and playground.signin_api."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from iam.signin_client import signin_client_from
from playground.signin_api import FakeSignin

ACCOUNT = "123456789012"
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/amplify-dev/dana.dev-udev"
PRINCIPAL = f"arn:aws:iam::{ACCOUNT}:user/dana.dev-udev"  # the path-less form the Sign-In calls take


@pytest.fixture
def fake_signin() -> Iterator[FakeSignin]:
    """A fresh fake Sign-In service on a loopback port."""
    with FakeSignin(account_id=ACCOUNT, region="eu-west-1") as fake:
        yield fake


@pytest.fixture
def signin(fake_signin: FakeSignin) -> Any:
    """A signin client re-pointed at the fake, with dummy credentials (nothing can reach AWS)."""
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="eu-west-1")
    return signin_client_from(session, "eu-west-1", endpoint_url=fake_signin.url)
