"""`python bot.py policy`: print the bot's own IAM policy (JSON on stdout) and what it cannot limit (stderr)."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from iam.names import account_id_from_arn, partition_from_arn, principal_arn
from ops.policy import MAX_MANAGED_POLICY_CHARS, bot_policy, policy_json, policy_size
from ops.policy_signin import SIGNIN_NOTE
from ops.projects_policy import new_external_id, project_role_policies, projects_bot_policy
from settings import Settings

TRUST_CALLER_FLAG = "--trust-caller"

# IAM authorizes iam:AddUserToGroup on the group only: no condition key names the user being added.
GROUP_LIMIT_NOTE = (
    "iam:AddUserToGroup cannot be limited to users under {path}: IAM checks it against the group only, so the "
    "bot's identity could add any IAM user in the account to {group}. Keep that group's permissions no wider "
    "than what developers get anyway, or leave AMPLIFY_DEV_IAM_GROUP unset."
)


def run_policy(
    settings: Settings,
    out: TextIO,
    *,
    principal: str | None = None,
    err: TextIO | None = None,
    projects: dict[str, Settings] | None = None,
    project: str | None = None,
    trust_caller: bool = False,
) -> int:
    """Print the bot's policy: for `principal` (the bot's role or user ARN), or for the current credentials.

    With a projects file: the bot's own policy (assume the listed roles, plus its own account's projects), or with
    `project` that project's role policy and trust policy. A trust policy names who may assume a role that creates
    IAM users: with `project`, `principal` is required, or `trust_caller` must confirm the current credentials.
    """
    err = err or sys.stderr
    several = bool(projects) and bool(settings.projects_file)
    if project is not None and (not several or project not in (projects or {})):
        names = ", ".join(projects or {}) if several else "none: AMPLIFY_DEV_PROJECTS_FILE is not set"
        print(f"amplify-dev: no project {project!r}; projects: {names}", file=err)
        return 2
    if principal is not None:
        resolved = None if "*" in principal or "?" in principal else principal_arn(principal)
        if resolved is None:
            print(
                f"amplify-dev: --principal-arn must be the ARN of the IAM role or user the bot runs as, such as "
                f"arn:aws:iam::123456789012:role/amplify-dev-bot, got {principal!r}",
                file=err,
            )
            return 2
        caller = resolved
    else:
        caller_or_none = _caller_arn(err)
        if caller_or_none is None:
            return 2
        caller = caller_or_none
        resolved = principal_arn(caller)
    if several and project is not None:
        chosen = (projects or {})[project]
        if not chosen.account_role_arn:
            print(f"# project {project} has no account_role_arn: it uses the bot's own policy below", file=err)
            out.write(
                policy_json(projects_bot_policy({project: chosen}, account_id_from_arn(caller), principal=resolved))
            )
            return 0
        if principal is None and not trust_caller:
            print(
                f"amplify-dev: the trust policy of project {project}'s role names who may assume it. Name the bot's "
                f"own role with --principal-arn <its ARN>. These credentials are {caller}: to trust exactly that "
                f"identity (only if the bot runs as it), add {TRUST_CALLER_FLAG}.",
                file=err,
            )
            return 2
        if principal is None:
            print(
                f"# the trust policy trusts {resolved or 'a placeholder (these credentials are no IAM role or user)'}, "
                f"the identity that ran this ({caller}, confirmed with {TRUST_CALLER_FLAG})",
                file=err,
            )
        external_id = chosen.external_id
        if external_id is None:
            external_id = new_external_id()
            print(
                f"# project {project} has no external_id yet. Add this line to its [projects.{project}] table in "
                f"{chosen.projects_file}, then restart the bot (it sends the id when it assumes the role):\n"
                f'external_id = "{external_id}"',
                file=err,
            )
        out.write(policy_json(project_role_policies(chosen, resolved, external_id)))
        return 0
    if several:
        policy = projects_bot_policy(
            projects or {}, account_id_from_arn(caller), partition_from_arn(caller), principal=resolved
        )
        out.write(policy_json(policy))
        for note in size_notes(policy):
            print(f"# {note}", file=err)
        return 0
    policy = bot_policy(settings, account_id_from_arn(caller), partition_from_arn(caller), principal=resolved)
    out.write(policy_json(policy))
    for note in [*policy_notes(settings, resolved, from_credentials=principal is None), *size_notes(policy)]:
        print(f"# {note}", file=err)
    return 0


def size_notes(policy: dict[str, Any]) -> list[str]:
    """What IAM's managed-policy limit did to the printed policy (ops/policy.fit_managed_policy), or that it is over."""
    size = policy_size(policy)
    if size > MAX_MANAGED_POLICY_CHARS:
        return [
            f"This policy is {size:,} characters, over the {MAX_MANAGED_POLICY_CHARS:,} IAM allows a managed policy: "
            "attach it to the bot's role as an inline policy (up to 10,240 characters for all of a role's inline "
            "policies), or shorten the path, the policy ARNs or the group name."
        ]
    if any("Sid" not in statement for statement in policy.get("Statement", [])):
        return [
            f"The statements carry no Sid: with them the policy would exceed the {MAX_MANAGED_POLICY_CHARS:,} "
            "characters IAM allows a managed policy (a Sid is a name; it allows nothing)."
        ]
    return []


def policy_notes(settings: Settings, principal: str | None, *, from_credentials: bool) -> list[str]:
    """What the printed policy cannot say in JSON: whose permissions `check` may simulate, and IAM's limits."""
    if settings.identity_center is not None:
        return [
            "Identity Center mode: the iam:* role and SAML-provider actions are the ones AWS documents for a caller "
            "that creates assignments (needed when the account is the organization's management account). "
            "AWS enforces no end date on an assignment: the bot's sweep deletes it when access expires."
        ]
    notes = []
    if principal is None:
        notes.append(
            "iam:SimulatePrincipalPolicy is left out: these credentials are not an IAM role or user. Print the "
            "policy again with --principal-arn <the bot's role or user ARN> to let `python bot.py check` verify "
            "the bot's permissions."
        )
    elif from_credentials:
        notes.append(
            f"iam:SimulatePrincipalPolicy is allowed only on {principal}, the identity that ran this. If the bot "
            "runs as another role or user, print the policy again with --principal-arn <its ARN>."
        )
    if settings.iam_group:
        notes.append(GROUP_LIMIT_NOTE.format(path=settings.iam_path, group=settings.iam_group))
    if settings.signs_in:
        notes.append(SIGNIN_NOTE)
    return notes


def _caller_arn(err: TextIO) -> str | None:
    from botocore.exceptions import BotoCoreError, ClientError

    from ops.aws import build_sts_client, default_region

    try:
        return str(build_sts_client(default_region()).get_caller_identity()["Arn"])
    except (BotoCoreError, ClientError) as e:
        reason = e.response.get("Error", {}).get("Code") if isinstance(e, ClientError) else type(e).__name__
        print(
            f"amplify-dev: could not ask AWS STS which account this is ({reason}). Run it with credentials for "
            "the account the bot will manage, e.g. `AWS_PROFILE=admin python bot.py policy`, or name the bot's "
            "identity with --principal-arn.",
            file=err,
        )
        return None
