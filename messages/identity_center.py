"""What people read in the Identity Center mode: no secret anywhere, only where and how to sign in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from slack_sdk.models.blocks import SectionBlock

from store import Request, RevokeReason

from .basics import COMMAND, Message, Reply, escape, mention, slack_date, text_reply
from .dms import removed_dm
from .oncall import sandbox_advice_block, sandbox_command
from .requests import decided_line

PROFILE = "amplify-dev"


@dataclass(frozen=True)
class SsoAccess:
    """The values `aws configure sso` asks for, and how long a session lasts."""

    start_url: str
    sso_region: str
    account_id: str
    role_name: str  # the permission set's name
    region: str  # where the developer's Amplify app lives (the bot's region)
    session_duration: timedelta


def session_length(duration: timedelta) -> str:
    """'8 hours', '1 hour 30 minutes'."""
    hours, rest = divmod(int(duration.total_seconds()), 3600)
    minutes = rest // 60
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if minutes or not parts:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


def aws_config_block(access: SsoAccess) -> str:
    """A ready ~/.aws/config profile (the sso-session form `aws configure sso` writes today)."""
    return (
        f"[profile {PROFILE}]\n"
        f"sso_session = {PROFILE}\n"
        f"sso_account_id = {access.account_id}\n"
        f"sso_role_name = {access.role_name}\n"
        f"region = {access.region}\n"
        "\n"
        f"[sso-session {PROFILE}]\n"
        f"sso_start_url = {access.start_url}\n"
        f"sso_region = {access.sso_region}\n"
        "sso_registration_scopes = sso:account:access"
    )


def sso_access_dm(request: Request, access: SsoAccess, sandbox_identifier: str | None = None) -> Message:
    """The requester's DM once the assignment exists: where to sign in, the profile, the Amplify command (naming
    the sandbox with `sandbox_identifier`, the Slack-derived name shortened to what ampx takes)."""
    kept = (
        "\n:information_source: You already held this access (given by an admin or through a group), so amplify-dev "
        "created nothing and will never remove it; it only keeps the record."
        if request.assignment_created is False
        else ""
    )
    ends = f" It ends {slack_date(request.expires_at)}." if request.expires_at else ""
    intro = (
        f":white_check_mark: {mention(request.decided_by)} approved your AWS Amplify access through IAM Identity "
        f"Center. There is no key to keep safe: you sign in at the AWS access portal and get short-lived "
        f"credentials.{ends}{kept}"
    )
    values = (
        "*What `aws configure sso` asks for*\n"
        f"• SSO start URL: {access.start_url}\n"
        f"• SSO region: `{access.sso_region}`\n"
        f"• Account ID: `{access.account_id}`\n"
        f"• Role name: `{escape(access.role_name)}`"
    )
    config = f"*Or put this in `~/.aws/config`*\n```{aws_config_block(access)}```"
    use = (
        f"*Then*\n```aws sso login --profile {PROFILE}\n{sandbox_command(sandbox_identifier, profile=PROFILE)}```\n"
        f"A session lasts {session_length(access.session_duration)} (the permission set's session duration); "
        f"after that, run `aws sso login --profile {PROFILE}` again."
    )
    return Message(
        text="Your AWS Amplify access is ready (IAM Identity Center)",
        blocks=[
            SectionBlock(text=intro),
            SectionBlock(text=values),
            SectionBlock(text=config),
            SectionBlock(text=use),
            *sandbox_advice_block(
                sandbox_identifier, identity_center=True, profile=PROFILE, name=request.iam_user_name
            ),
        ],
    )


def assignment_outcome(request: Request, what: str) -> str:
    """The leads' approval message once the assignment exists (or was found already there)."""
    if request.assignment_created is False:
        return (
            f"{decided_line(request)} {mention(request.slack_user_id)} already held the {what} (given by hand or "
            "through a group): recorded as not created by amplify-dev, so it will never be deleted by it."
        )
    return f"{decided_line(request)} {what[:1].upper()}{what[1:]} created."


def assignment_removed_dm(request: Request, why: RevokeReason, ended: str) -> Message:
    """Tells a developer their access ended without them asking; `ended` says what happened at AWS."""
    return removed_dm(request, why=why, ended=ended)


def no_keys_reply(session: timedelta | None) -> Reply:
    """Show credentials and `rotate` in this mode: there is no key to show or replace."""
    lasts = f" (each lasts at most {session_length(session)})" if session else ""
    return text_reply(
        "amplify-dev runs in IAM Identity Center mode: there are no access keys to show or rotate. You get "
        f"short-lived credentials{lasts} by signing in with `aws sso login --profile {PROFILE}`; they expire on "
        f"their own, so there is nothing to replace. Lost the set-up? Run `{COMMAND} status` or ask a lead."
    )


def no_identity_user_reply(email: str | None, *, create_users_hint: bool = True) -> Reply:
    """Refusal at request time: no Identity Store user has the requester's Slack email."""
    if not email:
        return text_reply(
            "I couldn't read an email address on your Slack profile, so I can't find your IAM Identity Center user "
            "and nothing was filed. Ask whoever runs amplify-dev (the app needs the `users:read.email` scope)."
        )
    hint = " (or to turn on AMPLIFY_DEV_SSO_CREATE_USERS)" if create_users_hint else ""
    return text_reply(
        f"There is no IAM Identity Center user with your Slack email `{escape(email)}`, so nothing was filed. Ask an "
        f"AWS admin to add you to Identity Center with that email{hint}, then ask again."
    )
