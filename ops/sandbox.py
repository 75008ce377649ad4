"""Sandbox mode (`python bot.py --sandbox`): the real bot, with IAM played by moto inside this process.

A team can try the whole flow in their Slack workspace before giving the bot AWS credentials. Nothing here
reaches AWS: moto answers every IAM call, the users it "creates" vanish when the process stops, and the keys
it hands out work nowhere. moto is imported only by start_sandbox_iam(), so the normal bot never loads it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.client import BaseClient
from botocore.exceptions import ClientError

import sandbox_label as label_state
from sandbox_label import PLAYGROUND_LABEL, SANDBOX_LABEL, is_sandbox, sandbox_label
from scheduler import Periodic

__all__ = [
    "PLAYGROUND_LABEL",
    "SANDBOX_ACCOUNT_ID",
    "SANDBOX_LABEL",
    "describe_as",
    "is_sandbox",
    "sandbox_cloudformation",
    "sandbox_label",
    "start_sandbox_iam",
    "stop_sandbox",
]

logger = logging.getLogger("amplify-dev.sandbox")

REMINDER_SECONDS = 300.0
SANDBOX_ACCOUNT_ID = "123456789012"  # moto's default account: the sandbox's users and Sign-In sessions live in it
# The global IAM endpoint moto intercepts; given explicitly so AWS_ENDPOINT_URL cannot send calls elsewhere.
SANDBOX_IAM_ENDPOINT = "https://iam.amazonaws.com"
_WARNING = (
    "SANDBOX MODE: IAM is an in-process fake (moto). Nothing is created in AWS; users and keys vanish when "
    "the bot stops and work nowhere. Run without --sandbox to use AWS."
)
PLAYGROUND_WARNING = (
    "PLAYGROUND: IAM is an in-process fake (moto) and Slack is the local page. Nothing is created in AWS or Slack; "
    "users and keys vanish when it stops and work nowhere."
)

_lock = threading.Lock()
_label, _warning = SANDBOX_LABEL, _WARNING  # what this fake calls itself (describe_as)
_mock: Any = None  # the running moto mock; set once, never stopped before the process ends
_reminder: Periodic | None = None


def describe_as(label: str, warning: str) -> None:
    """What the messages and the log call this fake from the next start on (the playground's own words)."""
    global _label, _warning
    with _lock:
        _label, _warning = label, warning


def start_sandbox_iam(region: str, *, reminder_seconds: float = REMINDER_SECONDS) -> BaseClient:
    """Start moto's IAM in this process (AWS managed policies loaded) and return a client for it."""
    global _mock, _reminder
    from moto import mock_aws  # only ever imported in sandbox mode

    import iam

    with _lock:
        if _mock is None:
            # mock_aws also swaps in fake credentials, so real ones in the environment are never sent anywhere.
            _mock = mock_aws(config={"iam": {"load_aws_managed_policies": True}})
            _mock.start()
            label_state.turn_on(_label)
            warning = _warning
            _reminder = Periodic(
                lambda: logger.warning(warning),
                reminder_seconds,
                name="amplify-dev-sandbox-reminder",
                first_at_once=False,
            ).start()
    logger.warning(_warning)
    client = iam.build_iam_client(region, endpoint_url=SANDBOX_IAM_ENDPOINT)
    install_moto_gaps(client)
    return client


def sandbox_cloudformation(region: str) -> BaseClient:
    """A CloudFormation client on the running moto (start_sandbox_iam first): the sandbox report's stacks."""
    import boto3

    from amplify_sandboxes import cloudformation_client_from

    return cloudformation_client_from(boto3.session.Session(), region)


def stop_sandbox() -> None:
    """Stop moto and the reminder (tests; a real sandbox lasts as long as the process)."""
    global _mock, _reminder
    with _lock:
        mock, reminder = _mock, _reminder
        _mock = _reminder = None
        label_state.turn_off()
    if reminder is not None:
        reminder.stop(timeout=None)  # return only once it has ended: no warning after this
    if mock is not None:
        mock.stop()


def install_moto_gaps(client: BaseClient) -> None:
    """Answer the IAM calls moto 5.2 lacks, which `remove` makes, as AWS would for a user who has none."""
    client.meta.events.register("before-call.iam.ListServiceSpecificCredentials", _list_service_specific_credentials)
    client.meta.events.register("before-call.iam.DeleteServiceSpecificCredential", _delete_service_specific_credential)


def _ok() -> AWSResponse:
    return AWSResponse(SANDBOX_IAM_ENDPOINT, 200, {}, None)


def _list_service_specific_credentials(params: dict[str, Any], **kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
    # moto cannot create such credentials either, so no sandbox user ever has one.
    return _ok(), {"ServiceSpecificCredentials": [], "IsTruncated": False}


def _delete_service_specific_credential(params: dict[str, Any], **kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
    raise ClientError(
        {
            "Error": {"Code": "NoSuchEntity", "Message": "no such service-specific credential"},
            "ResponseMetadata": {"HTTPStatusCode": 404, "HTTPHeaders": {}},
        },
        "DeleteServiceSpecificCredential",
    )
