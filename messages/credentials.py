"""The credentials: the Show credentials button and the one ephemeral that carries the secret key."""

from __future__ import annotations

import re
from dataclasses import dataclass

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    MarkdownTextObject,
    SectionBlock,
)

from store import Request

from .basics import CLI_PROFILE, COMMAND, SHOW_CREDENTIALS_ACTION, Reply, escape
from .oncall import sandbox_command


def show_credentials_button(request: Request) -> ButtonElement:
    """The requester's Show credentials button: the click mints the key (the button carries only the id)."""
    return ButtonElement(text="Show credentials", action_id=SHOW_CREDENTIALS_ACTION, value=request.id, style="primary")


@dataclass(frozen=True)
class CredentialsShown:
    """What the credentials ephemeral shows. The secret fields are revealed only inside blocks."""

    user_name: str
    access_key_id: str
    secret_access_key: str
    region: str
    console_password: str | None = None
    signin_url: str | None = None
    amplify_app_id: str | None = None  # the project's Amplify app: the exact `amplify pull` to run
    amplify_env: str | None = None
    sandbox_identifier: str | None = None  # `ampx sandbox --identifier`: the IAM user name, shortened to 15 if longer

    def __repr__(self) -> str:  # a stray log of this object must not print the secrets
        return f"CredentialsShown(user_name={self.user_name!r}, access_key_id={self.access_key_id!r}, ***)"


def credentials_ephemeral(shown: CredentialsShown, *, rotated: bool = False) -> Reply:
    """The one and only message that carries the secret key (and console password)."""
    key_id, secret, region = (
        escape(shown.access_key_id),
        escape(shown.secret_access_key),
        escape(shown.region),
    )
    title = "Your new AWS access key" if rotated else "Your AWS credentials"
    blocks: list[Block] = [
        SectionBlock(
            text=(
                f":key: *{title} for amplify-dev*. Shown once, only to you, never stored: copy them now. "
                f"Lost them? Run `{COMMAND} rotate`."
            )
        ),
        SectionBlock(
            fields=[
                MarkdownTextObject(text=f"*Access key ID*\n`{key_id}`"),
                MarkdownTextObject(text=f"*Secret access key*\n`{secret}`"),
                MarkdownTextObject(text=f"*Region*\n`{region}`"),
                MarkdownTextObject(text=f"*IAM user*\n`{escape(shown.user_name)}`"),
            ]
        ),
        SectionBlock(text=cli_profile_instructions(key_id, secret, region)),
        SectionBlock(text=_amplify_commands(shown)),
    ]
    if shown.console_password and shown.signin_url:
        blocks.append(
            SectionBlock(
                text=(
                    f"*AWS console*\nSign in at {link(shown.signin_url)}\n"
                    f"User name: `{escape(shown.user_name)}`\n"
                    f"Temporary password: `{escape(shown.console_password)}`\n"
                    "You must choose a new password when you first sign in."
                )
            )
        )
    # The notification text is what phones and previews show: it never carries a secret.
    return Reply(text=f"{title} for amplify-dev (shown once)", blocks=blocks)


def cli_profile_instructions(key_id: str, secret: str, region: str) -> str:
    """The profile as files to paste (or `aws configure`, which prompts): a secret typed as an argument of a
    command (as `aws configure set` takes it) would land in the shell's history file."""
    return (
        f"*AWS CLI profile*: paste into `~/.aws/credentials`\n```[{CLI_PROFILE}]\n"
        f"aws_access_key_id = {key_id}\n"
        f"aws_secret_access_key = {secret}\n```\n"
        f"and into `~/.aws/config`\n```[profile {CLI_PROFILE}]\nregion = {region}\n```\n"
        f"Or run `aws configure --profile {CLI_PROFILE}`: it asks for each value, so nothing lands in your shell "
        "history. Never put the secret on a command line."
    )


def _amplify_commands(shown: CredentialsShown) -> str:
    """How to use the profile with Amplify: the sandbox named after the IAM user, the exact `amplify pull` when the
    project names its app."""
    gen2 = escape(sandbox_command(shown.sandbox_identifier))
    if shown.amplify_app_id:
        pull = f"amplify pull --appId {escape(shown.amplify_app_id)}" + (
            f" --envName {escape(shown.amplify_env)}" if shown.amplify_env else ""
        )
        return f"*Amplify*\nGen 2: `{gen2}`\nAmplify CLI (Gen 1): `{pull}`, choose *AWS profile*, then `{CLI_PROFILE}`."
    return (
        f"*Amplify*\nGen 2: `{gen2}`\n"
        f"Amplify CLI (Gen 1): run `amplify init` or `amplify pull`, choose *AWS profile*, "
        f"then `{CLI_PROFILE}`."
    )


_PLAIN_URL = re.compile(r"https://[A-Za-z0-9.-]+(/[A-Za-z0-9._/-]*)?")


def link(url: str) -> str:
    """A URL as a Slack link (`<url>`), when it holds nothing mrkdwn treats specially; else the escaped text."""
    return f"<{url}>" if _PLAIN_URL.fullmatch(url) else escape(url)
