"""The least-privilege IAM policy the bot's own AWS identity needs (`python bot.py policy`).

The statements are built in ops/policy_grants.py. The same grants also produce the questions `python bot.py check` asks SimulatePrincipalPolicy, so the policy
and the check cannot drift apart.
"""

from __future__ import annotations

import json
from typing import Any

from iam.expiry import TAG_EXPIRES_AT
from iam.models import TAG_INSTANCE
from ops.policy_grants import (
    BOT_TAG_KEYS,
    CHECK_SLACK_USER,
    CHECK_USER_NAME,
    SimulationCase,
    attachable_policy_arns,
    grants,
    group_arns,
)
from settings import Settings

__all__ = [
    "BOT_TAG_KEYS",
    "CHECK_SLACK_USER",
    "CHECK_USER_NAME",
    "MAX_MANAGED_POLICY_CHARS",
    "TAG_EXPIRES_AT",
    "TAG_INSTANCE",
    "SimulationCase",
    "attachable_policy_arns",
    "bot_policy",
    "fit_managed_policy",
    "group_arns",
    "policy_json",
    "policy_size",
    "simulation_cases",
]

# Managed policies are limited to 6,144 characters, whitespace not counted.
MAX_MANAGED_POLICY_CHARS = 6144


def bot_policy(
    settings: Settings, account_id: str, partition: str = "aws", *, principal: str | None = None
) -> dict[str, Any]:
    """The bot's least-privilege IAM policy for this account and settings; `principal`: the bot's own IAM ARN.

    Without a principal the policy omits iam:SimulatePrincipalPolicy, and `check` can then only SKIP that part.
    """
    if settings.identity_center is not None:  # nothing of the IAM-user mode
        from ops.policy_identity_center import identity_center_policy

        return fit_managed_policy(identity_center_policy(settings, account_id, partition))
    statements = [g.statement for g in grants(settings, account_id, partition, principal)]
    return fit_managed_policy({"Version": "2012-10-17", "Statement": statements})


def policy_size(policy: dict[str, Any]) -> int:
    """What IAM counts against a managed policy's limit: the characters of its JSON, whitespace not counted."""
    return len(json.dumps(policy, separators=(",", ":")))


def fit_managed_policy(policy: dict[str, Any]) -> dict[str, Any]:
    """The policy as one managed policy holds it (MAX_MANAGED_POLICY_CHARS): as it is when it fits; else without its
    Sids (names for people, which allow nothing: ~700 characters at the largest configuration); else also with
    statements that differ only in their actions merged into one. Each step allows exactly what the one before did.
    Still too large, it is returned as the last step left it, and `policy` says so."""
    if policy_size(policy) <= MAX_MANAGED_POLICY_CHARS:
        return policy
    statements = [{k: v for k, v in s.items() if k != "Sid"} for s in policy["Statement"]]
    unnamed = {**policy, "Statement": statements}
    if policy_size(unnamed) <= MAX_MANAGED_POLICY_CHARS:
        return unnamed
    return {**policy, "Statement": _merge_same_resource_and_condition(statements)}


def _merge_same_resource_and_condition(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One statement per (Effect, Resource, Condition): its actions are the union, in the order first seen."""
    merged: dict[str, dict[str, Any]] = {}
    for statement in statements:
        key = json.dumps([statement.get(k) for k in ("Effect", "Resource", "Condition")], sort_keys=True)
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        if key in merged:
            kept = merged[key]
            kept["Action"] = list(dict.fromkeys([*kept["Action"], *actions]))
        else:
            merged[key] = {**statement, "Action": actions}
    return [{**s, "Action": s["Action"][0] if len(s["Action"]) == 1 else s["Action"]} for s in merged.values()]


def simulation_cases(settings: Settings, account_id: str, partition: str = "aws") -> list[SimulationCase]:
    """What `check` asks SimulatePrincipalPolicy: every call the policy grants, plus one the bot should not have."""
    cases = [case for g in grants(settings, account_id, partition) for case in g.cases]
    outside = f"arn:{partition}:iam::{account_id}:user/{CHECK_USER_NAME}"
    cases.append(SimulationCase(("iam:CreateUser",), outside, expect_allowed=False))
    return cases


def policy_json(policy: dict[str, Any]) -> str:
    """The policy as printed: indented JSON with a trailing newline."""
    return json.dumps(policy, indent=2) + "\n"
