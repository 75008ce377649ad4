"""The floor of the Lambda cold-start row: a bare Bolt Lambda handler, as Bolt's documentation writes one.

It does what every Bolt-on-Lambda slash command must do before its ack and nothing else: boto3, one Secrets
Manager read for the tokens (the same secret the bot reads), Bolt's App (with its auth.test) and Lambda adapter,
an ack function and one lazy listener, so the first ack includes Bolt's asynchronous self-invocation (its
`boto3.client("lambda")`, made on first use, and the Invoke call). Built at import, in Lambda's init phase.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
from slack_bolt import Ack, App
from slack_bolt.adapter.aws_lambda import SlackRequestHandler
from slack_sdk import WebClient

_secret = json.loads(
    boto3.client("secretsmanager").get_secret_value(SecretId=os.environ["AMPLIFY_DEV_SLACK_SECRET_ARN"])["SecretString"]
)
app = App(
    client=WebClient(token=_secret["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
    signing_secret=_secret["SLACK_SIGNING_SECRET"],
    process_before_response=True,
)


def _ack(ack: Ack) -> None:
    ack()


def _later(body: dict[str, Any]) -> None:
    """Runs in the second (asynchronous) invocation."""


app.command("/amplify-dev")(ack=_ack, lazy=[_later])
_slack = SlackRequestHandler(app)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda's entry point."""
    return _slack.handle(event, context)
