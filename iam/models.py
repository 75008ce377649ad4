"""Values passed between the IAM layer and the workflow."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

TAG_SLACK_USER = "amplify-dev:slack-user-id"
TAG_REQUEST = "amplify-dev:request-id"
TAG_APPROVED_BY = "amplify-dev:approved-by"
# Which deployment made the user: a second bot in the same account (or one that lost its database) never
# touches a user carrying another instance's value.
TAG_INSTANCE = "amplify-dev:instance"
# Which project (of a bot serving several) the user is for.
TAG_PROJECT = "amplify-dev:project"

_MASK = "Secret(***)"


class Secret:
    """Holds a secret string that repr, str and format never show; call reveal() to get it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        object.__setattr__(self, "_value", value)

    def reveal(self) -> str:
        """Return the secret itself; only call this where it is sent to its owner."""
        return self._value

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Secret is immutable")

    def __repr__(self) -> str:
        return _MASK

    def __str__(self) -> str:
        return _MASK

    def __format__(self, format_spec: str) -> str:
        return _MASK

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Secret:
        # Immutable, so sharing is safe; this also keeps dataclasses.asdict() working without pickling.
        return self

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling would write the plain value to wherever the pickle goes (a cache, a queue, a file).
        raise TypeError("Secret cannot be pickled")


@dataclass(frozen=True)
class AccessKey:
    """A freshly created access key; the secret is only available at creation time."""

    access_key_id: str
    secret_access_key: Secret


@dataclass(frozen=True)
class ManagedUser:
    """An IAM user under the bot's path carrying the bot's tags."""

    user_name: str
    arn: str
    path: str
    tags: dict[str, str]
    # IAM's unique id (AIDA…): never reused, so a recorded id names this very user (not compared: names are).
    user_id: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Owner:
    """What marks a user as this deployment's: its IAM path and its instance tag's value."""

    path: str
    instance: str


@dataclass(frozen=True)
class ProvisionSpec:
    """Everything needed to create one developer's IAM user for an approved request."""

    user_name: str
    path: str
    slack_user_id: str
    request_id: str
    approved_by: str
    policy_arns: tuple[str, ...]
    console: bool
    group: str | None = None
    permissions_boundary: str | None = None
    expires_at: datetime | None = None  # None: no expiry (only when the operator allows it)
    instance: str = ""  # the value of TAG_INSTANCE (required: create_developer_user refuses an empty one)
    project: str = ""  # the value of TAG_PROJECT; empty: a bot without a projects file (no tag)

    @property
    def owner(self) -> Owner:
        """The path and instance that make the user this deployment's."""
        return Owner(self.path, self.instance)


@dataclass(frozen=True)
class PasswordPolicy:
    """The parts of the account password policy a generated password must satisfy."""

    minimum_length: int
    require_symbols: bool
    require_numbers: bool
    require_uppercase: bool
    require_lowercase: bool
