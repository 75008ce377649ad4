"""Identity Center on moto (sso-admin, identitystore) beside moto's IAM, and a bot in identity-center mode.

moto is weaker than the service here: assignments succeed at once, duplicates are appended, nothing is
validated and GetUserId is case-sensitive. So the tests also record the calls made (botocore before-call hooks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from identity_center import IdentityCenterClients
from tests.conftest import Bot

ACCOUNT = "123456789012"
START_URL = "https://example.awsapps.com/start"
DANA_EMAIL = "dana@example.com"


@dataclass
class IdentityCenterWorld:
    """The fake Identity Center: its instance, the permission set the bot grants, Dana's user, the calls made."""

    clients: IdentityCenterClients
    instance_arn: str
    identity_store_id: str
    permission_set_arn: str
    dana: str
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def called(self, operation: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == operation]

    def add_user(self, email: str, name: str = "someone") -> str:
        return self.clients.identitystore.create_user(
            IdentityStoreId=self.identity_store_id,
            UserName=email,
            DisplayName=name,
            Name={"GivenName": name, "FamilyName": "X"},
            Emails=[{"Value": email, "Primary": True}],
        )["UserId"]

    def assign(self, principal_id: str, principal_type: str = "USER") -> None:
        """An assignment made by hand (not through the bot)."""
        self.clients.sso_admin.create_account_assignment(
            InstanceArn=self.instance_arn,
            TargetId=ACCOUNT,
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=self.permission_set_arn,
            PrincipalType=principal_type,
            PrincipalId=principal_id,
        )

    def assigned_users(self) -> set[str]:
        found = self.clients.sso_admin.list_account_assignments(
            InstanceArn=self.instance_arn, AccountId=ACCOUNT, PermissionSetArn=self.permission_set_arn
        )["AccountAssignments"]
        return {a["PrincipalId"] for a in found if a["PrincipalType"] == "USER"}


@pytest.fixture
def world(iam_client: Any) -> IdentityCenterWorld:
    """Inside the same moto mock as iam_client: one instance, an 8-hour permission set, Dana's user."""
    sso = boto3.client("sso-admin", region_name="eu-west-1")
    ids = boto3.client("identitystore", region_name="eu-west-1")
    instance = sso.list_instances()["Instances"][0]
    ps = sso.create_permission_set(InstanceArn=instance["InstanceArn"], Name="AmplifyDeveloper", SessionDuration="PT8H")
    world = IdentityCenterWorld(
        clients=IdentityCenterClients(sso_admin=sso, identitystore=ids, account_id=ACCOUNT),
        instance_arn=instance["InstanceArn"],
        identity_store_id=instance["IdentityStoreId"],
        permission_set_arn=ps["PermissionSet"]["PermissionSetArn"],
        dana="",
    )
    world.dana = world.add_user(DANA_EMAIL, "Dana")
    for client in (sso, ids):
        client.meta.events.register(
            "provide-client-params.*.*",
            lambda params, model, **_: world.calls.append((model.name, dict(params))),
        )
    return world


@pytest.fixture
def make_ic_bot(make_bot: Callable[..., Bot], world: IdentityCenterWorld) -> Callable[..., Bot]:
    """A bot in identity-center mode on the world (settings overrides as in make_bot)."""

    def factory(db_path: str | None = None, *, cloudformation: Any = None, **overrides: str) -> Bot:
        settings = {
            "AMPLIFY_DEV_MODE": "identity-center",
            "AMPLIFY_DEV_PERMISSION_SET_ARN": world.permission_set_arn,
            "AMPLIFY_DEV_SSO_START_URL": START_URL,
            **overrides,
        }
        return make_bot(db_path, identity_center=world.clients, cloudformation=cloudformation, **settings)

    return factory


@pytest.fixture
def ic_bot(make_ic_bot: Callable[..., Bot]) -> Bot:
    """The bot in identity-center mode with default settings."""
    return make_ic_bot()
