"""The sign-in credentials (AMPLIFY_DEV_CREDENTIALS=sign-in): the one ephemeral with the temporary password.

What it tells the developer, and where each fact comes from (checked with the search tool, December 2026):
- `aws login` needs AWS CLI 2.32.0 or later; it opens the browser sign-in (console credentials), then the CLI and
  SDKs refresh 15-minute credentials for up to 12 hours; `--profile NAME` writes `login_session` into that
  profile of ~/.aws/config (AWS CLI user guide, "Login for AWS local development using console credentials";
  SDK and Tools reference guide, "Login credentials provider"; AWS Security Blog "Simplified developer access to
  AWS with 'aws login'"). The CLI asks for a region the first time when the profile has none (same blog).
- `--remote`: "displays the URL and prompts you to paste the authorization code ... when running the CLI on
  remote hosts via SSH where a local browser is not available" (AWS CLI reference, `aws login`).
- `aws configure export-credentials --profile P --format process` prints credentials in the JSON a
  `credential_process` expects; the reference itself shows `credential_process = aws configure export-credentials
  --profile myprofile` (AWS CLI reference, `aws configure export-credentials`).
- The Amplify CLI (Gen 1) reads, from a profile of ~/.aws/config, `role_arn`, else `credential_process`, else static
  keys, and the profile's `region` (amplify-cli, packages/amplify-provider-awscloudformation/src/
  system-config-manager.ts, getProfiledAwsConfig): hence a second profile with `credential_process` and `region`.
- Gen 2: `npx ampx sandbox --profile NAME`. Not verified: from which @aws-amplify/backend-cli release its AWS SDK
  for JavaScript resolves `login_session` profiles (the SDK has fromLoginCredentials in
  @aws-sdk/credential-provider-login); where it does not, the Gen 1 profile (credential_process) works for it too,
  which the message says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from slack_sdk.models.blocks import Block, SectionBlock

from store import Request

from .basics import CLI_PROFILE, COMMAND, Message, Reply, escape, mention, slack_date
from .credentials import link
from .dms import approved_dm

MINIMUM_CLI_VERSION = "2.32.0"
GEN1_PROFILE = f"{CLI_PROFILE}-gen1"


@dataclass(frozen=True)
class SignInShown:
    """What the sign-in ephemeral shows; the temporary password is revealed only inside its blocks."""

    user_name: str
    console_password: str
    signin_url: str
    region: str
    amplify_app_id: str | None = None
    amplify_env: str | None = None

    def __repr__(self) -> str:  # a stray log of this object must not print the password
        return f"SignInShown(user_name={self.user_name!r}, ***)"


def gen1_profile_block(region: str) -> str:
    """The ~/.aws/config profile the Amplify CLI (Gen 1) can read: credentials from the `aws login` profile."""
    return (
        f"[profile {GEN1_PROFILE}]\n"
        f"credential_process = aws configure export-credentials --profile {CLI_PROFILE} --format process\n"
        f"region = {region}"
    )


def signin_credentials_ephemeral(
    shown: SignInShown, *, rotated: bool = False, sessions_ended: int = 0, sessions_failed: int = 0
) -> Reply:
    """The one message that carries the temporary password, with the `aws login` and Amplify steps."""
    region = escape(shown.region)
    title = "Your new temporary AWS password" if rotated else "Your AWS sign-in"
    ended = ""
    if rotated and sessions_failed:
        ended = (
            f" {sessions_ended} of your `aws login` sessions were ended, {sessions_failed} could not be: tell the "
            f"leads. Run `aws login --profile {CLI_PROFILE}` again after signing in."
        )
    elif rotated:
        ended = (
            f" Every `aws login` session you had was ended ({sessions_ended}): run `aws login --profile "
            f"{CLI_PROFILE}` again after signing in."
        )
    blocks: list[Block] = [
        SectionBlock(
            text=(
                f":key: *{title} for amplify-dev*. Shown once, only to you, never stored. There is no access key: "
                f"you sign in, and the AWS CLI gets short-lived credentials. Lost the password? Run "
                f"`{COMMAND} rotate`.{ended}"
            )
        ),
        SectionBlock(
            text=(
                f"*1. Sign in to the AWS console*\n{link(shown.signin_url)}\n"
                f"User name: `{escape(shown.user_name)}`\n"
                f"Temporary password: `{escape(shown.console_password)}`\n"
                "You must choose a new password at this first sign-in."
            )
        ),
        SectionBlock(
            text=(
                f"*2. Log the AWS CLI in* (AWS CLI {MINIMUM_CLI_VERSION} or later: check with `aws --version`)\n"
                f"```aws login --profile {CLI_PROFILE}```\n"
                f"It opens your browser; the first time it asks for a region: answer `{region}`. On a machine "
                f"without a browser (over SSH), run `aws login --profile {CLI_PROFILE} --remote`: it prints a URL "
                "to open elsewhere and asks for the code shown after you sign in. Credentials last 15 minutes and "
                "renew themselves for up to 12 hours; then run `aws login` again."
            )
        ),
        SectionBlock(text=_amplify_steps(shown, region)),
    ]
    # The notification text is what phones and previews show: it never carries the password.
    return Reply(text=f"{title} for amplify-dev (shown once)", blocks=blocks)


def _amplify_steps(shown: SignInShown, region: str) -> str:
    if shown.amplify_app_id:
        pull = f"amplify pull --appId {escape(shown.amplify_app_id)}" + (
            f" --envName {escape(shown.amplify_env)}" if shown.amplify_env else ""
        )
    else:
        pull = "amplify pull"
    return (
        f"*3. Amplify*\nGen 2: `npx ampx sandbox --profile {CLI_PROFILE}`\n"
        "Amplify CLI (Gen 1) reads only static keys, `role_arn` or `credential_process` from a profile, so add this "
        f"second profile to `~/.aws/config`:\n```{gen1_profile_block(region)}\n```\n"
        f"then run `{pull}` (or `amplify init`), choose *AWS profile* and `{GEN1_PROFILE}`. It reuses your "
        f"`aws login` session; if `ampx` cannot find credentials, `--profile {GEN1_PROFILE}` works for it too."
    )


def signin_approved_dm(request: Request, sandbox: list[Block] | None = None) -> Message:
    """The requester's DM once their IAM user exists: Show credentials sets the temporary password (no key); and
    `sandbox`: the Amplify sandbox identifier to use (messages/oncall.py)."""
    return approved_dm(
        request,
        sandbox,
        click="Click *Show credentials* when you are ready: a temporary console password is set at that moment and "
        "shown to you once, only here, with the `aws login` steps. There is no access key.",
    )


def signin_shown_dm(request: Request, when: datetime, sandbox: list[Block] | None = None) -> Message:
    """The DM after the temporary password was shown: the button is gone, rotate sets a new one; the sandbox advice
    stays."""
    return Message(
        text="Your amplify-dev sign-in was shown",
        blocks=[
            SectionBlock(
                text=(
                    f":white_check_mark: Access approved by {mention(request.decided_by)}. The temporary password "
                    f"for `{escape(request.iam_user_name)}` was shown on {slack_date(when)} and is not stored "
                    f"anywhere. Lost it? Run `{COMMAND} rotate` for a new one (it also ends every `aws login` "
                    f"session); `{COMMAND} remove` ends your access."
                )
            ),
            *(sandbox or []),
        ],
    )


def sessions_ended_text(revoked: int, failed: int = 0) -> str:
    """What ending a user's `aws login` sessions came to, in words: "2 `aws login` sessions were ended"."""
    ended = f"{revoked} `aws login` session{'' if revoked == 1 else 's'} {'was' if revoked == 1 else 'were'} ended"
    if not failed:
        return ended
    return (
        f"{ended}, {failed} could not be (AWS refused); those stop renewing once the user is deleted, and "
        "what they already issued is denied from then on"
    )


def sessions_audit_detail(revoked: int, failed: int = 0, code: str | None = None) -> str:
    """The audit row's note on the sessions a removal or rotation ended (never a secret)."""
    return f"{revoked} sign-in session(s) revoked" + (f", {failed} not ({code})" if failed or code else "")
