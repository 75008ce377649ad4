"""The command line's words: its arguments, and the sentences the operator reads on stderr before the bot runs."""

from __future__ import annotations

import argparse

from botocore.exceptions import BotoCoreError, NoCredentialsError, ProfileNotFound


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line: run the bot (default), or one of the operator's commands."""
    parser = argparse.ArgumentParser(prog="python bot.py", description="amplify-dev Slack bot")
    parser.add_argument("--sandbox", action="store_true", help="run against an in-process fake IAM (moto), not AWS")
    parser.add_argument(
        "--playground", action="store_true", help="try it on a local page standing in for Slack, with fake AWS"
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default)")
    sub.add_parser("check", help="check the configuration, Slack and AWS set-up, then exit")
    policy = sub.add_parser("policy", help="print the least-privilege IAM policy the bot's own AWS identity needs")
    policy.add_argument(
        "--principal-arn",
        help="the IAM role or user ARN the bot runs as (default: the identity of the current AWS credentials)",
    )
    policy.add_argument(
        "--project", help="print the policy and the trust policy of this project's account role instead"
    )
    policy.add_argument(
        "--trust-caller",
        action="store_true",
        help="with --project and no --principal-arn: let the trust policy name the current credentials' identity",
    )
    sub.add_parser("create-table", help="create the DynamoDB table AMPLIFY_DEV_DYNAMODB_TABLE names (safe to rerun)")
    audit = sub.add_parser("audit", help="export the audit trail")
    audit.add_argument("--since", help="only events on or after this date (YYYY-MM-DD)")
    audit.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    review = sub.add_parser("review", help="print the access review (active grants, last use, flags)")
    review.add_argument("--project", help="the project to review (only `default` exists for now)")
    review.add_argument("--format", choices=("text", "csv", "jsonl"), default="text")
    return parser.parse_args(argv)


UNKNOWN_PROFILE = "AWS_PROFILE names a profile that is in neither ~/.aws/config nor ~/.aws/credentials."
POLICY_NEEDS_INSTANCE = (
    "`policy` needs AMPLIFY_DEV_APPROVAL_CHANNEL (the leads' channel ID) or AMPLIFY_DEV_INSTANCE: the policy lets "
    "the bot change only users tagged with this deployment's instance, which is the approval channel unless set"
)


def configuration_error(problems: list[str]) -> str:
    """Every invalid setting, one per line, for stderr."""
    if len(problems) == 1:
        return f"amplify-dev: configuration error: {problems[0]}"
    return f"amplify-dev: {len(problems)} configuration errors:\n" + "\n".join(f"  - {p}" for p in problems)


def aws_credentials_problem() -> str | None:
    """Why boto3's chain finds no credentials (environment, profile, instance or task role), or None."""
    import boto3

    from ops.check.hints import sentence_for

    try:
        found = boto3.Session().get_credentials()
    except ProfileNotFound:
        return UNKNOWN_PROFILE
    except BotoCoreError as e:
        return f"AWS credentials: {sentence_for('sts:GetCallerIdentity', e)}"
    if found is None:
        return f"no AWS credentials: {sentence_for('sts:GetCallerIdentity', NoCredentialsError())}"
    return None
