"""Whether the bot's own identity may make every IAM call the bot makes, asked of IAM's policy simulator."""

from __future__ import annotations

from typing import Any

from botocore.client import BaseClient

from iam.names import principal_arn
from ops.check.hints import Refused, attempt
from ops.check.results import POLICY_COMMAND, CheckResult, Status
from ops.policy import SimulationCase, simulation_cases
from settings import Settings

AREA = "AWS"
SUBJECT = "bot's permissions"


def check_own_permissions(
    settings: Settings, iam_client: BaseClient, caller_arn: str, account: str, partition: str
) -> list[CheckResult]:
    """Ask IAM whether the bot's identity may make every call the bot makes (SKIP when IAM cannot say)."""
    principal = principal_arn(caller_arn)
    if principal is None:
        return [
            CheckResult(
                AREA,
                Status.SKIP,
                SUBJECT,
                f"IAM cannot simulate policies for {caller_arn}; run the check as the role or user the bot uses.",
            )
        ]
    cases = simulation_cases(settings, account, partition)
    answers = attempt(
        AREA,
        SUBJECT,
        "iam:SimulatePrincipalPolicy",
        lambda: [(case, _simulate(iam_client, principal, case)) for case in cases],
        principal=principal,
    )
    if isinstance(answers, Refused):
        return answers.lines
    denied: list[str] = []
    excess: list[str] = []
    for case, decisions in answers:
        for action, decision in decisions.items():
            allowed = decision == "allowed"
            if case.expect_allowed and not allowed:
                denied.append(f"{action} on {case.resource} ({decision})")
            elif not case.expect_allowed and allowed:
                excess.append(f"{action} on {case.resource}")
    results = []
    if denied:
        results.append(
            CheckResult(
                AREA,
                Status.FAIL,
                SUBJECT,
                f"{principal} may not make {len(denied)} call(s) the bot makes: {'; '.join(denied)}. Attach the "
                f"policy from {POLICY_COMMAND}.",
            )
        )
    else:
        allowed_count = len({a for c in cases if c.expect_allowed for a in c.actions})
        results.append(
            CheckResult(
                AREA,
                Status.PASS,
                SUBJECT,
                f"IAM's policy simulator allows {principal} all {allowed_count} IAM actions the bot uses",
            )
        )
    if excess:
        results.append(
            CheckResult(
                AREA,
                Status.WARN,
                "bot's excess permissions",
                f"{principal} can also {'; '.join(excess)} (outside {settings.iam_path}): it holds more than it "
                f"needs. Give it only the policy from {POLICY_COMMAND}.",
            )
        )
    return results


def _simulate(iam_client: BaseClient, principal: str, case: SimulationCase) -> dict[str, str]:
    context = [
        {
            "ContextKeyName": key,
            "ContextKeyValues": list(value) if isinstance(value, tuple) else [value],
            "ContextKeyType": "stringList" if isinstance(value, tuple) else "string",
        }
        for key, value in case.context.items()
    ]
    params: dict[str, Any] = {"PolicySourceArn": principal, "ActionNames": list(case.actions)}
    if case.resource != "*":
        params["ResourceArns"] = [case.resource]
    if context:
        params["ContextEntries"] = context
    decisions: dict[str, str] = {}
    for page in iam_client.get_paginator("simulate_principal_policy").paginate(**params):
        for result in page["EvaluationResults"]:
            decisions[result["EvalActionName"]] = result["EvalDecision"]
    return decisions
