"""Informed approval: what a request grants, shown where a lead decides (the leads' message, the Home tab's pending
rows, the extension request): the managed policies by name, a plain warning for an admin-equivalent one without a
permissions boundary, the boundary and group, the account and project, and the kind of credentials."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from settings import Settings
from settings.policies import admin_equivalent, is_aws_managed, policy_name

from .basics import Granted, escape, project_label

_BOTS_OWN = "the bot's own account"


class CredentialKind(StrEnum):
    """How the developer reaches AWS once approved (AMPLIFY_DEV_CREDENTIALS's values, and the Identity Center mode)."""

    ACCESS_KEY = "access-key"
    SIGN_IN = "sign-in"
    PERMISSION_SET = "identity-center"

    @property
    def words(self) -> str:
        """The kind as a lead reads it."""
        return {
            CredentialKind.ACCESS_KEY: "an access key (a long-lived secret, deleted when access ends)",
            CredentialKind.SIGN_IN: "console sign-in and `aws login` (short-lived CLI credentials, no access key)",
            CredentialKind.PERMISSION_SET: "an IAM Identity Center permission set (sign-in through the access portal)",
        }[self]

    @property
    def short(self) -> str:
        """The kind in a few words, for one-line rows."""
        return {
            CredentialKind.ACCESS_KEY: "access key",
            CredentialKind.SIGN_IN: "sign-in, no key",
            CredentialKind.PERMISSION_SET: "Identity Center",
        }[self]


@dataclass(frozen=True)
class GrantDescription:
    """What approving grants, in the terms a lead weighs (built from a project's settings: grant_description)."""

    project: str  # the project's name; empty for a bot without a projects file (its one project goes unnamed)
    credential: CredentialKind
    account: str | None = None  # the AWS account id, when known
    project_description: str = ""
    policy_arns: tuple[str, ...] = ()  # empty in the Identity Center mode: the permission set holds the policies
    permissions_boundary: str | None = None
    iam_group: str | None = None
    permission_set: str | None = None  # its name (or ARN) in the Identity Center mode

    @property
    def admin_policies(self) -> list[str]:
        """Admin-equivalent policies granted with no boundary to cap them (what the warning names)."""
        return [] if self.permissions_boundary else admin_equivalent(self.policy_arns)


def grant_description(
    settings: Settings,
    *,
    account: str | None = None,
    credential: CredentialKind | None = None,
    permission_set: str | None = None,
) -> GrantDescription:
    """The grant of a project's settings. `credential`: the grant kind's (default: its mode's, or access key)."""
    ic = settings.identity_center
    if credential is None:
        configured = getattr(settings, "credentials", CredentialKind.ACCESS_KEY.value)
        credential = CredentialKind.PERMISSION_SET if ic else CredentialKind(configured)
    role = settings.account_role_arn  # a project in another account: its role's account (arn:aws:iam::<id>:role/x)
    role_account = role.split(":")[4] if role and role.count(":") >= 5 else None
    return GrantDescription(
        project=settings.project if settings.projects_file else "",
        project_description=settings.description,
        credential=credential,
        account=account or (ic.account_id if ic else None) or role_account,
        policy_arns=() if ic else settings.policy_arns,
        permissions_boundary=None if ic else settings.permissions_boundary,
        iam_group=None if ic else settings.iam_group,
        permission_set=(permission_set or ic.permission_set_arn) if ic else None,
    )


def described(granted: Granted, settings: Settings) -> Granted:
    """`granted` with what approving grants: the grant kind's own description, else the one its settings give."""
    return granted if granted.grant is not None else replace(granted, grant=grant_description(settings))


def _policies(grant: GrantDescription) -> str:
    names = [
        f"`{escape(policy_name(arn))}`" + ("" if is_aws_managed(arn) else " (the account's own)")
        for arn in grant.policy_arns
    ]
    return ", ".join(names) or "none"


def _what(grant: GrantDescription) -> str:
    """The field that says what is granted: the policies, or the permission set."""
    if grant.credential is CredentialKind.PERMISSION_SET:
        return f"permission set `{escape(grant.permission_set or 'unknown')}`"
    return _policies(grant)


def admin_warning(grant: GrantDescription) -> str | None:
    """The plain warning for an admin-equivalent policy without a boundary, or None."""
    names = grant.admin_policies
    if not names:
        return None
    listed = " and ".join(f"`{escape(n)}`" for n in names)
    return (
        f":warning: {listed} without a permissions boundary: in AWS's own words as powerful as "
        "AdministratorAccess, so this developer gets the power of an account administrator, not just the project."
    )


def grant_fields(grant: GrantDescription) -> list[MarkdownTextObject]:
    """The grant as section fields (at most 6 of Slack's 10): what, boundary, group, account, project, credentials."""
    fields = [MarkdownTextObject(text=f"*Grants*\n{_what(grant)}")]
    if grant.credential is not CredentialKind.PERMISSION_SET:
        boundary = f"`{escape(policy_name(grant.permissions_boundary))}`" if grant.permissions_boundary else "none"
        fields.append(MarkdownTextObject(text=f"*Permissions boundary*\n{boundary}"))
    if grant.iam_group:
        fields.append(MarkdownTextObject(text=f"*IAM group*\n`{escape(grant.iam_group)}`"))
    fields.append(MarkdownTextObject(text=f"*Account*\n{escape(grant.account) if grant.account else _BOTS_OWN}"))
    if grant.project:
        fields.append(MarkdownTextObject(text=f"*Project*\n{project_label(grant.project, grant.project_description)}"))
    fields.append(MarkdownTextObject(text=f"*Credentials*\n{grant.credential.words}"))
    return fields


def grant_blocks(grant: GrantDescription) -> list[Block]:
    """The grant for the leads' message: a heading, the fields, and the warning when there is one."""
    blocks: list[Block] = [
        ContextBlock(elements=[MarkdownTextObject(text="*What approving grants*")]),
        SectionBlock(fields=grant_fields(grant)),
    ]
    warning = admin_warning(grant)
    if warning:
        blocks.append(SectionBlock(text=warning))
    return blocks


def grant_line(grant: GrantDescription) -> str:
    """The grant in one mrkdwn line (the Home tab's pending rows, the extension request), warning first."""
    parts = [f"Grants {_what(grant)}"]
    if grant.credential is not CredentialKind.PERMISSION_SET:
        parts[0] += (
            f" with boundary `{escape(policy_name(grant.permissions_boundary))}`"
            if grant.permissions_boundary
            else ", no boundary"
        )
    if grant.iam_group:
        parts.append(f"group `{escape(grant.iam_group)}`")
    parts.append(f"account {escape(grant.account)}" if grant.account else _BOTS_OWN)
    if grant.project:
        parts.append(f"project `{escape(grant.project)}`")
    parts.append(grant.credential.short)
    line = " · ".join(parts)
    return (":warning: *admin-equivalent* · " + line) if grant.admin_policies else line
