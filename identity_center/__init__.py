"""The bot's IAM Identity Center layer: account assignments and Identity Store look-ups. Knows nothing about
Slack; every function takes its boto3 client (sso-admin or identitystore) as an argument."""

from .assignments import (
    create_assignment,
    delete_assignment,
    describe_permission_set,
    list_assignments,
    parse_duration,
    user_group_ids,
)
from .client import IdentityCenterClients, build_identity_center_clients
from .directory import create_user, describe_user_name, find_instance, find_user_id
from .errors import AssignmentTimedOut, IdentityCenterError, InstanceNotFound, NoIdentityStoreUser
from .models import Assignment, Instance, PermissionSet, Target

__all__ = [
    "Assignment",
    "AssignmentTimedOut",
    "IdentityCenterClients",
    "IdentityCenterError",
    "Instance",
    "InstanceNotFound",
    "NoIdentityStoreUser",
    "PermissionSet",
    "Target",
    "build_identity_center_clients",
    "create_assignment",
    "create_user",
    "delete_assignment",
    "describe_permission_set",
    "describe_user_name",
    "find_instance",
    "find_user_id",
    "list_assignments",
    "parse_duration",
    "user_group_ids",
]
