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
    "group_arns",
    "policy_json",
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

        return identity_center_policy(settings, account_id, partition)
    statements = [g.statement for g in grants(settings, account_id, partition, principal)]
    return {"Version": "2012-10-17", "Statement": statements}


def simulation_cases(settings: Settings, account_id: str, partition: str = "aws") -> list[SimulationCase]:
    """What `check` asks SimulatePrincipalPolicy: every call the policy grants, plus one the bot should not have."""
    cases = [case for g in grants(settings, account_id, partition) for case in g.cases]
    outside = f"arn:{partition}:iam::{account_id}:user/{CHECK_USER_NAME}"
    cases.append(SimulationCase(("iam:CreateUser",), outside, expect_allowed=False))
    return cases


def policy_json(policy: dict[str, Any]) -> str:
    """The policy as printed: indented JSON with a trailing newline."""
    return json.dumps(policy, indent=2) + "\n"
