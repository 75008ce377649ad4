"""The words for what a grant is and what happened to it, chosen by the grant kind's plain value (`Granted.kind`).

The grant kinds (workflow/grants/) do the AWS work and say what happened (a step, a code, a reason); these builders
say it to people. A third kind adds its branch here, not a mode check in a flow.
"""

from __future__ import annotations

from store import Credentials, Request, RevokeReason

from .basics import COMMAND, IAM_USER_KIND, Granted, Message, Reply, mention, text_reply
from .dms import approved_dm, notice_dm, removed_dm
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

# Why provisioning failed (workflow/grants/: GrantFailed.reason); the words are below.
NAME_TAKEN = "name_taken"  # an IAM user of that name exists that the bot did not create
ROLLED_BACK = "rolled_back"  # AWS refused a step; everything made so far is gone again
LEFT_BEHIND = "left_behind"  # AWS refused a step and the clean-up failed too
NO_IDENTITY_USER = "no_identity_user"  # no Identity Store user has the requester's email any more
IDENTITY_CHANGED = "identity_changed"  # the email maps to another Identity Store user than when filed


def grant_label(granted: Granted, request: Request) -> str:
    """What was granted, for sentences: "IAM user `x`", "account assignment of permission set `X` in account N"."""
    if granted.kind == IAM_USER_KIND:
        return f"IAM user `{request.iam_user_name}`"
    return f"account assignment of {granted.assignment}"


def access_dm(granted: Granted, active: Request, sandbox_identifier: str | None = None) -> Message:
    """The requester's DM once access exists: the Show credentials button, or where and how to sign in; both
    with the identifier to give an Amplify sandbox (the request's name, shortened to what ampx takes)."""
    if granted.kind == IAM_USER_KIND:
        return approved_dm(active, sandbox_advice_block(sandbox_identifier, name=active.iam_user_name))
    return sso_access_dm(active, granted.sso, sandbox_identifier)


def access_outcome(granted: Granted, active: Request) -> str:
    """The leads' approval message once access exists."""
    if granted.kind == IAM_USER_KIND:
        return provisioned_outcome(active)
    return assignment_outcome(active, grant_label(granted, active))


def dm_failed(granted: Granted, active: Request, error: str) -> tuple[str, Reply]:
    """(the leads' note, the approver's reply) when the requester could not be DMed."""
    who = mention(active.slack_user_id)
    if granted.kind == IAM_USER_KIND:
        return (
            f"\n:warning: I couldn't DM {who} (Slack said `{error}`). "
            f"No key exists yet; they can get it with `{COMMAND} status`.",
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


def revoked_sentence(granted: Granted, request: Request, *, deleted: bool, channel: bool, kept_for: str = "") -> str:
    """What ending access did at AWS, for the channel (channel=True) or the person who acted; `kept_for`: the
    other open request that relies on the same assignment (so it was left in place)."""
    if granted.kind == IAM_USER_KIND:
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
    if granted.kind == IAM_USER_KIND:
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
    if granted.kind == IAM_USER_KIND:
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
    if granted.kind != IAM_USER_KIND:
        return no_secrets_reply(granted)
    return text_reply(f"There are no credentials to show: {describe_request(request, granted)}")


def credentials_busy(granted: Granted, current: Request) -> Reply:
    """A Show credentials click that lost to another (or came after the one delivery)."""
    if granted.kind != IAM_USER_KIND:
        return no_secrets_reply(granted)
    if current.credentials in (Credentials.SHOWN, Credentials.ROTATING):
        return text_reply(
            "Your credentials were already shown once and are never shown again. "
            f"Run `{COMMAND} rotate` for a new access key."
        )
    return text_reply("Your credentials are being prepared right now; look in your DM with me.")


def nothing_to_rotate(granted: Granted, request: Request | None) -> Reply:
    """`rotate` without active access (or where the grant has no keys)."""
    if granted.kind != IAM_USER_KIND:
        return no_secrets_reply(granted)
    return text_reply(
        f"You have no active access to rotate. {describe_request(request, granted) if request else ''}".strip()
    )


def rotation_busy(granted: Granted, current: Request) -> Reply:
    """`rotate` before the first key was shown, or while a key is being made."""
    if granted.kind != IAM_USER_KIND:
        return no_secrets_reply(granted)
    if current.credentials == Credentials.NONE:
        return text_reply(
            "You haven't fetched your first credentials yet: use the *Show credentials* button in "
            f"your DM with me (or `{COMMAND} status`)."
        )
    return text_reply("A key is being created for you right now; look in your DM with me.")


def unused_button_note(granted: Granted, request: Request) -> Message | None:
    """What replaces a Show credentials DM whose access ended before any key was made; None: no such button."""
    if granted.kind != IAM_USER_KIND:
        return None
    return notice_dm(f"This access was removed by {mention(request.closed_by)}; no key was ever created.")
