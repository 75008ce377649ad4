"""`check`, per project role: assuming it must need the project's external id, and work with it.

A role whose trust policy lacks the sts:ExternalId condition can be assumed by anything its principal runs,
not only this bot; one that refuses the external id cannot be used by the bot at all.
"""

from __future__ import annotations

from botocore.client import BaseClient
from botocore.exceptions import BotoCoreError, ClientError

from ops.check.results import CheckResult, Status
from settings import Settings

AREA = "AWS: project role"
SESSION_NAME = "amplify-dev-check"


def check_role_trust(name: str, project: Settings, sts: BaseClient) -> list[CheckResult]:
    """Try AssumeRole on the project's role without and with its external id (`sts`: the bot's own identity)."""
    role = project.account_role_arn
    if not role:
        return []
    subject = f"project {name}: {role}"
    fix = (
        f"print the trust policy with `python bot.py policy --project {name} --principal-arn <the bot's role ARN>` "
        "and put it on the role"
    )
    results = []
    without = _assume_error(sts, role, None)
    if without is None:
        results.append(
            CheckResult(
                AREA,
                Status.FAIL,
                subject,
                "assumed WITHOUT an external id: the trust policy has no sts:ExternalId condition, so whoever it "
                f"trusts can use this role without amplify-dev; {fix}",
            )
        )
    else:
        results.append(CheckResult(AREA, Status.PASS, subject, f"refused without the external id ({without})"))
    if not project.external_id:
        results.append(
            CheckResult(
                AREA,
                Status.FAIL,
                subject,
                f"the project has no external_id in the projects file; {fix}, then add the external_id it prints",
            )
        )
        return results
    with_id = _assume_error(sts, role, project.external_id)
    if with_id is not None:
        results.append(
            CheckResult(
                AREA,
                Status.FAIL,
                subject,
                f"could not be assumed WITH the project's external id ({with_id}): the bot cannot work there; {fix}",
            )
        )
    else:
        results.append(CheckResult(AREA, Status.PASS, subject, "assumed with the project's external id"))
    return results


def _assume_error(sts: BaseClient, role: str, external_id: str | None) -> str | None:
    """None if AssumeRole succeeded, else AWS's error code (never its message text)."""
    params = {"RoleArn": role, "RoleSessionName": SESSION_NAME, "DurationSeconds": 900}
    if external_id:
        params["ExternalId"] = external_id
    try:
        sts.assume_role(**params)
    except ClientError as e:
        return str(e.response.get("Error", {}).get("Code") or "ClientError")
    except BotoCoreError as e:
        return type(e).__name__
    return None
