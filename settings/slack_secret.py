"""The Slack tokens from AWS Secrets Manager (AMPLIFY_DEV_SLACK_SECRET_ARN), read once when settings load."""

from __future__ import annotations

import json
from typing import Any

SECRET_KEYS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")


def read_slack_secret(arn: str, client: Any = None) -> dict[str, str]:
    """SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET from the secret's JSON; SettingsError (never the value) if unusable."""
    from settings import SettingsError

    if client is None:
        import boto3
        from botocore.config import Config

        # A secret's ARN names its region: arn:aws:secretsmanager:<region>:<account>:secret:<name>
        parts = arn.split(":")
        region = parts[3] if len(parts) > 3 and parts[3] else None
        config = Config(retries={"mode": "standard"}, connect_timeout=5, read_timeout=10)
        client = boto3.client("secretsmanager", region_name=region, config=config)
    try:
        answer = client.get_secret_value(SecretId=arn)
    except Exception as e:  # botocore's ClientError or a connection error: name the setting, not the content
        code = getattr(e, "response", {}).get("Error", {}).get("Code", type(e).__name__)
        raise SettingsError(f"AMPLIFY_DEV_SLACK_SECRET_ARN: the secret could not be read ({code})") from None
    try:
        values = json.loads(answer.get("SecretString") or "")
    except ValueError:
        values = None
    if not isinstance(values, dict):
        raise SettingsError(
            "AMPLIFY_DEV_SLACK_SECRET_ARN: the secret must be JSON like "
            '{"SLACK_BOT_TOKEN": "xoxb-…", "SLACK_SIGNING_SECRET": "…"}'
        )
    found = {
        key: values[key].strip() for key in SECRET_KEYS if isinstance(values.get(key), str) and values[key].strip()
    }
    missing = [key for key in SECRET_KEYS if key not in found]
    if missing:
        raise SettingsError(f"AMPLIFY_DEV_SLACK_SECRET_ARN: the secret has no {' or '.join(missing)}")
    return found
