"""Who is who in the benchmark's workspace, the bot's settings, and the deadlines every phase keeps."""

from __future__ import annotations

from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent

SIGNING_SECRET = "bench-signing-secret"  # noqa: S105 (the local benchmark's own throwaway secret)
TEAM = "T0TEAM"  # the fake's workspace; the bot refuses payloads from any other
CHANNEL = "C0APPROVE"  # the approvers' channel
GENERAL = "C0GENERAL"  # where the developers type their commands
LEAD, GROUP_LEAD, LEADS_GROUP = "ULEAD", "UGLEAD", "SLEADS"
POLICY_ARNS = ("arn:aws:iam::aws:policy/AdministratorAccess-Amplify",)
ACCESS_DAYS = 30  # every request gets an end date (the bot's default), which AWS enforces with an inline policy

STARTUP_DEADLINE = 30.0
WAIT_DEADLINE = 240.0  # the longest any one wait for the bot's background work may take
SETTLE = 0.03  # after a flow's last expected call, before its calls are counted
QUIET = 0.5  # no new call for this long: the bot's background start-up work is done


def bot_environment(base: dict[str, str], *, slack_url: str, aws_url: str, db_path: Path, port: int) -> dict[str, str]:
    """The bot's environment: `base` without any Slack, AWS or amplify-dev setting, plus the benchmark's own."""
    env = {
        k: v
        for k, v in base.items()
        if not k.startswith(("AWS_", "SLACK_", "AMPLIFY_DEV_")) and k not in ("PORT", "PYTHONPATH")
    }
    env.update(
        {
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack_url,
            "AMPLIFY_DEV_APPROVAL_CHANNEL": CHANNEL,
            "AMPLIFY_DEV_APPROVERS": f"{LEAD},{LEADS_GROUP}",
            "AMPLIFY_DEV_POLICY_ARNS": ",".join(POLICY_ARNS),
            "AMPLIFY_DEV_ALLOW_CONSOLE": "true",
            "AMPLIFY_DEV_DEFAULT_DAYS": str(ACCESS_DAYS),
            "AMPLIFY_DEV_REQUIRED_APPROVALS": "1",
            "AMPLIFY_DEV_DB": str(db_path),
            "PORT": str(port),
            "AWS_ENDPOINT_URL": aws_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "eu-west-1",
            # boto3 1.43 reads only AWS_DEFAULT_REGION; without it the bot tells developers us-east-1.
            "AWS_DEFAULT_REGION": "eu-west-1",
        }
    )
    return env
