"""Looking up, adopting and revoking the developers' IAM users (only those this deployment made)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from botocore.client import BaseClient

from ._aws import AWS_ERRORS, collect, collect_service_specific_credentials
from .errors import (
    IamError,
    NotManagedByBot,
    error_code,
    is_no_such_entity,
)
from .models import (
    TAG_INSTANCE,
    TAG_REQUEST,
    TAG_SLACK_USER,
    ManagedUser,
    Owner,
)

logger = logging.getLogger(__name__)

_UndoStep = tuple[str, Callable[[], object]]


def read_user_tags(iam: BaseClient, user_name: str) -> dict[str, str]:
    try:
        return {t["Key"]: t["Value"] for t in collect(iam, "list_user_tags", "Tags", UserName=user_name)}
    except AWS_ERRORS as exc:
        raise IamError("ListUserTags", error_code(exc)) from None


def get_managed_user(
    iam: BaseClient, user_name: str, owner: Owner, *, request_id: str | None = None
) -> ManagedUser | None:
    """Return this deployment's user of that name, None if there is none, or raise NotManagedByBot.

    A user from before instance tags (our path and tags, no instance tag) is this deployment's only when
    `request_id`, a request this deployment's store holds, is the one on its tag: it is then tagged and returned.
    """
    try:
        user = iam.get_user(UserName=user_name)["User"]
    except AWS_ERRORS as exc:
        if is_no_such_entity(exc):
            return None
        raise IamError("GetUser", error_code(exc)) from None
    if user["Path"] != owner.path:
        raise NotManagedByBot("GetUser", "NotManagedByBot", detail=f"the user is not under {owner.path}")
    # GetUser returns the user's tags (IAM allows at most 50), so no ListUserTags call is needed.
    tags = {t["Key"]: t["Value"] for t in user.get("Tags", [])}
    if TAG_SLACK_USER not in tags:
        raise NotManagedByBot("GetUser", "NotManagedByBot", detail="the user lacks the bot's tags")
    if TAG_INSTANCE not in tags and request_id is not None and tags.get(TAG_REQUEST) == request_id:
        tags = adopt_user(iam, user_name, owner, tags)
    if tags.get(TAG_INSTANCE) != owner.instance:
        raise NotManagedByBot("GetUser", "NotManagedByBot", detail="the user belongs to another amplify-dev instance")
    return ManagedUser(
        user_name=user["UserName"], arn=user["Arn"], path=user["Path"], tags=tags, user_id=user.get("UserId")
    )


def adopt_user(iam: BaseClient, user_name: str, owner: Owner, tags: dict[str, str]) -> dict[str, str]:
    """Give a user made before instance tags this deployment's instance tag (its request is in our store)."""
    try:
        iam.tag_user(UserName=user_name, Tags=[{"Key": TAG_INSTANCE, "Value": owner.instance}])
    except AWS_ERRORS as exc:
        raise IamError("TagUser", error_code(exc), rolled_back=False) from None
    logger.info("Adopted IAM user %s made before instance tags", user_name)
    return {**tags, TAG_INSTANCE: owner.instance}


def revoke_developer_user(
    iam: BaseClient,
    user_name: str,
    owner: Owner,
    *,
    request_id: str | None = None,
    checked: ManagedUser | None = None,
) -> bool:
    """Delete this deployment's user and everything attached to it; return False if it did not exist.

    `checked`: the caller read the user with get_managed_user just before (the ownership check is not repeated).
    """
    try:
        user = checked or get_managed_user(iam, user_name, owner, request_id=request_id)
    except NotManagedByBot:
        raise
    except IamError as exc:
        raise IamError(exc.step, exc.code, rolled_back=False) from None
    if user is None:
        return False

    # DeleteUser fails with DeleteConflict until every one of these is gone, and moto does not check it,
    # so the order is ours to keep. Each step tolerates NoSuchEntity so that a retry can finish the job.
    def listed(step: str, operation: str, result_key: str) -> list[Any]:
        return _list(step, lambda: collect(iam, operation, result_key, UserName=user_name))

    name = {"UserName": user_name}
    for key in listed("ListAccessKeys", "list_access_keys", "AccessKeyMetadata"):
        _delete("DeleteAccessKey", iam.delete_access_key, **name, AccessKeyId=key["AccessKeyId"])
    _delete("DeleteLoginProfile", iam.delete_login_profile, **name)
    for cert in listed("ListSigningCertificates", "list_signing_certificates", "Certificates"):
        _delete(
            "DeleteSigningCertificate",
            iam.delete_signing_certificate,
            **name,
            CertificateId=cert["CertificateId"],
        )
    for ssh_key in listed("ListSSHPublicKeys", "list_ssh_public_keys", "SSHPublicKeys"):
        _delete("DeleteSSHPublicKey", iam.delete_ssh_public_key, **name, SSHPublicKeyId=ssh_key["SSHPublicKeyId"])
    for cred in _list("ListServiceSpecificCredentials", lambda: collect_service_specific_credentials(iam, user_name)):
        cred_id = cred["ServiceSpecificCredentialId"]
        _delete(
            "DeleteServiceSpecificCredential",
            iam.delete_service_specific_credential,
            **name,
            ServiceSpecificCredentialId=cred_id,
        )
    for device in listed("ListMFADevices", "list_mfa_devices", "MFADevices"):
        serial = device["SerialNumber"]
        _delete("DeactivateMFADevice", iam.deactivate_mfa_device, **name, SerialNumber=serial)
        # Hardware devices have a plain serial number; only virtual ones (an ARN) exist as IAM entities.
        if serial.startswith("arn:"):
            _delete("DeleteVirtualMFADevice", iam.delete_virtual_mfa_device, SerialNumber=serial)
    for policy_name in listed("ListUserPolicies", "list_user_policies", "PolicyNames"):
        _delete("DeleteUserPolicy", iam.delete_user_policy, **name, PolicyName=policy_name)
    for policy in listed("ListAttachedUserPolicies", "list_attached_user_policies", "AttachedPolicies"):
        _delete("DetachUserPolicy", iam.detach_user_policy, **name, PolicyArn=policy["PolicyArn"])
    for group in listed("ListGroupsForUser", "list_groups_for_user", "Groups"):
        _delete("RemoveUserFromGroup", iam.remove_user_from_group, **name, GroupName=group["GroupName"])
    _delete("DeleteUser", iam.delete_user, UserName=user_name)
    logger.info("Revoked IAM user %s", user_name)
    return True


def _list(step: str, lister: Callable[[], list[Any]]) -> list[Any]:
    try:
        return lister()
    except AWS_ERRORS as exc:
        if is_no_such_entity(exc):
            return []
        raise IamError(step, error_code(exc), rolled_back=False) from None


def _delete(step: str, action: Callable[..., object], **params: Any) -> None:
    try:
        action(**params)
    except AWS_ERRORS as exc:
        if not is_no_such_entity(exc):
            raise IamError(step, error_code(exc), rolled_back=False) from None
