"""Listing a developer's sandbox stacks against moto's CloudFormation: read-only, every page, deleted ones skipped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from amplify_sandboxes import SandboxListingError, list_sandbox_stacks, sandbox_stack_name

REGION = "eu-west-1"
TEMPLATE = json.dumps({"Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}})
SANDBOX_TAGS = [{"Key": "amplify:deployment-type", "Value": "sandbox"}, {"Key": "created-by", "Value": "amplify"}]


@pytest.fixture
def cloudformation(aws_env: None) -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("cloudformation", region_name=REGION)


def make_stack(client: Any, name: str, tags: list[dict[str, str]] | None = None) -> str:
    return client.create_stack(StackName=name, TemplateBody=TEMPLATE, Tags=SANDBOX_TAGS if tags is None else tags)[
        "StackId"
    ]


def calls_made(client: Any) -> list[str]:
    made: list[str] = []
    client.meta.events.register("before-call.cloudformation.*", lambda model, **_: made.append(model.name))
    return made


def pages_of(client: Any, size: int) -> list[str | None]:
    """moto answers ListStacks in one page: cut its answer into pages of `size`, as AWS does past 100 stacks."""
    tokens: list[str | None] = []

    def take_token(params: dict[str, Any], **_: Any) -> None:
        tokens.append(params.pop("NextToken", None))

    def cut(parsed: dict[str, Any], **_: Any) -> None:
        start = int(tokens[-1] or 0)
        summaries = parsed["StackSummaries"]
        parsed["StackSummaries"] = summaries[start : start + size]
        if start + size < len(summaries):
            parsed["NextToken"] = str(start + size)

    client.meta.events.register("before-parameter-build.cloudformation.ListStacks", take_token)
    client.meta.events.register("after-call.cloudformation.ListStacks", cut)
    return tokens


def test_lists_the_developers_sandboxes_with_what_deletes_them(cloudformation: Any) -> None:
    mine = sandbox_stack_name("shop-web", "janed-u012ab3cd")
    make_stack(cloudformation, mine)
    make_stack(cloudformation, sandbox_stack_name("shop-web", "oscar-u0other"))
    make_stack(cloudformation, "amplify-d1a2b3c4d5-main-branch-0123456789")

    [stack] = list_sandbox_stacks(cloudformation, "janed-u012ab3cd")

    assert stack.stack_name == mine and stack.region == REGION and stack.status == "CREATE_COMPLETE"
    assert stack.created.tzinfo is not None
    assert stack.delete_command == f"aws cloudformation delete-stack --stack-name {mine} --region {REGION}"
    assert stack.ampx_delete_command == "npx ampx sandbox delete --identifier janed-u012ab3cd"


def test_finds_the_sandboxes_of_every_app_and_on_every_page(cloudformation: Any) -> None:
    names = [sandbox_stack_name(app, "alice") for app in ("shop", "blog", "admin")]
    for index, name in enumerate(names):
        make_stack(cloudformation, name)
        for other in range(3):
            make_stack(cloudformation, sandbox_stack_name(f"app{index}{other}", "bob"))
    tokens = pages_of(cloudformation, size=2)

    found = list_sandbox_stacks(cloudformation, "alice")

    assert sorted(s.stack_name for s in found) == sorted(names)
    assert len(tokens) == 6 and tokens[0] is None and all(tokens[1:])  # 12 stacks, 2 a page: every page read


def test_deleted_stacks_and_other_deployment_types_are_left_out(cloudformation: Any) -> None:
    gone = sandbox_stack_name("shop", "alice")
    make_stack(cloudformation, gone)
    cloudformation.delete_stack(StackName=gone)
    branch_tagged = sandbox_stack_name("blog", "alice")
    make_stack(cloudformation, branch_tagged, tags=[{"Key": "amplify:deployment-type", "Value": "branch"}])
    untagged = sandbox_stack_name("admin", "alice")
    make_stack(cloudformation, untagged, tags=[])

    assert [s.stack_name for s in list_sandbox_stacks(cloudformation, "alice")] == [untagged]


def test_matches_the_identifier_as_amplify_writes_it_whatever_its_case(cloudformation: Any) -> None:
    name = sandbox_stack_name("shop", "Jane-Doe")  # the stack name says JaneDoe
    make_stack(cloudformation, name)
    assert [s.stack_name for s in list_sandbox_stacks(cloudformation, "jane-doe")] == [name]
    assert list_sandbox_stacks(cloudformation, "jane") == []
    assert list_sandbox_stacks(cloudformation, "...") == []


def test_only_read_only_calls_are_made(cloudformation: Any) -> None:
    make_stack(cloudformation, sandbox_stack_name("shop", "alice"))
    made = calls_made(cloudformation)
    list_sandbox_stacks(cloudformation, "alice")
    assert set(made) == {"ListStacks", "DescribeStacks"}


def test_a_refusal_names_the_step_and_code_only(cloudformation: Any) -> None:
    def refuse(**_: Any) -> None:
        raise ClientError(
            {"Error": {"Code": "AccessDenied", "Message": "User arn:aws:iam::1:user/x is not authorized"}}, "ListStacks"
        )

    cloudformation.meta.events.register("before-call.cloudformation.ListStacks", refuse)
    with pytest.raises(SandboxListingError) as raised:
        list_sandbox_stacks(cloudformation, "alice")
    assert (raised.value.step, raised.value.code) == ("cloudformation:ListStacks", "AccessDenied")
    assert "arn:" not in str(raised.value) and raised.value.__cause__ is None


def test_deleted_stacks_are_filtered_out_by_cloudformation_itself(cloudformation: Any) -> None:
    sent: list[dict[str, Any]] = []
    cloudformation.meta.events.register(
        "provide-client-params.cloudformation.ListStacks", lambda params, **_: sent.append(dict(params))
    )
    list_sandbox_stacks(cloudformation, "alice")
    [params] = sent
    assert "DELETE_COMPLETE" not in params["StackStatusFilter"]
    assert {"CREATE_COMPLETE", "UPDATE_ROLLBACK_FAILED", "DELETE_FAILED"} <= set(params["StackStatusFilter"])
