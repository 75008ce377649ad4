"""One table from a Slack or AWS error code to the line a person reads, and the one try/except that uses it.

Each call the check makes has its entries: a code Slack or AWS answers (`channel_not_found`, `NoSuchEntity`),
an exception name when nothing answered (`NoCredentialsError`), `UNREACHABLE` for any other failure to get an
answer, and `ANY` for the rest. A sentence may name `{code}` and the fields the caller passes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError
from slack_sdk.errors import SlackApiError, SlackClientError

from ops.check.results import POLICY_COMMAND, CheckResult, Status

T = TypeVar("T")

ANY = "*"
UNREACHABLE = "(no answer)"
# ResponseParserError is not a BotoCoreError: it is what an endpoint answering HTML (moto's server on an
# unimplemented action, a proxy) produces. NotImplementedError is moto's answer inside this process.
CAUGHT = (SlackClientError, OSError, BotoCoreError, ClientError, ResponseParserError, NotImplementedError)


class Hint(NamedTuple):
    """What the person reads when a call fails with one code."""

    status: Status
    text: str
    rest: str | None = None  # why nothing else in the area can be checked after this failure


def _app_token(why: str) -> str:
    return (
        f"SLACK_APP_TOKEN does not open a connection ({{code}}: {why}). Generate an app-level token with "
        "connections:write under Basic Information → App-Level Tokens, or unset it to serve HTTP."
    )


def _not_simulated(reason: str) -> str:
    return f"not checked: {reason}. Compare the bot's policy with {POLICY_COMMAND} by hand."


FAIL, SKIP = Status.FAIL, Status.SKIP
HINTS: dict[str, dict[str, Hint]] = {
    "auth.test": {
        ANY: Hint(
            FAIL,
            "Slack refused SLACK_BOT_TOKEN ({code}). Copy the Bot User OAuth Token (xoxb-…) from OAuth & "
            "Permissions; reinstall the app to the workspace if it was revoked.",
            "needs a working bot token",
        ),
        UNREACHABLE: Hint(
            FAIL,
            "could not reach Slack at {url} ({code}). Check SLACK_API_URL and the network (a proxy?).",
            "needs Slack to answer",
        ),
    },
    "conversations.info": {
        "missing_scope": Hint(
            SKIP,
            "cannot look up {channel} without channels:read (public) or groups:read (private), which the bot "
            "does not otherwise need. Make sure you ran `/invite @amplify-dev` in <#{channel}>; add those scopes "
            "if you want this check to see it.",
        ),
        "channel_not_found": Hint(
            FAIL,
            "{channel} not found, or private without the bot in it. {setting} must be the channel ID "
            "(channel details → bottom of About), and the bot must be invited: `/invite @amplify-dev`.",
        ),
        ANY: Hint(FAIL, "conversations.info for {channel} failed: {code}"),
        UNREACHABLE: Hint(FAIL, "conversations.info failed: {code}"),
    },
    "users.info": {
        "user_not_found": Hint(
            FAIL, "no such user in this workspace: fix AMPLIFY_DEV_APPROVERS (profile → ⋮ → Copy member ID)."
        ),
        ANY: Hint(FAIL, "users.info failed: {code}"),
    },
    "usergroups.users.list": {
        "no_such_subteam": Hint(FAIL, "no such user group: fix AMPLIFY_DEV_APPROVERS (S… is the group's ID)."),
        "missing_scope": Hint(FAIL, "the token lacks usergroups:read: add it and reinstall the app."),
        ANY: Hint(FAIL, "usergroups.users.list failed: {code}"),
    },
    "apps.connections.open": {
        "invalid_auth": Hint(FAIL, _app_token("Slack does not know this token")),
        "not_allowed_token_type": Hint(FAIL, _app_token("this is not an app-level token")),
        "missing_scope": Hint(FAIL, _app_token("the token lacks connections:write")),
        ANY: Hint(FAIL, _app_token("Slack refused it")),
        UNREACHABLE: Hint(FAIL, "apps.connections.open failed: {code}"),
    },
    "sts:GetCallerIdentity": {
        "NoCredentialsError": Hint(
            FAIL,
            "none found. Give the bot credentials through boto3's chain: AWS_PROFILE, the AWS_ACCESS_KEY_ID/"
            "AWS_SECRET_ACCESS_KEY variables, or an instance/task role.",
            "needs working credentials",
        ),
        ANY: Hint(
            FAIL,
            "AWS refused them ({code}): they are wrong, expired or for another partition. Refresh them "
            "(e.g. `aws sso login`) or fix AWS_PROFILE.",
            "needs working credentials",
        ),
        # Nothing answered: a network failure says nothing about the credentials.
        UNREACHABLE: Hint(
            FAIL,
            "could not reach AWS STS to try them ({code}): check the network (a proxy?), the region and "
            "AWS_ENDPOINT_URL if set.",
            "needs AWS to answer",
        ),
    },
    "iam:GetPolicy": {
        "NoSuchEntity": Hint(FAIL, "{arn} does not exist: fix {setting} or create it."),
        "AccessDenied": Hint(
            SKIP, f"could not read {{arn}} (AccessDenied); the policy from {POLICY_COMMAND} allows iam:GetPolicy on it."
        ),
        ANY: Hint(SKIP, "could not read {arn} ({code})"),
    },
    "iam:GetGroup": {
        "NoSuchEntity": Hint(FAIL, "does not exist: create it or fix AMPLIFY_DEV_IAM_GROUP (a name, not an ARN)."),
        ANY: Hint(SKIP, f"could not read it ({{code}}); the policy from {POLICY_COMMAND} allows iam:GetGroup on it."),
    },
    "iam:GetPolicyVersion": {
        "NoSuchEntity": Hint(FAIL, "{arn} does not exist: fix AMPLIFY_DEV_PERMISSIONS_BOUNDARY or create it."),
        ANY: Hint(
            SKIP,
            f"not checked: could not read the boundary {{arn}} ({{code}}); the policy from {POLICY_COMMAND} allows "
            "iam:GetPolicyVersion on it in sign-in. Make sure it allows signin:AuthorizeOAuth2Access and "
            "signin:CreateOAuth2Token.",
        ),
    },
    "iam:SimulateCustomPolicy": {
        ANY: Hint(
            SKIP,
            "not checked: IAM's policy simulator did not answer ({code}; moto has none). Make sure the boundary "
            "allows signin:AuthorizeOAuth2Access and signin:CreateOAuth2Token.",
        ),
    },
    "iam:SimulatePrincipalPolicy": {
        "NotImplementedError": Hint(SKIP, _not_simulated("this IAM endpoint cannot simulate policies (moto?)")),
        "AccessDenied": Hint(
            SKIP,
            _not_simulated(
                "the bot's identity may not call iam:SimulatePrincipalPolicy on {principal} (the "
                f"policy from {POLICY_COMMAND} allows it)"
            ),
        ),
        "NoSuchEntity": Hint(SKIP, _not_simulated("IAM does not know {principal} (a role with a path?)")),
        ANY: Hint(
            SKIP, _not_simulated("SimulatePrincipalPolicy failed ({code}); this IAM endpoint may not support it")
        ),
    },
}


@dataclass(frozen=True)
class Refused:
    """A call that failed, as the checklist says it: its line, and a SKIP for the rest of the area if need be."""

    line: CheckResult
    rest: CheckResult | None = None

    @property
    def lines(self) -> list[CheckResult]:
        """The line, then the SKIP for the rest of the area when there is one."""
        return [self.line] if self.rest is None else [self.line, self.rest]


def error_code(e: BaseException) -> tuple[str, bool]:
    """The code Slack or AWS answered, or the exception's name; and whether anything answered at all."""
    if isinstance(e, SlackApiError) and e.response is not None:
        return str(e.response.get("error") or f"HTTP {e.response.status_code}"), True
    if isinstance(e, ClientError):
        return str(e.response.get("Error", {}).get("Code") or "Unknown"), True
    return type(e).__name__, False


def hint_for(api: str, code: str, answered: bool) -> Hint:
    """The table's entry for this call and code."""
    hints = HINTS[api]
    return hints.get(code) or (None if answered else hints.get(UNREACHABLE)) or hints[ANY]


def sentence_for(api: str, e: BaseException, **fields: str) -> str:
    """The table's sentence for `e` from `api`, for a message outside the checklist (bot.py at start)."""
    code, answered = error_code(e)
    return hint_for(api, code, answered).text.format(code=code, **fields)


def attempt(area: str, subject: str, api: str, call: Callable[[], T], **fields: str) -> T | Refused:
    """`call()`'s answer, or the checklist line(s) its failure is worth, worded from the table."""
    try:
        return call()
    except CAUGHT as e:
        code, answered = error_code(e)
        hint = hint_for(api, code, answered)
        line = CheckResult(area, hint.status, subject, hint.text.format(code=code, **fields))
        rest = None if hint.rest is None else CheckResult(area, Status.SKIP, f"everything else on {area}", hint.rest)
        return Refused(line, rest)
