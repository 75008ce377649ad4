"""One check per kind of setting, shared by the environment (settings/__init__.py) and the projects file
(settings/projects.py): `name` is how the setting is spelt where it was written, and every error names it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from aws_names import is_valid_path


class SettingsError(ValueError):
    """One or more settings are missing or malformed; each message names its setting and says what is expected."""

    def __init__(self, *problems: str) -> None:
        """One message per problem (usually one)."""
        super().__init__("\n".join(problems))
        self.problems = list(problems)


USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
GROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
POLICY_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(aws|\d{12}):policy/[\w+=,.@/-]+$")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
TAG_VALUE = re.compile(r"^[A-Za-z0-9 _.:/=+\-@]{1,256}$")
IAM_GROUP = re.compile(r"^[\w+=,.@-]{1,128}$")
# ASCII digits only: str.isdigit() also accepts "²", "①" (which int() refuses) and Arabic-Indic or
# full-width digits (which int() reads). Nine at most: int() of thousands of digits is slow or refused.
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}", re.ASCII)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
MAX_POLICIES = 10  # IAM's limit of managed policies per user


def channel(name: str, value: str, *, approval: bool = True) -> str:
    """A Slack channel ID (not a name)."""
    if not CHANNEL_ID.match(value):
        hint = " (not a name)" if approval else ""
        raise SettingsError(f"{name} must be a channel ID like C0123ABCD{hint}, got {value!r}")
    return value


def approvers(
    name: str, values: Sequence[str], *, form: str = "comma-separated"
) -> tuple[frozenset[str], frozenset[str]]:
    """(user IDs, user-group IDs) from a list of approvers; at least one."""
    bad = [a for a in values if not (USER_ID.match(a) or GROUP_ID.match(a))]
    if bad or not values:
        raise SettingsError(
            f"{name} must be {form} Slack user IDs (U…/W…) or user-group IDs (S…); "
            f"not understood: {', '.join(bad) or '(empty)'}"
        )
    return frozenset(a for a in values if USER_ID.match(a)), frozenset(a for a in values if GROUP_ID.match(a))


def policy_arns(name: str, values: Sequence[str], *, form: str = "comma-separated") -> tuple[str, ...]:
    """One to ten IAM policy ARNs."""
    bad = [p for p in values if not POLICY_ARN.match(p)]
    if bad or not values:
        raise SettingsError(f"{name} must be {form} IAM policy ARNs; not understood: {', '.join(bad) or '(empty)'}")
    if len(values) > MAX_POLICIES:
        raise SettingsError(f"{name} lists more than {MAX_POLICIES} policies, IAM's limit per user")
    return tuple(values)


def iam_group(name: str, value: str) -> str:
    """An IAM group name."""
    if not IAM_GROUP.match(value):
        raise SettingsError(f"{name} must be an IAM group name, got {value!r}")
    return value


def permissions_boundary(name: str, value: str) -> str:
    """A managed policy ARN used as the permissions boundary."""
    if not POLICY_ARN.match(value):
        raise SettingsError(f"{name} must be a policy ARN, got {value!r}")
    return value


def iam_path(name: str, value: str) -> str:
    """An IAM path of the bot's own: not `/`, no wildcards."""
    if value == "/" or not is_valid_path(value) or "//" in value:
        raise SettingsError(
            f"{name} must be an IAM path of its own such as /amplify-dev/ "
            f"(starts and ends with /, not just /, no * or ?), got {value!r}"
        )
    return value


def whole_number(name: str, raw: str, *, minimum: int) -> int:
    """A whole number (ASCII digits) of at least `minimum`."""
    if not WHOLE_NUMBER.fullmatch(raw) or int(raw) < minimum:
        raise SettingsError(f"{name} must be a whole number of at least {minimum}, got {raw!r}")
    return int(raw)


def boolean(name: str, raw: str) -> bool:
    """true/false (also yes/no, on/off, 1/0)."""
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def required_approvals(name: str, value: int) -> int:
    """One or two approvals."""
    if value > 2:
        raise SettingsError(f"{name} must be 1 or 2")
    return value


def days_within(default_days: int, max_days: int, *, default_name: str, max_name: str) -> None:
    """The default duration fits under the maximum (0: no maximum)."""
    if max_days and default_days > max_days:
        raise SettingsError(f"{default_name} ({default_days}) is above {max_name} ({max_days}); lower it")


def role_arn(name: str, value: str) -> str:
    """An IAM role ARN (the role the bot assumes for a project)."""
    if not ROLE_ARN.match(value):
        raise SettingsError(
            f"{name} must be an IAM role ARN like arn:aws:iam::123456789012:role/amplify-dev, got {value!r}"
        )
    return value


EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{16,1224}$")


def external_id(name: str, value: str) -> str:
    """An STS external id (what the project role's trust policy requires); `python bot.py policy` makes one."""
    if not EXTERNAL_ID.match(value):
        raise SettingsError(
            f"{name} must be 16 to 1224 characters of letters, digits and +=,.@:/-_ (print a fresh one with "
            f"`python bot.py policy --project NAME`), got a value of {len(value)} characters"
        )
    return value


def region(name: str, value: str) -> str:
    """An AWS region name such as eu-west-1."""
    if not REGION.match(value):
        raise SettingsError(f"{name} must be an AWS region such as eu-west-1, got {value!r}")
    return value


# AMPLIFY_DEV_CREDENTIALS: what an IAM-user developer gets. access-key: a long-lived key (today's behaviour);
# sign-in: a console password and `aws login` (short-lived CLI credentials), never a key.
CREDENTIAL_KINDS = ("access-key", "sign-in")


def credentials(name: str, value: str) -> str:
    """One of CREDENTIAL_KINDS, in any case."""
    kind = value.strip().lower()
    if kind not in CREDENTIAL_KINDS:
        raise SettingsError(
            f"{name} must be access-key (a long-lived access key, the default) or sign-in "
            f"(console sign-in and `aws login`, no access key), got {value!r}"
        )
    return kind


def credentials_fit(name: str, kind: str, *, identity_center: bool, allow_console: bool) -> None:
    """sign-in needs an IAM user with console sign-in: not the Identity Center mode, not console access turned off."""
    if kind != "sign-in":
        return
    if identity_center:
        raise SettingsError(
            f"{name}=sign-in applies to IAM users; the Identity Center mode gives no key either way, "
            "so leave it unset there"
        )
    if not allow_console:
        raise SettingsError(
            f"{name}=sign-in needs console sign-in (`aws login` starts from it): "
            "AMPLIFY_DEV_ALLOW_CONSOLE must not be false"
        )
