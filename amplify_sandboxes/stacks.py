"""A developer's Amplify sandbox stacks, found with read-only CloudFormation calls; the bot deletes nothing.

`ListStacks` (every page) finds root sandbox stacks whose identifier part is the developer's; `DescribeStacks`
on each reads its tags, so a stack whose `amplify:deployment-type` says something other than sandbox is left out.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .naming import name_part, parse_sandbox_stack_name

DEPLOYMENT_TYPE_TAG = "amplify:deployment-type"
DELETED = "DELETE_COMPLETE"


class SandboxListingError(Exception):
    """Listing failed; carries the CloudFormation step and error code only (never AWS's message)."""

    def __init__(self, step: str, code: str) -> None:
        self.step = step
        self.code = code
        super().__init__(f"{step} failed: {code}")


@dataclass(frozen=True)
class SandboxStack:
    """One sandbox stack of a developer: what the leads are told, and how to delete it."""

    stack_name: str
    status: str
    created: datetime
    region: str
    identifier: str  # the --identifier it was listed for

    @property
    def delete_command(self) -> str:
        """Deletes exactly this stack, from anywhere, with CloudFormation (what `ampx sandbox delete` does)."""
        return (
            f"aws cloudformation delete-stack --stack-name {shlex.quote(self.stack_name)} "
            f"--region {shlex.quote(self.region)}"
        )

    @property
    def ampx_delete_command(self) -> str:
        """Amplify's own way, run in the project's checkout (its package.json names the app)."""
        return f"npx ampx sandbox delete --identifier {shlex.quote(self.identifier)}"


def region_of(stack_id: str, default: str) -> str:
    """The region in a stack ARN (arn:aws:cloudformation:<region>:<account>:stack/<name>/<id>)."""
    parts = stack_id.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else default


def list_sandbox_stacks(cloudformation: Any, identifier: str) -> list[SandboxStack]:
    """Every live root sandbox stack of `identifier` in the client's account and region, oldest first.

    Matched on the identifier part of the name, case-insensitively (a developer who typed `Alice` for `alice`
    still pays for it). Raises SandboxListingError if CloudFormation refuses or cannot be reached.
    """
    return list_sandbox_stacks_of(cloudformation, [identifier]).get(identifier, [])


def list_sandbox_stacks_of(cloudformation: Any, identifiers: Iterable[str]) -> dict[str, list[SandboxStack]]:
    """The live root sandbox stacks of each identifier (those with none left out), in one ListStacks pass.

    The access review asks this for everyone who no longer has access: one listing of the account, then
    DescribeStacks only on the stacks whose identifier part is one of theirs.
    """
    wanted: dict[str, list[str]] = {}
    for identifier in dict.fromkeys(identifiers):
        if part := name_part(identifier).casefold():
            wanted.setdefault(part, []).append(identifier)
    if not wanted:
        return {}
    region = cloudformation.meta.region_name or ""
    # Deleted stacks stay listed for 90 days: filtering them out on the server saves pages.
    live = [s for s in cloudformation.meta.service_model.shape_for("StackStatus").enum if s != DELETED]
    candidates: list[tuple[dict[str, Any], list[str]]] = []
    try:
        for page in cloudformation.get_paginator("list_stacks").paginate(StackStatusFilter=live):
            for summary in page.get("StackSummaries", []):
                if summary.get("StackStatus") == DELETED or summary.get("ParentId"):
                    continue
                parsed = parse_sandbox_stack_name(summary["StackName"])
                if parsed is not None and parsed.name.casefold() in wanted:
                    candidates.append((summary, wanted[parsed.name.casefold()]))
    except (ClientError, BotoCoreError) as e:
        raise SandboxListingError("cloudformation:ListStacks", _code(e)) from None
    found: dict[str, list[SandboxStack]] = {}
    for summary, owners in candidates:
        for identifier in owners:
            if stack := _describe(cloudformation, summary, identifier, region):
                found.setdefault(identifier, []).append(stack)
    return {i: sorted(stacks, key=lambda s: (s.created, s.stack_name)) for i, stacks in found.items()}


def _describe(cloudformation: Any, summary: dict[str, Any], identifier: str, region: str) -> SandboxStack | None:
    try:
        stacks = cloudformation.describe_stacks(StackName=summary.get("StackId") or summary["StackName"])["Stacks"]
    except ClientError as e:
        if _code(e) == "ValidationError":  # deleted between the two calls
            return None
        raise SandboxListingError("cloudformation:DescribeStacks", _code(e)) from None
    except BotoCoreError as e:
        raise SandboxListingError("cloudformation:DescribeStacks", _code(e)) from None
    if not stacks or stacks[0].get("StackStatus") == DELETED:
        return None
    stack = stacks[0]
    tags = {t.get("Key"): t.get("Value") for t in stack.get("Tags") or []}
    if tags.get(DEPLOYMENT_TYPE_TAG, "sandbox") != "sandbox":
        return None
    return SandboxStack(
        stack_name=stack["StackName"],
        status=stack["StackStatus"],
        created=stack.get("CreationTime") or summary["CreationTime"],
        region=region_of(stack.get("StackId", ""), region),
        identifier=identifier,
    )


def _code(e: BaseException) -> str:
    if isinstance(e, ClientError):
        return str(e.response.get("Error", {}).get("Code") or "Unknown")
    return type(e).__name__


def cloudformation_client_from(session: Any, region: str) -> Any:
    """A CloudFormation client on a boto3 session (a project's, or the bot's own), with standard retries."""
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=15)
    return session.client("cloudformation", region_name=region, config=config)
