"""Operator tooling: configuration check, the bot's own IAM policy, audit export, sandbox mode."""
