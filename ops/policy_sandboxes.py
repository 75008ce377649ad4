"""The read-only CloudFormation statements AMPLIFY_DEV_SANDBOX_REPORT=true adds to the bot's policy (either mode).

`ListStacks` takes no resource (the Service Authorization Reference lists no resource type for it), so "*";
`DescribeStacks` is limited to stacks named `amplify-*`, the prefix of every Amplify Gen 2 stack
(amplify_sandboxes/naming.py), in any region of the account. Nothing that changes or deletes a stack.
"""

from __future__ import annotations

from typing import Any

from ops.policy_grants import Grant, SimulationCase
from settings import Settings

# A stack the check asks the simulator about; it never exists.
CHECK_STACK = "amplify-amplifydevcheck-check-sandbox-0000000000"


def amplify_stacks_arn(account_id: str, partition: str) -> str:
    """Every Amplify stack of the account, in any region."""
    return f"arn:{partition}:cloudformation:*:{account_id}:stack/amplify-*/*"


def sandbox_report_grants(settings: Settings, account_id: str, partition: str) -> list[Grant]:
    """The statements (with their simulator questions) for the sandbox report; none when it is off."""
    if not settings.sandbox_report:
        return []
    sample = f"arn:{partition}:cloudformation:{settings.region or 'us-east-1'}:{account_id}:stack/{CHECK_STACK}/id"
    return [
        Grant(
            {
                "Sid": "ListStacksToFindSandboxes",
                "Effect": "Allow",
                "Action": "cloudformation:ListStacks",
                "Resource": "*",
            },
            (SimulationCase(("cloudformation:ListStacks",), "*"),),
        ),
        Grant(
            {
                "Sid": "DescribeOnlyAmplifyStacks",
                "Effect": "Allow",
                "Action": "cloudformation:DescribeStacks",
                "Resource": amplify_stacks_arn(account_id, partition),
            },
            (SimulationCase(("cloudformation:DescribeStacks",), sample),),
        ),
    ]


def sandbox_report_statements(settings: Settings, account_id: str, partition: str) -> list[dict[str, Any]]:
    """The statements alone (the Identity Center mode's policy, which has no simulator questions)."""
    return [g.statement for g in sandbox_report_grants(settings, account_id, partition)]
