"""Exceptions raised by the Identity Center layer; messages carry the failed step and AWS error code only."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError


class IdentityCenterError(Exception):
    """An Identity Center step failed; carries the step and the AWS error code (never AWS's message text)."""

    def __init__(self, step: str, code: str, *, detail: str = "") -> None:
        self.step = step
        self.code = code
        self.detail = detail
        # Only our own composed sentence goes into args, as in iam/errors.py.
        super().__init__(f"{step} failed: {code}" + (f" ({detail})" if detail else ""))

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), self.step, self.code, self.detail))


def _rebuild(cls: type[IdentityCenterError], step: str, code: str, detail: str) -> IdentityCenterError:
    return cls(step, code, detail=detail)


class NoIdentityStoreUser(IdentityCenterError):
    """No Identity Store user has exactly this email."""


class InstanceNotFound(IdentityCenterError):
    """ListInstances found no instance, or more than one and none was configured."""


class AssignmentTimedOut(IdentityCenterError):
    """Identity Center did not report the assignment request done within the bound."""


def error_code(exc: ClientError | BotoCoreError) -> str:
    """The AWS error code of a ClientError, or the class name of a transport error (never a message)."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "Unknown")
    return type(exc).__name__


def from_aws(step: str, exc: ClientError | BotoCoreError) -> IdentityCenterError:
    """Our error for a failed AWS call (its code only)."""
    return IdentityCenterError(step, error_code(exc))
