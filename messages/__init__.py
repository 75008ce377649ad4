"""Every message and modal the bot shows, built by small named functions that do no I/O.

User-typed text (the reason) is shown as plain_text, so it can never ping `<!channel>`, disguise a link
or pick up mrkdwn formatting; anything else interpolated into mrkdwn goes through `escape`.

Where each message lives (`import messages as msg; msg.X` reaches all of them):
  basics.py       Reply, Message, the sandbox label, escape, mention, dates, the action IDs
  requests.py     the approvers' channel: a request, an extension, their outcome, notices, the audit line
  dms.py          the requester's DM: approved, shown, denied, removed, the expiry reminder
  credentials.py  the Show credentials button and the one ephemeral that carries the secret
  replies.py      replies to commands: usage, status, list, several projects' replies
  forms.py        the request form and its block/action IDs
  home.py         the App Home tab (home_view); home_state.py what it shows one person (HomeState)
  identity_center.py, review.py  the Identity Center mode's messages; the access review
  grant.py        informed approval: what a request grants (policies, boundary, group, account, credentials)
  oncall.py       reminders, break-glass posts and DMs, Amplify sandbox advice, notice lines and review flag
"""

from .basics import (
    APPROVE_ACTION,
    CLI_PROFILE,
    COMMAND,
    DENY_ACTION,
    EXTEND_ACTION,
    EXTEND_APPROVE_ACTION,
    EXTEND_DENY_ACTION,
    IAM_USER,
    REASON_MAX,
    SHOW_CREDENTIALS_ACTION,
    Granted,
    Message,
    Reply,
    clip_reason,
    duration_text,
    escape,
    labelled,
    mention,
    project_label,
    slack_date,
    text_reply,
)
from .credentials import CredentialsShown, credentials_ephemeral, show_credentials_button
from .dms import approved_dm, credentials_shown_dm, denied_dm, notice_dm, reminder_dm, removed_dm
from .forms import (
    CONSOLE_BLOCK,
    CONSOLE_INPUT,
    DAYS_BLOCK,
    DAYS_INPUT,
    PROJECT_BLOCK,
    PROJECT_INPUT,
    REASON_BLOCK,
    REASON_INPUT,
    REQUEST_VIEW,
    request_modal,
)
from .grant import CredentialKind, GrantDescription, admin_warning, grant_blocks, grant_description, grant_line
from .home import (
    HOME_ACTIVE_SHOWN,
    HOME_BLOCKS_MAX,
    HOME_PENDING_SHOWN,
    HOME_REMOVE_ACTION,
    HOME_REQUEST_ACTION,
    HOME_ROTATE_ACTION,
    HOME_VIEW,
    home_view,
    projects_home_view,
)
from .home_state import OLD_KEY_DAYS, HomeState, describe_age
from .oncall import (
    BREAKGLASS_ACK_ACTION,
    SANDBOX_WITHOUT_ACCESS,
    Acknowledgement,
    BreakGlassUse,
    breakglass_acknowledged_post,
    breakglass_approver_dm,
    breakglass_post,
    last_reminded_line,
    reminder_reply,
    sandbox_advice,
    sandbox_advice_block,
    sandbox_listing_failed_line,
    sandbox_notice_lines,
    sandbox_review_blocks,
)
from .replies import by_project, describe_request, list_reply, status_reply, usage_reply
from .requests import (
    approval_outcome_message,
    approval_request_message,
    audit_line,
    channel_notice,
    decided_line,
    decision_buttons,
    extension_request_message,
    provisioned_outcome,
)

__all__ = [
    "APPROVE_ACTION",
    "BREAKGLASS_ACK_ACTION",
    "CLI_PROFILE",
    "COMMAND",
    "CONSOLE_BLOCK",
    "CONSOLE_INPUT",
    "DAYS_BLOCK",
    "DAYS_INPUT",
    "DENY_ACTION",
    "EXTEND_ACTION",
    "EXTEND_APPROVE_ACTION",
    "EXTEND_DENY_ACTION",
    "HOME_ACTIVE_SHOWN",
    "HOME_BLOCKS_MAX",
    "HOME_PENDING_SHOWN",
    "HOME_REMOVE_ACTION",
    "HOME_REQUEST_ACTION",
    "HOME_ROTATE_ACTION",
    "HOME_VIEW",
    "IAM_USER",
    "OLD_KEY_DAYS",
    "PROJECT_BLOCK",
    "PROJECT_INPUT",
    "REASON_BLOCK",
    "REASON_INPUT",
    "REASON_MAX",
    "REQUEST_VIEW",
    "SANDBOX_WITHOUT_ACCESS",
    "SHOW_CREDENTIALS_ACTION",
    "Acknowledgement",
    "BreakGlassUse",
    "CredentialKind",
    "CredentialsShown",
    "GrantDescription",
    "Granted",
    "HomeState",
    "Message",
    "Reply",
    "admin_warning",
    "approval_outcome_message",
    "approval_request_message",
    "approved_dm",
    "audit_line",
    "breakglass_acknowledged_post",
    "breakglass_approver_dm",
    "breakglass_post",
    "by_project",
    "channel_notice",
    "clip_reason",
    "credentials_ephemeral",
    "credentials_shown_dm",
    "decided_line",
    "decision_buttons",
    "denied_dm",
    "describe_age",
    "describe_request",
    "duration_text",
    "escape",
    "extension_request_message",
    "grant_blocks",
    "grant_description",
    "grant_line",
    "home_view",
    "labelled",
    "last_reminded_line",
    "list_reply",
    "mention",
    "notice_dm",
    "project_label",
    "projects_home_view",
    "provisioned_outcome",
    "reminder_dm",
    "reminder_reply",
    "removed_dm",
    "request_modal",
    "sandbox_advice",
    "sandbox_advice_block",
    "sandbox_listing_failed_line",
    "sandbox_notice_lines",
    "sandbox_review_blocks",
    "show_credentials_button",
    "slack_date",
    "status_reply",
    "text_reply",
    "usage_reply",
]
