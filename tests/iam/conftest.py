"""moto-backed IAM client, fault injection and call recording for the iam/ tests."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from iam_support import AWS_ENV_TO_CLEAR, INSTANCE, PATH, Call, FakeServiceSpecificCredentials, client_error
from moto import mock_aws

from iam import ProvisionSpec, build_iam_client


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "aws_managed_policies: load moto's copy of the AWS managed policies",
    )


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Dummy credentials and no config files, so nothing can reach a real AWS account."""
    for name in AWS_ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


@pytest.fixture
def service_credentials() -> FakeServiceSpecificCredentials:
    """The service-specific credentials the fake IAM holds, by user."""
    return FakeServiceSpecificCredentials()


@pytest.fixture
def iam(
    request: pytest.FixtureRequest,
    aws_credentials: None,
    aws_built_once: None,
    service_credentials: FakeServiceSpecificCredentials,
) -> Iterator[Any]:
    """A fresh, empty moto IAM account per test; AWS managed policies only with @aws_managed_policies."""
    # Only the tests that attach an AWS managed policy see them (copies of the session's, see aws_built_once);
    # every test gets its own account.
    load_managed = request.node.get_closest_marker("aws_managed_policies") is not None
    with mock_aws(config={"iam": {"load_aws_managed_policies": load_managed}}):
        client = build_iam_client("us-east-1")
        service_credentials.install(client)
        yield client


@pytest.fixture
def calls(iam: Any) -> list[Call]:
    """Every IAM call the code under test makes, as (operation, parameters), in order."""
    recorded: list[Call] = []

    def record(params: dict[str, Any], model: Any, **kwargs: Any) -> None:
        recorded.append((model.name, dict(params)))

    # provide-client-params fires before validation and before any injected fault, with the parameters as
    # the code passed them: this is how we see what moto ignores (PermissionsBoundary, PasswordResetRequired).
    iam.meta.events.register("provide-client-params.iam", record)
    return recorded


@pytest.fixture
def fail(iam: Any) -> Callable[..., Callable[..., None]]:
    """Make an IAM operation fail with an AWS error code; returns the hook so a test can remove it."""

    def inject(
        operation: str,
        code: str = "AccessDenied",
        *,
        status: int = 403,
        after: int = 0,
        times: int | None = None,
        applied: bool = False,
    ) -> Callable[..., None]:
        # The first `after` calls go through; then `times` calls fail (all of them if None). With
        # applied=True moto carries the call out first and only the answer is an error, as when a
        # concurrent caller got there first or a response is lost.
        seen = 0

        def hook(**kwargs: Any) -> None:
            nonlocal seen
            seen += 1
            if seen <= after or (times is not None and seen > after + times):
                return
            raise client_error(operation, code, status)

        iam.meta.events.register(f"{'after' if applied else 'before'}-call.iam.{operation}", hook)
        return hook

    return inject


@pytest.fixture
def make_spec() -> Callable[..., ProvisionSpec]:
    """Build a ProvisionSpec with sensible defaults for a test."""

    def build(**overrides: Any) -> ProvisionSpec:
        values: dict[str, Any] = {
            "user_name": "jane.doe-u012ab3cd",
            "path": PATH,
            "slack_user_id": "U012AB3CD",
            "request_id": "req-1",
            "approved_by": "U0LEAD001",
            "policy_arns": (),
            "console": False,
            "instance": INSTANCE,
        }
        values.update(overrides)
        return ProvisionSpec(**values)

    return build


@pytest.fixture
def customer_policies(iam: Any) -> list[str]:
    """Three customer managed policies in the moto account, returned as ARNs."""
    document = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"amplify:Get*","Resource":"*"}]}'
    return [
        iam.create_policy(PolicyName=f"amplify-dev-test-{n}", PolicyDocument=document)["Policy"]["Arn"]
        for n in range(3)
    ]


@pytest.fixture(scope="session")
def certificate_pem() -> str:
    """A self-signed X.509 certificate, as moto checks that uploaded signing certificates parse."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "amplify-dev test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()
