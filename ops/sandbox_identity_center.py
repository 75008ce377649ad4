"""Sandbox mode with AMPLIFY_DEV_MODE=identity-center: Identity Center and the Identity Store played by moto.

moto's ListInstances makes an instance on first call; we add a demo permission set (8-hour sessions) and let
the bot create the requester's Identity Store user at approval, since nobody's real email is in the fake
directory. Assignments in moto succeed at once and are forgotten when the process stops.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from identity_center import IdentityCenterClients, build_identity_center_clients
from settings import IdentityCenterSettings

logger = logging.getLogger("amplify-dev.sandbox")

DEMO_PERMISSION_SET = "AmplifyDeveloper"
DEMO_SESSION = "PT8H"
SANDBOX_ACCOUNT = "123456789012"  # moto's default account


def start_sandbox_identity_center(
    region: str, config: IdentityCenterSettings
) -> tuple[IdentityCenterClients, IdentityCenterSettings]:
    """Clients on the running moto mock (start_sandbox_iam first), and settings pointing at its demo objects."""
    clients = build_identity_center_clients(region, SANDBOX_ACCOUNT)
    instance = clients.sso_admin.list_instances()["Instances"][0]
    arn = instance["InstanceArn"]
    existing = [
        ps
        for ps in clients.sso_admin.list_permission_sets(InstanceArn=arn).get("PermissionSets") or []
        if clients.sso_admin.describe_permission_set(InstanceArn=arn, PermissionSetArn=ps)["PermissionSet"]["Name"]
        == DEMO_PERMISSION_SET
    ]
    permission_set = (
        existing[0]
        if existing
        else clients.sso_admin.create_permission_set(
            InstanceArn=arn, Name=DEMO_PERMISSION_SET, SessionDuration=DEMO_SESSION
        )["PermissionSet"]["PermissionSetArn"]
    )
    logger.warning(
        "SANDBOX MODE: IAM Identity Center is an in-process fake (moto): permission set %s, Identity Store users "
        "created on approval. Nothing is assigned in AWS.",
        DEMO_PERMISSION_SET,
    )
    sandboxed = replace(
        config,
        permission_set_arn=permission_set,
        instance_arn=arn,
        identity_store_id=instance["IdentityStoreId"],
        account_id=SANDBOX_ACCOUNT,
        create_users=True,
    )
    return clients, sandboxed
