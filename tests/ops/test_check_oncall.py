"""`check`: a WARN while break-glass is on; PASS/FAIL for the CloudFormation reads of the sandbox report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from ops.check import Status, check_all
from ops.check.oncall import check_breakglass, check_sandbox_report
from playground.slack_api import FakeSlack
from slack_gateway import build_web_client
from tests.ops.test_check import fake, settings_for  # noqa: F401 (the fixture)
from tests.ops.test_policy import settings_with


@pytest.fixture
def cloudformation(aws_env: None) -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("cloudformation", region_name="eu-west-1")


def refuse(client: Any, operation: str) -> None:
    def deny(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not authorized"}}, operation)

    client.meta.events.register(f"before-call.cloudformation.{operation}", deny)


def test_break_glass_off_says_nothing_and_on_warns_naming_who_and_how_long() -> None:
    assert check_breakglass(settings_with()) == []
    [on] = check_breakglass(
        settings_with(AMPLIFY_DEV_BREAKGLASS_HOURS="4", AMPLIFY_DEV_BREAKGLASS_USERS="U0ONCALL,S0ONCALL")
    )
    assert on.status is Status.WARN
    assert "U0ONCALL, group S0ONCALL may take up to 4 hours" in on.detail


def test_sandbox_report_off_checks_nothing(cloudformation: Any) -> None:
    assert check_sandbox_report(settings_with(), cloudformation) == []


def test_sandbox_report_passes_when_both_reads_are_allowed(cloudformation: Any) -> None:
    [line] = check_sandbox_report(settings_with(AMPLIFY_DEV_SANDBOX_REPORT="true"), cloudformation)
    assert line.status is Status.PASS and "eu-west-1" in line.detail


@pytest.mark.parametrize("operation", ["ListStacks", "DescribeStacks"])
def test_sandbox_report_fails_when_a_read_is_refused(cloudformation: Any, operation: str) -> None:
    refuse(cloudformation, operation)
    [line] = check_sandbox_report(settings_with(AMPLIFY_DEV_SANDBOX_REPORT="true"), cloudformation)
    assert line.status is Status.FAIL
    assert f"cloudformation:{operation}" in line.detail and "AccessDenied" in line.detail
    assert "python bot.py policy" in line.detail


def test_the_whole_check_ends_with_the_oncall_lines(
    fake: FakeSlack,  # noqa: F811 (the fixture)
    tmp_path: Path,
    iam_client: Any,
) -> None:
    settings = settings_for(
        fake,
        tmp_path,
        AMPLIFY_DEV_BREAKGLASS_HOURS="2",
        AMPLIFY_DEV_BREAKGLASS_USERS="U0ONCALL",
        AMPLIFY_DEV_SANDBOX_REPORT="true",
    )
    results = check_all(
        settings,
        slack=build_web_client(settings.slack_bot_token, settings.slack_api_url),
        iam_client=iam_client,
        sts=boto3.client("sts", region_name="eu-west-1"),
        cloudformation=boto3.client("cloudformation", region_name="eu-west-1"),
    )
    assert [(r.subject, r.status) for r in results[-2:]] == [
        ("break-glass", Status.WARN),
        ("sandbox report", Status.PASS),
    ]


def test_run_check_builds_a_cloudformation_client_only_for_the_sandbox_report(aws_env: None) -> None:
    from ops.check.run import _cloudformation

    assert _cloudformation(settings_with(), None, "eu-west-1") is None
    client = _cloudformation(settings_with(AMPLIFY_DEV_SANDBOX_REPORT="true"), None, "eu-west-1")
    assert client.meta.service_model.service_name == "cloudformation" and client.meta.region_name == "eu-west-1"
