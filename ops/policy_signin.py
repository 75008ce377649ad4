"""The bot's grants for AWS Sign-In (AMPLIFY_DEV_CREDENTIALS=sign-in): read and end its developers' `aws login` sessions.

What is granted, and why these resources:
- ``signin:ListSessions`` (every removal lists the user's sessions, every page), ``signin:BatchRevokeSessions``
  (revokes them, five at a time) and ``signin:GetSession`` (the access review: ListSessions' items carry no
  ``lastUsedAt``, only GetSession has it, so the review cannot read the last use without it).
- ``Resource: "*"``: the Service Authorization Reference's page for AWS Signin (service prefix ``signin``) lists
  these operations and their actions (ListSessions: List, GetSession: Read, BatchRevokeSessions: Write); its
  resource-types column for them could not be read in the stored copy searched, and parliament 1.6.4 does not know
  these actions at all. Where the reference names no resource type, IAM requires ``"*"``; a narrower ARN that the
  service does not evaluate would silently deny every call, and a removal would then leave sessions open. To be
  confirmed against the live reference page (list_signin.html) and narrowed if it lists the IAM user as resource.
- Attaching ``SignInLocalDevelopmentAccess`` (and ``IAMUserChangePassword``, already attachable with console access)
  goes through ops.policy_grants' AttachOnlyConfiguredPolicies (``iam:PolicyARN`` condition).
"""

from __future__ import annotations

from iam.signin import signin_policy_arn
from settings import Settings

SIGNIN_ACTIONS = ("signin:ListSessions", "signin:GetSession", "signin:BatchRevokeSessions")
SIGNIN_SID = "ListAndRevokeDevelopersSignInSessions"


# `python bot.py policy` prints this on stderr in sign-in: what the JSON cannot say.
SIGNIN_NOTE = (
    'sign-in: signin:ListSessions, signin:GetSession and signin:BatchRevokeSessions are granted on "*" (no '
    "narrower resource type for them could be confirmed), so this identity could also end the `aws login` sessions "
    "of people who are not the bot's developers; it cannot grant anything with them. iam:CreateAccessKey is not "
    "granted: no developer gets a key."
)


def signin_attachable(settings: Settings, partition: str) -> list[str]:
    """The extra managed policy the bot may attach in sign-in: SignInLocalDevelopmentAccess."""
    return [signin_policy_arn(partition)] if settings.signs_in else []


def boundary_check_statements(boundary: str) -> list[dict[str, object]]:
    """For `check` in sign-in with a boundary: read the boundary's document and simulate `aws login` under it.

    Both are read-only; SimulateCustomPolicy takes no resource (IAM accepts only "*") and evaluates only the
    documents passed in, so it reveals nothing about anyone's permissions.
    """
    return [
        {
            "Sid": "ReadTheBoundaryForTheCheck",
            "Effect": "Allow",
            "Action": "iam:GetPolicyVersion",
            "Resource": boundary,
        },
        {
            "Sid": "SimulateAwsLoginUnderTheBoundary",
            "Effect": "Allow",
            "Action": "iam:SimulateCustomPolicy",
            "Resource": "*",
        },
    ]


def signin_statement() -> dict[str, object]:
    """The statement letting the bot list, read and revoke sign-in sessions."""
    return {"Sid": SIGNIN_SID, "Effect": "Allow", "Action": list(SIGNIN_ACTIONS), "Resource": "*"}
