"""`check` for break-glass (a WARN while it is on: who may use it, for how long) and for the sandbox report
(PASS/FAIL: may the bot read CloudFormation as the report needs?)."""

from __future__ import annotations

from typing import Any

from ops.check.hints import CAUGHT, error_code
from ops.check.results import POLICY_COMMAND, CheckResult, Status
from ops.policy_sandboxes import CHECK_STACK
from settings import Settings

AREA = "On call"


def check_breakglass(settings: Settings) -> list[CheckResult]:
    """WARN while break-glass is on, naming who may use it and for how long; nothing when it is off."""
    hours = settings.breakglass_hours
    if hours is None:
        return []
    who = [*sorted(settings.breakglass_user_ids), *(f"group {g}" for g in sorted(settings.breakglass_group_ids))]
    return [
        CheckResult(
            AREA,
            Status.WARN,
            "break-glass",
            f"on: {', '.join(who)} may take up to {hours} hour{'s' if hours != 1 else ''} of access without any "
            "approval (`/amplify-dev breakglass <reason>`), announced to the leads and flagged in the access review "
            "until a lead acknowledges it. Unset AMPLIFY_DEV_BREAKGLASS_HOURS when nobody is on call.",
        )
    ]


def check_sandbox_report(settings: Settings, cloudformation: Any) -> list[CheckResult]:
    """With AMPLIFY_DEV_SANDBOX_REPORT=true: whether ListStacks and DescribeStacks are allowed (nothing when off)."""
    if not settings.sandbox_report:
        return []
    subject = "sandbox report"
    if cloudformation is None:
        return [CheckResult(AREA, Status.SKIP, subject, "no CloudFormation client to check with")]
    region = cloudformation.meta.region_name
    try:
        cloudformation.list_stacks()
    except CAUGHT as e:
        code, _ = error_code(e)
        return [
            CheckResult(
                AREA,
                Status.FAIL,
                subject,
                f"cloudformation:ListStacks refused in {region} ({code}): AMPLIFY_DEV_SANDBOX_REPORT=true needs the "
                f"statements {POLICY_COMMAND} prints for it, or set it to false.",
            )
        ]
    try:
        cloudformation.describe_stacks(StackName=CHECK_STACK)
    except CAUGHT as e:
        code, _ = error_code(e)
        if code != "ValidationError":  # ValidationError: allowed, and no such stack (it never exists)
            return [
                CheckResult(
                    AREA,
                    Status.FAIL,
                    subject,
                    f"cloudformation:DescribeStacks on amplify-* stacks refused in {region} ({code}): grant what "
                    f"{POLICY_COMMAND} prints, or set AMPLIFY_DEV_SANDBOX_REPORT=false.",
                )
            ]
    return [
        CheckResult(
            AREA,
            Status.PASS,
            subject,
            f"the bot may list stacks and describe Amplify stacks in {region} (read-only; it deletes nothing)",
        )
    ]


def check_oncall(settings: Settings, cloudformation: Any = None) -> list[CheckResult]:
    """Both, in the order printed."""
    return [*check_breakglass(settings), *check_sandbox_report(settings, cloudformation)]
