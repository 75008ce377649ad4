"""Exceptions raised by the IAM layer; messages carry the failed step and AWS error code only."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError


class IamError(Exception):
    """An IAM step failed; carries the step, the AWS error code and whether this call undid its own work."""

    def __init__(self, step: str, code: str, *, rolled_back: bool = True, detail: str = "") -> None:
        self.step = step
        self.code = code
        self.rolled_back = rolled_back
        self.detail = detail
        message = f"{step} failed: {code}"
        if detail:
            message = f"{message} ({detail})"
        # Only our own composed sentence goes into args, so str(), repr() and tracebacks can never show
        # an AWS message that echoes request parameters such as a password.
        super().__init__(message)

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only arguments break Exception's default pickling (e.g. across a process pool).
        return (_rebuild, (type(self), self.step, self.code, self.rolled_back, self.detail))


def _rebuild(cls: type[IamError], step: str, code: str, rolled_back: bool, detail: str) -> IamError:
    return cls(step, code, rolled_back=rolled_back, detail=detail)


class UserNameTaken(IamError):
    """A user of that name exists that the bot did not create for this request."""


class NotManagedByBot(IamError):
    """The user exists but is outside the bot's path or lacks the bot's Slack user tag."""


class AccessKeyLimit(IamError):
    """The user already has the two access keys IAM allows."""


def error_code(exc: ClientError | BotoCoreError) -> str:
    """Return the AWS error code of a ClientError, or the class name of a transport error."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "Unknown")
    # Transport errors (timeouts, connection resets) have no AWS code; their class name is the useful part
    # and, unlike their message, never contains request data.
    return type(exc).__name__


def is_no_such_entity(exc: ClientError | BotoCoreError) -> bool:
    """Return True if the error means the entity is already gone."""
    return isinstance(exc, ClientError) and error_code(exc) == "NoSuchEntity"


def outcome_unknown(exc: ClientError | BotoCoreError) -> bool:
    """Return True if the failed request may nevertheless have been carried out by IAM."""
    if isinstance(exc, ClientError):
        # A 5xx can arrive after IAM applied the change; a 4xx is a definite refusal.
        return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 400) >= 500
    # Sent but no answer (read timeout, dropped connection). Failures to connect never reached IAM.
    return isinstance(exc, HTTPClientError)
