"""Settings that work but hand out more power than they seem to: warnings, never failures."""

from __future__ import annotations

from ops.check.results import CheckResult, Status
from ops.policy_command import GROUP_LIMIT_NOTE
from settings import Settings
from settings.policies import ADMIN_EQUIVALENT_POLICIES

__all__ = ["ADMIN_EQUIVALENT_POLICIES", "check_risks"]


def check_risks(settings: Settings) -> list[CheckResult]:
    """Warnings for settings that work but hand out more power than they seem to."""
    results: list[CheckResult] = []

    def add(status: Status, subject: str, detail: str) -> None:
        results.append(CheckResult("Risk", status, subject, detail))

    results.append(
        CheckResult(
            "AWS",
            Status.PASS,
            "instance",
            f"users are tagged amplify-dev:instance={settings.instance}"
            f"{' (the approval channel: AMPLIFY_DEV_INSTANCE is not set)' if settings.instance == settings.approval_channel else ''}; "
            "the bot changes and deletes only users carrying this value, so another deployment in the account is safe.",
        )
    )
    admin = [arn for arn in settings.policy_arns if arn.rsplit("/", 1)[-1] in ADMIN_EQUIVALENT_POLICIES]
    if admin and not settings.permissions_boundary:
        add(
            Status.WARN,
            "admin-equivalent policy",
            f"{', '.join(a.rsplit('/', 1)[-1] for a in admin)} without a permissions boundary: every developer "
            "gets the power of an account administrator. Set AMPLIFY_DEV_PERMISSIONS_BOUNDARY or choose narrower "
            "AMPLIFY_DEV_POLICY_ARNS.",
        )
    elif admin:
        add(
            Status.PASS,
            "admin-equivalent policy",
            f"{', '.join(a.rsplit('/', 1)[-1] for a in admin)} is capped by the permissions boundary "
            f"{(settings.permissions_boundary or '').rsplit('/', 1)[-1]}",
        )
    # In sign-in, console sign-in is how developers get CLI credentials at all: not an extra to warn about.
    if settings.allow_console and settings.credentials != "sign-in":
        add(
            Status.WARN,
            "console access",
            "developers may ask for an AWS console password as well as an access key; set "
            "AMPLIFY_DEV_ALLOW_CONSOLE=false if the CLI is enough.",
        )
    if settings.iam_group:
        add(Status.WARN, "group membership", GROUP_LIMIT_NOTE.format(path=settings.iam_path, group=settings.iam_group))
    if getattr(settings, "max_days", None) == 0:
        add(
            Status.WARN,
            "expiry",
            "AMPLIFY_DEV_MAX_DAYS=0 lets access last forever: set a maximum number of days.",
        )
    return results
