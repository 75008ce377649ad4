"""Amplify Gen 2 sandboxes a developer leaves behind: how they are named (naming.py, with what was verified and
where) and how to find them with read-only CloudFormation calls (stacks.py). Knows no Slack, like iam/."""

from __future__ import annotations

from .naming import (
    IDENTIFIER_LIMIT,
    SandboxStackName,
    is_valid_identifier,
    name_part,
    parse_sandbox_stack_name,
    sandbox_identifier,
    sandbox_stack_name,
    sanitise,
)
from .stacks import (
    DEPLOYMENT_TYPE_TAG,
    SandboxListingError,
    SandboxStack,
    cloudformation_client_from,
    list_sandbox_stacks,
    list_sandbox_stacks_of,
)

__all__ = [
    "DEPLOYMENT_TYPE_TAG",
    "IDENTIFIER_LIMIT",
    "SandboxListingError",
    "SandboxStack",
    "SandboxStackName",
    "cloudformation_client_from",
    "is_valid_identifier",
    "list_sandbox_stacks",
    "list_sandbox_stacks_of",
    "name_part",
    "parse_sandbox_stack_name",
    "sandbox_identifier",
    "sandbox_stack_name",
    "sanitise",
]
