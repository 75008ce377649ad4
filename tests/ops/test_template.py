"""template.yaml: lint-clean with the SAM transform, the same table as create-table, the policy `bot.py policy` prints."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import cfn_yaml

from ops.policy import bot_policy
from settings import load_settings
from store.dynamodb_table import TABLE_DEFINITION, TTL_ATTRIBUTE
from tests.conftest import GOOD_ENV_FOR_TESTS

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
ACCOUNT, REGION, STACK = "123456789012", "eu-west-1", "amplify-dev"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return cfn_yaml.load(str(TEMPLATE))


def resources(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {name: r["Properties"] for name, r in template["Resources"].items() if r["Type"] == kind}


NO_VALUE = object()
# The template's conditions, evaluated for given parameter values (a test below checks they are these).
CONDITIONS = {
    "SandboxReportOn": lambda params: params["SandboxReport"] == "true",
    "SignIn": lambda params: params["Credentials"] == "sign-in",
}


def resolve(node: Any, params: dict[str, str]) -> Any:
    """Evaluate the intrinsics the template's policy uses (Ref, Sub, Split) for given parameter values."""
    if isinstance(node, list):
        return [r for r in (resolve(n, params) for n in node) if r is not NO_VALUE]
    if node == {"Ref": "AWS::NoValue"}:
        return NO_VALUE
    if not isinstance(node, dict):
        return node
    if set(node) == {"Ref"}:
        return params.get(node["Ref"], f"<{node['Ref']}>")
    if set(node) == {"Fn::Sub"}:
        return re.sub(r"\$\{([^}]+)\}", lambda m: params.get(m.group(1), f"<{m.group(1)}>"), node["Fn::Sub"])
    if set(node) == {"Fn::Split"}:
        separator, text = node["Fn::Split"]
        return resolve(text, params).split(separator)
    if set(node) == {"Fn::If"}:
        condition, when_true, when_false = node["Fn::If"]
        return resolve(when_true if CONDITIONS[condition](params) else when_false, params)
    if set(node) == {"Fn::GetAtt"}:
        return f"<{'.'.join(node['Fn::GetAtt'])}>"
    return {k: resolve(v, params) for k, v in node.items()}


