"""Amplify sandboxes left behind: the identifier a developer is told to use, and the port the flows ask for the
sandbox stacks of people whose access ends (the removal notice) or has ended (the access review).

A port, not part of the grant-kind seam: a sandbox is named after the request's name and lives in the project's
account whatever the kind of grant (IAM user or Identity Center), so both kinds would carry the same code. The only
workflow module that imports amplify_sandboxes/ (import-linter keeps the flows off it, as off iam/). The project's
CloudFormation client (its account role, like its IAM client) is passed in through Deps; with
AMPLIFY_DEV_SANDBOX_REPORT off nothing here calls it. The bot only reads: it deletes no stack.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from amplify_sandboxes import SandboxListingError, SandboxStack, list_sandbox_stacks_of, sandbox_identifier
from store import Request

logger = logging.getLogger(__name__)


def identifier_for(name: str | None) -> str | None:
    """The `ampx sandbox --identifier` for a request's name (the IAM user name, or the Slack-derived name in the
    Identity Center mode), shortened to ampx's 15 characters when longer; None if nothing usable is left."""
    return sandbox_identifier(name) if name else None


@dataclass(frozen=True)
class SandboxFinding:
    """What a listing found: each identifier's stacks, or where and why the listing failed (step, AWS's code)."""

    stacks: dict[str, list[SandboxStack]]
    failed_step: str = ""
    failed_code: str = ""

    @property
    def failed(self) -> bool:
        """The listing did not finish: nothing can be said about any sandbox."""
        return bool(self.failed_step)


class SandboxReport:
    """One project's sandbox report: off (no call at all), or read-only listings with its CloudFormation client."""

    def __init__(self, enabled: bool, cloudformation: Any) -> None:
        self.enabled = enabled and cloudformation is not None
        self._cloudformation = cloudformation

    def find(self, identifiers: Iterable[str | None]) -> SandboxFinding | None:
        """The stacks of these identifiers; None when the report is off. Never raises: a failure is in the finding."""
        if not self.enabled:
            return None
        wanted = [i for i in identifiers if i]
        if not wanted:
            return SandboxFinding({})
        try:
            return SandboxFinding(list_sandbox_stacks_of(self._cloudformation, wanted))
        except SandboxListingError as e:
            logger.warning("listing sandbox stacks failed at %s: %s", e.step, e.code)
            return SandboxFinding({}, e.step, e.code)
        except Exception as e:  # a listing must never stop a removal or a review
            logger.exception("listing sandbox stacks failed")
            return SandboxFinding({}, "cloudformation:ListStacks", type(e).__name__)

    def of_request(self, request: Request) -> SandboxFinding | None:
        """The stacks named after one request's developer (the removal notice)."""
        return self.find([identifier_for(request.iam_user_name)])
