"""`python bot.py check`: a checklist of the Slack and AWS set-up, each line PASS, WARN, FAIL or SKIP.

Every line that is not a plain PASS says what to do. A check that could not be made is SKIP, never PASS.
The exit code is 1 if anything FAILed, else 0 (warnings included).

results.py  the line, the printed checklist, the exit code   run.py          the command: every check in order
hints.py    error code -> the sentence shown (one table)    slack.py        token, scopes, channels, approvers
aws.py      credentials, IAM path, policies, group          permissions.py  the bot's own rights, simulated
risks.py    settings that hand out more than they seem to   identity_center.py  the Identity Center mode's checks
"""

from iam.names import principal_arn
from ops.check.aws import check_aws
from ops.check.permissions import check_own_permissions
from ops.check.results import POLICY_COMMAND, CheckResult, Status, exit_code, write_report
from ops.check.risks import ADMIN_EQUIVALENT_POLICIES, check_risks
from ops.check.run import check_all, run_check
from ops.check.slack import CHECK_ONLY_SCOPES, IDENTITY_CENTER_ONLY_SCOPES, MANIFEST_PATH, check_slack, required_scopes

__all__ = [
    "ADMIN_EQUIVALENT_POLICIES",
    "CHECK_ONLY_SCOPES",
    "IDENTITY_CENTER_ONLY_SCOPES",
    "MANIFEST_PATH",
    "POLICY_COMMAND",
    "CheckResult",
    "Status",
    "check_all",
    "check_aws",
    "check_own_permissions",
    "check_risks",
    "check_slack",
    "exit_code",
    "principal_arn",
    "required_scopes",
    "run_check",
    "write_report",
]
