"""`python bot.py create-table`: create the DynamoDB table the store needs, or confirm it; safe to run twice."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
    WaiterError,
)

from settings import Settings
from store.dynamodb_table import ADDED_INDEXES, TABLE_DEFINITION, TTL_ATTRIBUTE

WAIT = {"Delay": 2, "MaxAttempts": 60}  # a new on-demand table is usually ACTIVE within seconds


def ensure_table(client: Any, table_name: str, out: TextIO) -> int:
    """Create `table_name` as TABLE_DEFINITION says if it is missing, wait for it, and turn on TTL; 0 when usable."""
    try:
        existing = client.describe_table(TableName=table_name)["Table"]
    except client.exceptions.ResourceNotFoundException:
        existing = None
    if existing is None:
        client.create_table(TableName=table_name, **TABLE_DEFINITION)
        out.write(
            f"created table {table_name} (on-demand billing, {len(TABLE_DEFINITION['GlobalSecondaryIndexes'])} indexes)\n"
        )
    else:
        out.write(f"table {table_name} already exists\n")
    client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig=WAIT)
    if existing is not None:
        have = {index["IndexName"] for index in existing.get("GlobalSecondaryIndexes", [])}
        missing = [i["IndexName"] for i in TABLE_DEFINITION["GlobalSecondaryIndexes"] if i["IndexName"] not in have]
        if missing and set(missing) <= set(ADDED_INDEXES):  # a table of an earlier release: add what it lacks
            for name in missing:
                add_index(client, table_name, name, out)
        elif missing:
            print(
                f"amplify-dev: table {table_name} lacks the indexes {', '.join(missing)}; it was not made by "
                "create-table or template.yaml. Choose another AMPLIFY_DEV_DYNAMODB_TABLE.",
                file=sys.stderr,
            )
            return 1
    ttl = client.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]
    if ttl.get("AttributeName") == TTL_ATTRIBUTE and ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
        out.write(f"time to live already on ({TTL_ATTRIBUTE})\n")
    else:
        client.update_time_to_live(
            TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE}
        )
        out.write(f"turned on time to live ({TTL_ATTRIBUTE}): closed requests and audit events expire\n")
    out.write(f"table {table_name} is ready\n")
    return 0


def add_index(client: Any, table_name: str, name: str, out: TextIO) -> None:
    """Add one index of a later release to an existing table (DynamoDB builds one at a time) and wait for it."""
    index = next(i for i in TABLE_DEFINITION["GlobalSecondaryIndexes"] if i["IndexName"] == name)
    keys = {k["AttributeName"] for k in index["KeySchema"]}
    client.update_table(
        TableName=table_name,
        AttributeDefinitions=[a for a in TABLE_DEFINITION["AttributeDefinitions"] if a["AttributeName"] in keys],
        GlobalSecondaryIndexUpdates=[{"Create": index}],
    )
    out.write(f"added index {name} to table {table_name}\n")
    for _ in range(WAIT["MaxAttempts"]):
        table = client.describe_table(TableName=table_name)["Table"]
        status = {i["IndexName"]: i.get("IndexStatus") for i in table.get("GlobalSecondaryIndexes", [])}
        if status.get(name) == "ACTIVE":
            return
        time.sleep(WAIT["Delay"])


def run_create_table(settings: Settings, out: TextIO, *, client: Any = None) -> int:
    """Ensure the table AMPLIFY_DEV_DYNAMODB_TABLE names exists; 0 on success, 2 when it cannot."""
    if not settings.dynamodb_table:
        print("amplify-dev: set AMPLIFY_DEV_DYNAMODB_TABLE to the table's name first.", file=sys.stderr)
        return 2
    if client is None:
        from ops.aws import build_dynamodb_client, default_region

        client = build_dynamodb_client(default_region())
    try:
        return ensure_table(client, settings.dynamodb_table, out)
    except (BotoCoreError, ClientError) as e:
        print(f"amplify-dev: could not create or check table {settings.dynamodb_table}: {why(e)}", file=sys.stderr)
        return 2


def why(e: BotoCoreError | ClientError) -> str:
    """A sentence on what went wrong and what to do, for the person running create-table."""
    if isinstance(e, NoCredentialsError):
        return (
            "no AWS credentials were found. Run it with credentials for the bot's account through boto3's chain "
            "(AWS_PROFILE, the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY variables, or an instance/task role)."
        )
    if isinstance(e, ClientError):
        code = str(e.response.get("Error", {}).get("Code") or "Unknown")
        if "AccessDenied" in code or code == "UnauthorizedOperation":
            return (
                f"AWS refused it ({code}): the identity running it needs dynamodb:CreateTable, DescribeTable, "
                "DescribeTimeToLive and UpdateTimeToLive on the table."
            )
        if code in ("UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException"):
            return f"AWS refused the credentials ({code}): they are wrong or expired. Refresh them or fix AWS_PROFILE."
        return f"DynamoDB answered {code}."
    if isinstance(e, EndpointConnectionError | ConnectTimeoutError | ReadTimeoutError):
        return "DynamoDB could not be reached: check the network (a proxy?), the region and AWS_ENDPOINT_URL if set."
    if isinstance(e, WaiterError):
        return "the table did not become ACTIVE in time; run create-table again in a minute."
    return f"botocore failed ({type(e).__name__}); check the AWS configuration (region, profile)."