def parameters(template: dict[str, Any], **overrides: str) -> dict[str, str]:
    values = {name: str(p.get("Default", "")) for name, p in template["Parameters"].items()}
    pseudo = {"AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "AWS::Partition": "aws", "AWS::StackName": STACK}
    return {**values, **pseudo, **overrides}


def role_policy(template: dict[str, Any], name: str) -> list[dict[str, Any]]:
    role = resources(template, "AWS::IAM::Role")["FunctionRole"]
    return next(p["PolicyDocument"]["Statement"] for p in role["Policies"] if p["PolicyName"] == name)


def test_template_passes_cfn_lint_with_the_sam_transform_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    import cfnlint.api

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("cfn-lint tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    assert [str(m) for m in cfnlint.api.lint_file(TEMPLATE)] == []


def test_cfn_lint_catches_a_broken_template(tmp_path: Path) -> None:
    import cfnlint.api

    broken = tmp_path / "template.yaml"
    broken.write_text(TEMPLATE.read_text().replace("AuthType: NONE", "AuthType: OPEN"))
    assert any("AuthType" in str(m) for m in cfnlint.api.lint_file(broken))  # the SAM transform ran


def test_table_is_the_one_create_table_makes(template: dict[str, Any]) -> None:
    table = resources(template, "AWS::DynamoDB::Table")["Table"]
    for key in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode"):
        assert table[key] == TABLE_DEFINITION[key], key
    assert table["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["DeletionProtectionEnabled"] is True
    assert template["Resources"]["Table"]["DeletionPolicy"] == "Retain"


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {
            "IamPath": "/team-x/devs/",
            "PolicyArns": "arn:aws:iam::aws:policy/AdministratorAccess-Amplify,arn:aws:iam::123456789012:policy/extra",
        },
        {"SandboxReport": "true"},
        {"Credentials": "sign-in"},
    ],
    ids=["defaults", "other-path-and-policies", "sandbox-report", "sign-in"],
)
def test_bot_statements_are_what_bot_py_policy_prints(template: dict[str, Any], overrides: dict[str, str]) -> None:
    params = parameters(template, **overrides)
    settings = load_settings(
        {
            **GOOD_ENV_FOR_TESTS,
            "AMPLIFY_DEV_IAM_PATH": params["IamPath"],
            "AMPLIFY_DEV_INSTANCE": params["Instance"],
            "AMPLIFY_DEV_POLICY_ARNS": params["PolicyArns"],
            "AMPLIFY_DEV_SANDBOX_REPORT": params["SandboxReport"],
            "AMPLIFY_DEV_CREDENTIALS": params["Credentials"],
        }
    )
    role = f"arn:aws:iam::{ACCOUNT}:role/{STACK}-bot"  # the function's own role, named in the template
    expected = bot_policy(settings, ACCOUNT, "aws", principal=role)["Statement"]
    actual = resolve(role_policy(template, "manage-developer-users"), params)
    assert [s["Sid"] for s in actual] == [s["Sid"] for s in expected]
    for mine, theirs in zip(actual, expected, strict=True):
        assert mine == theirs, mine["Sid"]


def test_runtime_permissions_reach_only_this_stack(template: dict[str, Any]) -> None:
    statements = {s["Sid"]: s for s in resolve(role_policy(template, "runtime"), parameters(template))}
    function = resources(template, "AWS::Serverless::Function")["Function"]
    name = resolve(function["FunctionName"], parameters(template))
    invoke = statements["InvokeOnlyItselfForLazyListeners"]
    assert invoke["Action"] == "lambda:InvokeFunction"
    # Bolt invokes the ARN it was invoked by: the alias the Function URL and the schedules call.
    assert invoke["Resource"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}:{function['AutoPublishAlias']}"
    table = statements["OnlyItsTable"]
    assert table["Resource"] == ["<Table.Arn>", "<Table.Arn>/index/*"]
    assert "dynamodb:Scan" not in table["Action"] and all(a.startswith("dynamodb:") for a in table["Action"])
    assert statements["ReadOnlyItsSecret"] == {
        "Sid": "ReadOnlyItsSecret",
        "Effect": "Allow",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": "<SlackSecret>",
    }
    assert statements["WriteOwnLogs"]["Resource"] == "<LogGroup.Arn>"
    assert all(s["Resource"] != "*" for s in statements.values())


def test_function_runs_the_lambda_handler_with_schedules_and_no_async_retries(template: dict[str, Any]) -> None:
    function = resources(template, "AWS::Serverless::Function")["Function"]
    assert function["Handler"] == "lambda_handler.handler"
    assert function["Runtime"] == "python3.12" and function["Architectures"] == ["arm64"]
    assert function["FunctionUrlConfig"] == {"AuthType": "NONE"}
    assert function["EventInvokeConfig"]["MaximumRetryAttempts"] == 0
    schedules = {e["Properties"]["Schedule"]: json.loads(e["Properties"]["Input"]) for e in function["Events"].values()}
    assert schedules == {"rate(1 minute)": {"amplify_dev": "sweep"}, "rate(1 hour)": {"amplify_dev": "reconcile"}}
    assert function["LoggingConfig"] == {"LogGroup": {"Ref": "LogGroup"}}
    assert resources(template, "AWS::Logs::LogGroup")["LogGroup"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert template["Outputs"]["SlackRequestUrl"]["Value"] == {"Fn::GetAtt": ["FunctionUrl", "FunctionUrl"]}


def test_snapstart_is_on_by_default_on_published_versions_behind_the_alias(template: dict[str, Any]) -> None:
    function = resources(template, "AWS::Serverless::Function")["Function"]
    assert function["AutoPublishAlias"] == "live"  # SAM puts the Function URL and the schedules on the alias
    assert function["SnapStart"] == {"ApplyOn": {"Fn::If": ["UseSnapStart", "PublishedVersions", "None"]}}
    assert template["Conditions"]["UseSnapStart"] == {"Fn::Equals": [{"Ref": "SnapStart"}, "true"]}
    assert template["Parameters"]["SnapStart"]["Default"] == "true"
    # The default memory is the one bench/lambda_cold_start.py chose (bench/RESULTS.md).
    assert function["MemorySize"] == {"Ref": "MemorySize"} and template["Parameters"]["MemorySize"]["Default"] == 768
    assert template["Resources"]["Function"]["Metadata"] == {"BuildMethod": "makefile"}


def test_function_environment_names_real_settings_and_no_secret(template: dict[str, Any]) -> None:
    env = resources(template, "AWS::Serverless::Function")["Function"]["Environment"]["Variables"]
    sources = "".join(
        (TEMPLATE.parent / "settings" / name).read_text() for name in ("__init__.py", "loading.py", "oncall.py")
    )
    known = set(re.findall(r'"((?:SLACK|AMPLIFY_DEV)_[A-Z_]+)"', sources))
    assert set(env) <= known and "AMPLIFY_DEV_SLACK_SECRET_ARN" in known  # every variable is a real setting
    assert not any(name.startswith("SLACK_") for name in env)  # the tokens come from the secret
    assert env["AMPLIFY_DEV_SLACK_SECRET_ARN"] == {"Ref": "SlackSecret"}
    assert env["AMPLIFY_DEV_DYNAMODB_TABLE"] == {"Ref": "Table"}
    # Every parameter is used, and each defaults to the setting's own default.
    settings = load_settings(GOOD_ENV_FOR_TESTS)
    params = parameters(template)
    assert int(params["PendingHours"]) == settings.pending_hours and int(params["MaxDays"]) == settings.max_days
    assert (
        int(params["DefaultDays"]) == settings.default_days and int(params["RetentionDays"]) == settings.retention_days
    )
    assert params["IamPath"] == settings.iam_path and params["PolicyArns"] == ",".join(settings.policy_arns)
    assert int(params["RenotifyMinutes"]) == settings.renotify_minutes
    assert params["BreakglassHours"] == "" and settings.breakglass_hours is None  # empty: off
    assert params["BreakglassUsers"] == "" and params["SandboxReport"] == str(settings.sandbox_report).lower()
    assert params["Credentials"] == settings.credentials and env["AMPLIFY_DEV_CREDENTIALS"] == {"Ref": "Credentials"}
    text = TEMPLATE.read_text()
    assert all(f"!Ref {name}" in text for name in template["Parameters"])


def test_the_conditions_are_the_ones_the_policy_test_evaluates(template: dict[str, Any]) -> None:
    assert template["Conditions"] == {
        "SandboxReportOn": {"Fn::Equals": [{"Ref": "SandboxReport"}, "true"]},
        "SignIn": {"Fn::Equals": [{"Ref": "Credentials"}, "sign-in"]},
        "UseSnapStart": {"Fn::Equals": [{"Ref": "SnapStart"}, "true"]},  # SnapStart, not a policy statement
    }


@pytest.mark.parametrize(
    ("hours", "users"), [("4", "U0ONCALL,S0ONCALL"), ("12", "U0ONCALL"), ("", "")], ids=["on", "max", "off"]
)
def test_the_templates_breakglass_parameters_are_settings_the_bot_accepts(
    template: dict[str, Any], hours: str, users: str
) -> None:
    params = template["Parameters"]
    assert re.fullmatch(params["BreakglassHours"]["AllowedPattern"], hours)
    assert re.fullmatch(params["BreakglassUsers"]["AllowedPattern"], users)
    settings = load_settings(
        {**GOOD_ENV_FOR_TESTS, "AMPLIFY_DEV_BREAKGLASS_HOURS": hours, "AMPLIFY_DEV_BREAKGLASS_USERS": users}
    )
    assert settings.breakglass_hours == (int(hours) if hours else None)
    assert not re.fullmatch(params["BreakglassHours"]["AllowedPattern"], "13")


def test_the_cold_start_benchmark_reads_the_templates_default_memory(template: dict[str, Any]) -> None:
    # `python bench/lambda_cold_start.py` with no --memory measures the size the template deploys.
    from bench.lambda_cold_start import template_memory

    assert template_memory() == template["Parameters"]["MemorySize"]["Default"]
