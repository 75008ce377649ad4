"""Request state: the model and store interface (store/model.py), on SQLite (store/sqlite.py, the default) or
DynamoDB (store/dynamodb.py). No secret is ever stored: only public identifiers (request id, IAM user name and
ARN, Slack ids)."""

from .model import (
    BUSY_CREDENTIALS,
    DEFAULT_PROJECT,
    OPEN_STATES,
    UNSET,
    Credentials,
    Fields,
    OneOf,
    OpenRequestExists,
    Request,
    RequestStore,
    RevokeReason,
    State,
    allowed_values,
    assignment_key,
    is_stalled,
    one_of,
)
from .sqlite import SqliteRequestStore

__all__ = [
    "BUSY_CREDENTIALS",
    "DEFAULT_PROJECT",
    "OPEN_STATES",
    "UNSET",
    "Credentials",
    "Fields",
    "OneOf",
    "OpenRequestExists",
    "Request",
    "RequestStore",
    "RevokeReason",
    "SqliteRequestStore",
    "State",
    "allowed_values",
    "assignment_key",
    "is_stalled",
    "one_of",
]
