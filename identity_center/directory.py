"""The Identity Store side: find the instance, match a user by email, optionally create one."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .errors import IdentityCenterError, InstanceNotFound, NoIdentityStoreUser, from_aws
from .models import Instance

_AwsError = (ClientError, BotoCoreError)


def find_instance(sso_admin: Any, instance_arn: str | None, identity_store_id: str | None) -> Instance:
    """The configured instance, or the account's only one (ListInstances); InstanceNotFound otherwise."""
    if instance_arn and identity_store_id:
        return Instance(instance_arn, identity_store_id)
    try:
        instances = sso_admin.list_instances(MaxResults=10).get("Instances") or []
    except _AwsError as exc:
        raise from_aws("ListInstances", exc) from None
    if instance_arn:
        instances = [i for i in instances if i.get("InstanceArn") == instance_arn]
    if len(instances) != 1:
        detail = "none found" if not instances else f"{len(instances)} found; set AMPLIFY_DEV_SSO_INSTANCE_ARN"
        raise InstanceNotFound("ListInstances", "NotFound" if not instances else "Ambiguous", detail=detail)
    found = instances[0]
    return Instance(found["InstanceArn"], identity_store_id or found["IdentityStoreId"])


def find_user_id(identitystore: Any, identity_store_id: str, email: str) -> str:
    """The Identity Store user whose email is exactly `email`; NoIdentityStoreUser when there is none."""
    if not email:
        raise NoIdentityStoreUser("GetUserId", "NoEmail")
    try:
        response = identitystore.get_user_id(
            IdentityStoreId=identity_store_id,
            AlternateIdentifier={"UniqueAttribute": {"AttributePath": "emails.value", "AttributeValue": email}},
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            raise NoIdentityStoreUser("GetUserId", "ResourceNotFoundException") from None
        raise from_aws("GetUserId", exc) from None
    except BotoCoreError as exc:
        raise from_aws("GetUserId", exc) from None
    return str(response["UserId"])


def describe_user_name(identitystore: Any, identity_store_id: str, user_id: str) -> str:
    """The Identity Store user's UserName (what they sign in to the portal with)."""
    try:
        return str(identitystore.describe_user(IdentityStoreId=identity_store_id, UserId=user_id)["UserName"])
    except _AwsError as exc:
        raise from_aws("DescribeUser", exc) from None


def create_user(identitystore: Any, identity_store_id: str, email: str, display_name: str) -> str:
    """Create an Identity Store user for `email` (Identity Center's own directory only); returns its id."""
    given, _, family = (display_name or email.split("@")[0]).partition(" ")
    try:
        response = identitystore.create_user(
            IdentityStoreId=identity_store_id,
            UserName=email,
            DisplayName=display_name or email,
            Name={"GivenName": given or email, "FamilyName": family or "-"},
            Emails=[{"Value": email, "Type": "work", "Primary": True}],
        )
    except _AwsError as exc:
        raise from_aws("CreateUser", exc) from None
    return str(response["UserId"])


__all__ = ["IdentityCenterError", "create_user", "describe_user_name", "find_instance", "find_user_id"]
