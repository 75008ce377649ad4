"""The words for what a grant is and what happened to it, chosen by the grant kind's plain value (`Granted.kind`).

The grant kinds (workflow/grants/) do the AWS work and say what happened (a step, a code, a reason); these builders
say it to people. A third kind adds its branch here, not a mode check in a flow.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import Block

from store import Credentials, Request, RevokeReason

from .basics import COMMAND, Granted, Message, Reply, mention, text_reply
from .credentials import CredentialsShown, credentials_ephemeral
from .dms import approved_dm, credentials_shown_dm, notice_dm, removed_dm
from .identity_center import (
    assignment_outcome,
    assignment_removed_dm,
    no_identity_user_reply,
    no_keys_reply,
    session_length,
    sso_access_dm,
)
from .oncall import sandbox_advice_block
from .replies import describe_request
from .requests import provisioned_outcome
from .signin import (
    SignInShown,
    sessions_audit_detail,
    sessions_ended_text,
    signin_approved_dm,
    signin_credentials_ephemeral,
    signin_shown_dm,
)

# Why provisioning failed (workflow/grants/: GrantFailed.reason); the words are below.
NAME_TAKEN = "name_taken"  # an IAM user of that name exists that the bot did not create
ROLLED_BACK = "rolled_back"  # AWS refused a step; everything made so far is gone again
LEFT_BEHIND = "left_behind"  # AWS refused a step and the clean-up failed too
NO_IDENTITY_USER = "no_identity_user"  # no Identity Store user has the requester's email any more
IDENTITY_CHANGED = "identity_changed"  # the email maps to another Identity Store user than when filed


def grant_label(granted: Granted, request: Request) -> str:
    """What was granted, for sentences: "IAM user `x`", "account assignment of permission set `X` in account N"."""
    if granted.keys:
        return f"IAM user `{request.iam_user_name}`"
    return f"account assignment of {granted.assignment}"


def access_dm(granted: Granted, active: Request, sandbox_identifier: str | None = None) -> Message:
    """The requester's DM once access exists: the Show credentials button, or where and how to sign in; both
    with the identifier to give an Amplify sandbox (the request's name, shortened to what ampx takes)."""
    if granted.sign_in:
        return signin_approved_dm(active, sandbox_advice_block(sandbox_identifier, name=active.iam_user_name))
    if granted.keys:
        return approved_dm(active, sandbox_advice_block(sandbox_identifier, name=active.iam_user_name))
    return sso_access_dm(active, granted.sso, sandbox_identifier)


def access_outcome(granted: Granted, active: Request) -> str:
    """The leads' approval message once access exists."""
    if granted.keys:
        return provisioned_outcome(active)
    return assignment_outcome(active, grant_label(granted, active))


def dm_failed(granted: Granted, active: Request, error: str) -> tuple[str, Reply]:
    """(the leads' note, the approver's reply) when the requester could not be DMed."""
    who = mention(active.slack_user_id)
    if granted.keys:
        return (
            f"\n:warning: I couldn't DM {who} (Slack said `{error}`). "
            f"No {'password' if granted.sign_in else 'key'} exists yet; they can get it with `{COMMAND} status`.",
            text_reply(
                f"{who}'s IAM user was created, but I couldn't DM them "
                f"(`{error}`). Ask them to run `{COMMAND} status` to fetch their credentials."
            ),
        )
    start_url = granted.sso.start_url
    return (
        f"\n:warning: I couldn't DM {who} (Slack said `{error}`). Their access works: they sign in at {start_url}.",
        text_reply(
            f"{who}'s access is granted, but I couldn't DM them (`{error}`). Tell them to sign in at {start_url}."
        ),
    )


def revoked_sentence(
    granted: Granted,
    request: Request,
    *,
    deleted: bool,
    channel: bool,
    kept_for: str = "",
    sessions: tuple[int, int] | None = None,
) -> str:
    """What ending access did at AWS, for the channel (channel=True) or the person who acted; `kept_for`: the
    other open request that relies on the same assignment (so it was left in place); `sessions`: the sign-in
    sessions (revoked, not revoked) ended first."""
    if granted.sign_in:
        ended = sessions_ended_text(*(sessions or (0, 0)))
        return f"{ended}, then IAM user `{request.iam_user_name}` and everything attached to it were deleted."
    if granted.keys:
        if channel:
            return f"IAM user `{request.iam_user_name}` and its keys are deleted."
        return f"IAM user `{request.iam_user_name}` and everything attached to it are deleted."
    label = grant_label(granted, request)
    if not deleted and kept_for:
        return (
            f"the record is closed; the {label} was left in place, because another open request "
            f"(`{kept_for}`) for the same Identity Center user relies on it."
        )
    if not deleted:
        return (
            f"the record is closed; the {label} was not created by amplify-dev (given by hand or "
            "through a group), so it was left in place."
        )
    lasts = f" (at most {session_length(granted.session)})" if granted.session else ""
    return f"the {label} is deleted. Sessions already started stay valid until they end{lasts}."


def access_removed_dm(granted: Granted, request: Request, why: RevokeReason) -> Message:
    """The developer's DM when their access ended without them asking."""
    if granted.sign_in:
        ended = (
            f"IAM user `{request.iam_user_name}` is deleted and its `aws login` sessions were ended; "
            "the console password no longer works."
        )
        return removed_dm(request, why=why, ended=ended)
    if granted.keys:
        return removed_dm(request, why=why)
    ended = revoked_sentence(granted, request, deleted=request.assignment_created is True, channel=False)
    return assignment_removed_dm(request, why, ended)


def no_secrets_reply(granted: Granted) -> Reply:
    """Show credentials and `rotate` where the grant has no keys."""
    return no_keys_reply(granted.session)


def requester_refused(reason: str, email: str | None, step: str = "", code: str = "") -> Reply:
    """Refusal before anything is filed, when the grant kind cannot grant this person (no matching identity)."""
    if reason == NO_IDENTITY_USER:
        return no_identity_user_reply(email)
    return text_reply(
        f"IAM Identity Center did not answer (`{step}`: {code}), so nothing was filed. Try again in a "
        "minute; if it keeps failing, tell the leads."
    )


def provisioning_failed(
    granted: Granted, request: Request, reason: str, step: str, code: str, *, now: str | None = None
) -> tuple[str, str]:
    """(what happened, what to do) after a failed provisioning, in words for the leads and the requester
    (`now`: for IDENTITY_CHANGED, the Identity Store user the email maps to now)."""
    if reason == IDENTITY_CHANGED:
        mapped = f"`{now}`" if now else "no Identity Center user"
        return (
            f"{mention(request.slack_user_id)}'s Slack email now maps to {mapped}, not to the Identity Center "
            f"user `{request.identity_store_user_id}` the leads were shown, so nothing was granted",
            "They can ask again; the new request shows the Identity Center user it is for.",
        )
    if reason == NAME_TAKEN:
        return (
            f"an IAM user named `{request.iam_user_name}` already exists that amplify-dev did not create, "
            "so it was left untouched",
            "An AWS admin must rename or remove that user (or the requester's Slack name must change).",
        )
    if reason == NO_IDENTITY_USER:
        return (
            f"no IAM Identity Center user has {mention(request.slack_user_id)}'s Slack email any more",
            "An AWS admin must add them to Identity Center with that email, then they can ask again.",
        )
    if granted.keys:
        if reason == ROLLED_BACK:
            return (
                f"AWS refused `{step}` ({code}); everything created so far was removed again",
                "Check the bot's IAM permissions and settings, then the requester can ask again.",
            )
        return (
            f"AWS refused `{step}` ({code}) and the clean-up failed too: IAM user "
            f"`{request.iam_user_name}` may be left under `{granted.path}`",
            f"An AWS admin should delete it (or run `{COMMAND} remove <@{request.slack_user_id}>`).",
        )
    if reason == LEFT_BEHIND:
        return (
            f"AWS refused `{step}` ({code}) and removing the assignment again failed too: the "
            f"{grant_label(granted, request)} may be left for this user",
            "An AWS admin should remove it; the drift check also deletes it, as amplify-dev created it.",
        )
    return (
        f"AWS refused `{step}` ({code}); nothing was left assigned",
        "Check the bot's permissions and the Identity Center settings, then the requester can ask again.",
    )


def nothing_to_show(granted: Granted, request: Request) -> Reply:
    """Show credentials on a request that holds no access (or a grant without keys)."""
    if not granted.keys:
        return no_secrets_reply(granted)
    return text_reply(f"There are no credentials to show: {describe_request(request, granted)}")


def credentials_busy(granted: Granted, current: Request) -> Reply:
    """A Show credentials click that lost to another (or came after the one delivery)."""
    if not granted.keys:
        return no_secrets_reply(granted)
    if current.credentials in (Credentials.SHOWN, Credentials.ROTATING):
        new = "temporary password" if granted.sign_in else "access key"
        return text_reply(
            f"Your credentials were already shown once and are never shown again. Run `{COMMAND} rotate` for a new {new}."
        )
    return text_reply("Your credentials are being prepared right now; look in your DM with me.")


def nothing_to_rotate(granted: Granted, request: Request | None) -> Reply:
    """`rotate` without active access (or where the grant has no keys)."""
    if not granted.keys:
        return no_secrets_reply(granted)
    return text_reply(
        f"You have no active access to rotate. {describe_request(request, granted) if request else ''}".strip()
    )


def rotation_busy(granted: Granted, current: Request) -> Reply:
    """`rotate` before the first key was shown, or while a key is being made."""
    if not granted.keys:
        return no_secrets_reply(granted)
    if current.credentials == Credentials.NONE:
        return text_reply(
            "You haven't fetched your first credentials yet: use the *Show credentials* button in "
            f"your DM with me (or `{COMMAND} status`)."
        )
    made = "A new password is being set" if granted.sign_in else "A key is being created"
    return text_reply(f"{made} for you right now; look in your DM with me.")


def unused_button_note(granted: Granted, request: Request) -> Message | None:
    """What replaces a Show credentials DM whose access ended before any key was made; None: no such button."""
    if not granted.keys:
        return None
    made = "no password was ever set" if granted.sign_in else "no key was ever created"
    return notice_dm(f"This access was removed by {mention(request.closed_by)}; {made}.")


def credentials_message(
    granted: Granted, shown: CredentialsShown, *, rotated: bool = False, sessions: tuple[int, int] = (0, 0)
) -> Reply:
    """The one ephemeral that carries the secret: the access key, or the temporary password and `aws login` steps
    (`sessions`: the sign-in sessions a rotation ended, and those it could not)."""
    if granted.sign_in:
        signin = SignInShown(
            user_name=shown.user_name,
            console_password=shown.console_password or "",
            signin_url=shown.signin_url or "",
            region=shown.region,
            amplify_app_id=shown.amplify_app_id,
            amplify_env=shown.amplify_env,
        )
        return signin_credentials_ephemeral(
            signin, rotated=rotated, sessions_ended=sessions[0], sessions_failed=sessions[1]
        )
    return credentials_ephemeral(shown, rotated=rotated)


def credentials_done_dm(
    granted: Granted, request: Request, when: datetime, sandbox: list[Block] | None = None
) -> Message:
    """What replaces the Show credentials DM once they were shown (`sandbox`: the Amplify sandbox advice, kept)."""
    if granted.sign_in:
        return signin_shown_dm(request, when, sandbox)
    return credentials_shown_dm(request, when, sandbox)


def minted_what(granted: Granted, key_id: str | None) -> str:
    """The audit row's detail for credentials made (an identifier, never a secret)."""
    return "temporary console password" if granted.sign_in or not key_id else f"key {key_id}"


def sessions_detail(sessions: tuple[int, int, str | None] | None) -> str:
    """ "; 3 sign-in session(s) revoked" for an audit row, empty where the grant has no sessions."""
    return "" if sessions is None else "; " + sessions_audit_detail(*sessions)


def not_ours_reply(granted: Granted, request: Request, why: str) -> Reply:
    """Show credentials or rotate when the IAM user is not this deployment's (or is gone)."""
    made = "no password" if granted.sign_in else "no key"
    return text_reply(f"Your IAM user `{request.iam_user_name}` {why}, so I made {made}. The leads were told.")


def delivery_failed_reply(granted: Granted, error: str) -> Reply:
    """Show credentials when the ephemeral could not be delivered (what it carried was deleted again)."""
    made = "removed the password I had just set" if granted.sign_in else "deleted the key I had just made"
    return text_reply(
        f"I couldn't show you your credentials (Slack said `{error}`), so I {made}. Nothing was lost: click "
        "*Show credentials* again."
    )


def rotation_refused(granted: Granted, step: str, code: str) -> Reply:
    """`rotate` when AWS refused the new credentials."""
    if granted.sign_in:
        return text_reply(
            f"AWS refused to set a new password (`{step}`: {code}); your password and sessions are as they were."
        )
    return text_reply(f"AWS refused to create a new key (`{step}`: {code}); your old key still works.")


def rotation_undelivered(granted: Granted, error: str, sessions: tuple[int, int] = (0, 0)) -> Reply:
    """`rotate` when the new credentials could not be delivered (deleted again)."""
    if granted.sign_in:
        return text_reply(
            f"I couldn't deliver your new password (Slack said `{error}`), so I removed it again; "
            f"{sessions_ended_text(*sessions)}. Run `{COMMAND} rotate` again in a minute for a new password."
        )
    return text_reply(
        f"I couldn't deliver a new key (Slack said `{error}`), so I deleted it again; your old key "
        "still works. Try again in a minute."
    )


def rotation_interrupted(granted: Granted, why: str) -> str:
    """The developer's DM when a restart (or a lost run) cut a rotation short (`why`: "restarted", …)."""
    if granted.sign_in:
        return (
            f":warning: I {why} while setting your new AWS password, so I removed any password nobody saw. Run "
            f"`{COMMAND} rotate` for a new temporary password (it shows it once, here)."
        )
    return (
        f":warning: I {why} while rotating your AWS key. Your previous key still works; run "
        f"`{COMMAND} rotate` again for a new one."
    )


def rotated_reply(
    granted: Granted, old_keys: tuple[str, ...], failed_deletes: tuple[str, ...], sessions: tuple[int, int] = (0, 0)
) -> Reply:
    """`rotate` done: where the new credentials are, and what happened to the old ones."""
    if granted.sign_in:
        return text_reply(
            "Your new temporary password is in your DM with me (shown once); the old one no longer works and "
            f"{sessions_ended_text(*sessions)}. Sign in with the new one, then run `aws login` again."
        )
    if failed_deletes:
        return text_reply(
            f"Your new key is in your DM with me, but I couldn't delete the old one "
            f"(`{', '.join(failed_deletes)}`). Run `{COMMAND} rotate` again later, or ask a lead."
        )
    if not old_keys:
        return text_reply("Your new access key is in your DM with me (shown once).")
    return text_reply(
        "Your new access key is in your DM with me (shown once). The old key"
        f"{'s were' if len(old_keys) > 1 else ' was'} deleted."
    )
