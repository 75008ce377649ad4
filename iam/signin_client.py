"""The AWS Sign-In client, and the endpoint override botocore's own rules ignore for it.

Checked against botocore 1.44.8: the signin endpoint rule set's first rule matches every operation marked
``IsControlPlane`` (ListSessions, GetSession, BatchRevokeSessions) and resolves to
``https://signin.<region>.api.aws`` before the ``Endpoint`` parameter is ever looked at, so both
``boto3.client("signin", endpoint_url=...)`` and ``AWS_ENDPOINT_URL(_SIGNIN)`` are silently ignored for them
(tests/iam/test_signin_client.py shows it with a before-send hook). To let the tests, ``--sandbox``, the
playground and operators behind a proxy reach the endpoint they name, a ``before-sign`` handler swaps the
request's scheme, host and base path for the named endpoint's; SigV4 then signs the new host as usual (the
signer takes ``host`` from the request URL), with the signing name and region unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
from botocore.client import BaseClient
from botocore.config import Config

# The variable botocore itself derives from the service id "Signin" (and ignores for these calls), then the
# global one: the same order botocore uses for every other service.
ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_SIGNIN", "AWS_ENDPOINT_URL")


def signin_endpoint_override(environ: Mapping[str, str] | None = None) -> str | None:
    """The endpoint the operator names for Sign-In calls: AWS_ENDPOINT_URL_SIGNIN, else AWS_ENDPOINT_URL."""
    environ = os.environ if environ is None else environ
    for name in ENDPOINT_VARIABLES:
        value = (environ.get(name) or "").strip()
        if value:
            return value
    return None


def repoint_signin_requests(client: BaseClient, endpoint_url: str) -> None:
    """Send every request of this signin client to `endpoint_url` (scheme, host, base path), signed for it."""
    target = urlsplit(endpoint_url)
    if target.scheme not in ("http", "https") or not target.netloc:
        raise ValueError("the Sign-In endpoint must be an http(s) URL")
    base_path = target.path.rstrip("/")

    def repoint(request: Any, **_: Any) -> None:
        original = urlsplit(request.url)
        request.url = urlunsplit((target.scheme, target.netloc, base_path + original.path, original.query, ""))

    client.meta.events.register("before-sign.signin", repoint, unique_id="amplify-dev-signin-endpoint")


def signin_client_from(
    session: boto3.Session | None,
    region: str,
    *,
    endpoint_url: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> BaseClient:
    """A signin client (standard retries, bounded timeouts) re-pointed to the named endpoint, if any.

    `endpoint_url` wins; otherwise AWS_ENDPOINT_URL_SIGNIN, then AWS_ENDPOINT_URL, from `environ` (os.environ).
    """
    config = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=15)
    client = (session or boto3.Session()).client("signin", region_name=region, config=config)
    override = endpoint_url or signin_endpoint_override(environ)
    if override:
        repoint_signin_requests(client, override)
    return client
