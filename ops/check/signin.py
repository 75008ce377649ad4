"""What developers hold: a long-lived key (WARN, naming sign-in) or `aws login` (a boundary must not block it).

`aws login` needs the two actions of the AWS managed policy SignInLocalDevelopmentAccess (moto's copy of AWS's
managed policies, version v3: ``signin:AuthorizeOAuth2Access`` and ``signin:CreateOAuth2Token`` on
``arn:aws:signin:*:*:oauth2/public-client/*``). A permissions boundary that does not allow them leaves the policy
attached but `aws login` refused, so the check asks IAM's simulator (SimulateCustomPolicy: the managed policy's
statement as the identity policy, the boundary's default version as the boundary) about both. moto has no
simulator, so against moto this SKIPs; the tests answer it from tests/ops/iam_eval.py.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.client import BaseClient

from ops.check.hints import Refused, attempt
from ops.check.results import CheckResult, Status
from settings import Settings

LOGIN_ACTIONS = ("signin:AuthorizeOAuth2Access", "signin:CreateOAuth2Token")


def login_resource(partition: str, region: str, account: str) -> str:
    """An OAuth2 public client of the kind SignInLocalDevelopmentAccess names (the client id is illustrative)."""
    return f"arn:{partition}:signin:{region}:{account}:oauth2/public-client/localhost"


def check_credentials_kind(settings: Settings) -> list[CheckResult]:
    """WARN in access-key mode: every developer holds a bearer secret; PASS in sign-in."""
    if settings.signs_in:
        return [
            CheckResult(
                "Risk",
                Status.PASS,
                "developer credentials",
                "sign-in: developers sign in to the console and run `aws login` (AWS CLI 2.32.0 or later) for "
                "short-lived credentials; nobody holds an access key.",
            )
        ]
    return [
        CheckResult(
            "Risk",
            Status.WARN,
            "developer credentials",
            "access-key: every developer holds a long-lived access key, a secret that works from any machine until "
            "it is deleted. Set AMPLIFY_DEV_CREDENTIALS=sign-in (console sign-in and `aws login`, no key) unless "
            "a tool of yours needs static keys.",
        )
    ]


def check_login_allowed_by_boundary(
    settings: Settings, iam_client: BaseClient, *, partition: str, region: str, account: str
) -> list[CheckResult]:
    """FAIL when the permissions boundary would block `aws login` (sign-in mode with a boundary only)."""
    boundary = settings.permissions_boundary
    if not settings.signs_in or not boundary:
        return []
    subject = "aws login under the boundary"
    document = attempt(
        "AWS", subject, "iam:GetPolicyVersion", lambda: _default_document(iam_client, boundary), arn=boundary
    )
    if isinstance(document, Refused):
        return [document.line]
    resource = login_resource(partition, region, account)
    identity = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(LOGIN_ACTIONS), "Resource": "*"}],
    }
    decisions = attempt(
        "AWS",
        subject,
        "iam:SimulateCustomPolicy",
        lambda: _simulate(iam_client, identity, document, resource),
    )
    if isinstance(decisions, Refused):
        return [decisions.line]
    blocked = [
        f"{action} ({decisions.get(action, 'no answer')})"
        for action in LOGIN_ACTIONS
        if decisions.get(action) != "allowed"
    ]
    name = boundary.rsplit("/", 1)[-1]
    if blocked:
        return [
            CheckResult(
                "AWS",
                Status.FAIL,
                subject,
                f"the permissions boundary {name} blocks {', '.join(blocked)}: developers could sign in to the "
                "console but `aws login` would be refused. Allow signin:AuthorizeOAuth2Access and "
                "signin:CreateOAuth2Token in the boundary (or set AMPLIFY_DEV_CREDENTIALS=access-key).",
            )
        ]
    return [
        CheckResult(
            "AWS", Status.PASS, subject, f"the permissions boundary {name} allows both actions `aws login` needs"
        )
    ]


def _default_document(iam_client: BaseClient, arn: str) -> Any:
    version = iam_client.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    document = iam_client.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
    return json.loads(document) if isinstance(document, str) else document


def _simulate(iam_client: BaseClient, identity: dict[str, Any], boundary: Any, resource: str) -> dict[str, str]:
    decisions: dict[str, str] = {}
    pages = iam_client.get_paginator("simulate_custom_policy").paginate(
        PolicyInputList=[json.dumps(identity)],
        PermissionsBoundaryPolicyInputList=[json.dumps(boundary)],
        ActionNames=list(LOGIN_ACTIONS),
        ResourceArns=[resource],
    )
    for page in pages:
        for result in page["EvaluationResults"]:
            decisions[result["EvalActionName"]] = result["EvalDecision"]
    return decisions
