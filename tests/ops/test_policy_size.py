"""IAM's 6,144-character limit for a managed policy: the largest configuration (every option on, the sandbox report
and sign-in included) fits in one, allowing exactly what its full form allows; `policy` says what it did."""

from __future__ import annotations

import io
import json
from typing import Any

from ops.policy import MAX_MANAGED_POLICY_CHARS, bot_policy, fit_managed_policy, policy_size
from ops.policy_command import run_policy, size_notes
from ops.policy_grants import grants
from tests.ops.test_policy import ACCOUNT, BOUNDARY, settings_with

PRINCIPAL = f"arn:aws:iam::{ACCOUNT}:role/{'r' * 64}"
LARGEST = {
    "AMPLIFY_DEV_POLICY_ARNS": ",".join(
        f"arn:aws:iam::{ACCOUNT}:policy/some/long/path/amplify-dev-policy-{n:02d}" for n in range(10)
    ),
    "AMPLIFY_DEV_IAM_PATH": "/" + "p" * 100 + "/",
    "AMPLIFY_DEV_IAM_GROUP": "g" * 128,
    "AMPLIFY_DEV_PERMISSIONS_BOUNDARY": BOUNDARY,
    "AMPLIFY_DEV_SANDBOX_REPORT": "true",
    "AMPLIFY_DEV_CREDENTIALS": "sign-in",
}


def allowances(statements: list[dict[str, Any]]) -> set[tuple[str, str, str, str]]:
    """Every (effect, action, resource, condition) the statements grant or deny, whatever their grouping and names."""
    found = set()
    for s in statements:
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        resources = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
        condition = json.dumps(s.get("Condition"), sort_keys=True)
        found |= {(s["Effect"], a, r, condition) for a in actions for r in resources}
    return found


def _actions(statement: dict[str, Any]) -> list[str]:
    return statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]


def test_the_largest_configuration_with_the_sandbox_report_fits_in_a_managed_policy() -> None:
    for extra in ({"AMPLIFY_DEV_CREDENTIALS": "access-key"}, {}):  # with the report alone, and with sign-in too
        settings = settings_with(**{**LARGEST, **extra})
        full = [g.statement for g in grants(settings, ACCOUNT, "aws", PRINCIPAL)]
        assert policy_size({"Version": "2012-10-17", "Statement": full}) > MAX_MANAGED_POLICY_CHARS  # 6,372; 6,831

        policy = bot_policy(settings, ACCOUNT, principal=PRINCIPAL)

        assert policy_size(policy) <= MAX_MANAGED_POLICY_CHARS
        assert allowances(policy["Statement"]) == allowances(full)
        # Merged with another statement when that is what makes it fit (sign-in's UpdateLoginProfile, issue 20).
        assert any("cloudformation:ListStacks" in _actions(s) for s in policy["Statement"])


def test_a_policy_that_fits_keeps_its_sids() -> None:
    policy = bot_policy(settings_with(AMPLIFY_DEV_SANDBOX_REPORT="true"), ACCOUNT, principal=PRINCIPAL)

    assert all("Sid" in s for s in policy["Statement"])
    assert size_notes(policy) == []


def test_statements_that_differ_only_in_actions_are_merged_when_names_are_not_enough() -> None:
    many = [
        {"Sid": f"S{n}", "Effect": "Allow", "Action": f"iam:GetUser{n}", "Resource": f"arn:aws:iam::{ACCOUNT}:user/x"}
        for n in range(80)
    ] + [{"Sid": "Other", "Effect": "Deny", "Action": "iam:DeleteUser", "Resource": "*"}]
    policy = {"Version": "2012-10-17", "Statement": many}
    assert policy_size({**policy, "Statement": [{k: v for k, v in s.items() if k != "Sid"} for s in many]}) > 6144

    fitted = fit_managed_policy(policy)

    assert len(fitted["Statement"]) == 2 and policy_size(fitted) <= MAX_MANAGED_POLICY_CHARS
    assert allowances(fitted["Statement"]) == allowances(many)


def test_policy_says_on_stderr_when_the_sids_were_left_out() -> None:
    out, err = io.StringIO(), io.StringIO()

    assert run_policy(settings_with(**LARGEST), out, principal=PRINCIPAL, err=err) == 0

    assert policy_size(json.loads(out.getvalue())) <= MAX_MANAGED_POLICY_CHARS
    assert "The statements carry no Sid" in err.getvalue()
