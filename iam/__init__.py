"""The bot's IAM layer: creates, inspects and revokes developers' IAM users. Knows nothing about Slack."""

from .accounts import assumed_role_session, caller_account, iam_client_from, project_session
from .client import build_iam_client
from .credentials import (
    access_key_age,
    console_signin_url,
    create_access_key,
    create_console_login,
    delete_access_key,
    delete_console_login,
    generate_password,
    get_password_policy,
    list_access_key_ids,
)
from .errors import AccessKeyLimit, IamError, NotManagedByBot, UserNameTaken
from .expiry import (
    EXPIRY_POLICY_NAME,
    TAG_EXPIRES_AT,
    expiry_policy_document,
    format_expiry,
    list_users_under_path,
    set_expiry,
)
from .models import (
    TAG_APPROVED_BY,
    TAG_INSTANCE,
    TAG_PROJECT,
    TAG_REQUEST,
    TAG_SLACK_USER,
    AccessKey,
    ManagedUser,
    Owner,
    PasswordPolicy,
    ProvisionSpec,
    Secret,
)
from .names import account_id_from_arn, derive_user_name, is_valid_path, is_valid_user_name
from .provisioning import create_developer_user
from .users import adopt_user, get_managed_user, revoke_developer_user

__all__ = [
    "EXPIRY_POLICY_NAME",
    "TAG_APPROVED_BY",
    "TAG_EXPIRES_AT",
    "TAG_INSTANCE",
    "TAG_PROJECT",
    "TAG_REQUEST",
    "TAG_SLACK_USER",
    "AccessKey",
    "AccessKeyLimit",
    "IamError",
    "ManagedUser",
    "NotManagedByBot",
    "Owner",
    "PasswordPolicy",
    "ProvisionSpec",
    "Secret",
    "UserNameTaken",
    "access_key_age",
    "account_id_from_arn",
    "adopt_user",
    "assumed_role_session",
    "build_iam_client",
    "caller_account",
    "console_signin_url",
    "create_access_key",
    "create_console_login",
    "create_developer_user",
    "delete_access_key",
    "delete_console_login",
    "derive_user_name",
    "expiry_policy_document",
    "format_expiry",
    "generate_password",
    "get_managed_user",
    "get_password_policy",
    "iam_client_from",
    "is_valid_path",
    "is_valid_user_name",
    "list_access_key_ids",
    "list_users_under_path",
    "project_session",
    "revoke_developer_user",
    "set_expiry",
]
