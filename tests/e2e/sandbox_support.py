"""Amplify sandbox stacks in moto's CloudFormation, named the way Amplify names them, and a recorder of the calls."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from amplify_sandboxes import sandbox_stack_name

# moto needs a resource it can parse; a sandbox's real resources do not matter to the listing.
TEMPLATE = json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})
SANDBOX_TAGS = [{"Key": "amplify:deployment-type", "Value": "sandbox"}, {"Key": "created-by", "Value": "amplify"}]


def make_sandbox(cloudformation: Any, identifier: str, app: str = "shop-web") -> str:
    """A root sandbox stack as `npx ampx sandbox --identifier <identifier>` makes it in the app `app`."""
    name = sandbox_stack_name(app, identifier)
    cloudformation.create_stack(StackName=name, TemplateBody=TEMPLATE, Tags=SANDBOX_TAGS)
    return name


def record_calls(cloudformation: Any) -> list[str]:
    """The CloudFormation operations the client makes from now on."""
    made: list[str] = []
    cloudformation.meta.events.register("before-call.cloudformation.*", lambda model, **_: made.append(model.name))
    return made


def refuse_listing(cloudformation: Any, code: str = "AccessDenied") -> None:
    """ListStacks fails from now on, as it does for a role without cloudformation:ListStacks."""

    def refuse(**_: Any) -> None:
        raise ClientError({"Error": {"Code": code, "Message": "not allowed"}}, "ListStacks")

    cloudformation.meta.events.register("before-call.cloudformation.ListStacks", refuse)


def live_stacks(cloudformation: Any) -> set[str]:
    """The names of the stacks that are not deleted."""
    summaries = cloudformation.list_stacks()["StackSummaries"]
    return {s["StackName"] for s in summaries if s["StackStatus"] != "DELETE_COMPLETE"}
