"""The targets of issue 4, and the fewest calls each flow needs with the benchmark's settings.

Measured and reported, never asserted. The reasoning per call is in bench/README.md.
"""

from __future__ import annotations

from collections import Counter

from bench.workspace import POLICY_ARNS

TARGET_ACK_P99_MS = 100.0
TARGET_STARTUP_S = 1.0
TARGET_IDLE_RSS_MB = 80.0
TARGET_RATIO = 1.0
TARGET_FLOOR_RATIO = 1.3  # issue 18: burst ack p99 at most 1.3 times a do-nothing server's, in the same run

# The fewest calls each flow needs with the benchmark's settings (one policy, no group, no boundary, one approval,
# 30 days of access): what the flow must change or tell, plus the lookups nothing stored or cached can answer.
# Calls made once at start-up or at first use and then cached are reported separately.

# The bot acts only on IAM users carrying its own instance tag (issue 10): before it mints a key or rotates one
# it reads the user (GetUser returns the path and the tags), because the store cannot know whether someone
# re-tagged, replaced or deleted the user since. That read is part of the minimum, not an extra.
OWNERSHIP_CHECK = "GetUser"

IAM_DELETE_USER = (
    OWNERSHIP_CHECK,  # path and tags (GetUser returns the tags) prove the user is this bot's
    "ListAccessKeys",
    "DeleteAccessKey",  # the one key the developer has
    "DeleteLoginProfile",  # unconditional: cheaper than asking whether there is one
    "ListSigningCertificates",
    "ListSSHPublicKeys",
    "ListServiceSpecificCredentials",
    "ListMFADevices",
    "ListUserPolicies",
    "DeleteUserPolicy",  # the inline expiry policy
    "ListAttachedUserPolicies",
    "DetachUserPolicy",
    "ListGroupsForUser",
    "DeleteUser",
)
REQUEST_SLACK = Counter({"users.info": 1, "chat.postMessage": 1, "response_url": 1})
APPROVE_SLACK = Counter({"conversations.open": 1, "chat.postMessage": 1, "chat.update": 1})
SHOW_SLACK = Counter({"chat.postEphemeral": 1, "chat.update": 1})

MINIMUM: dict[str, tuple[Counter[str], Counter[str]]] = {
    # flow: (IAM actions, Slack methods; "response_url" is the reply through the command's response_url)
    "request": (Counter(), REQUEST_SLACK),
    # PutUserPolicy: the inline policy that denies everything after the end date.
    "approve": (Counter({"CreateUser": 1, "PutUserPolicy": 1, "AttachUserPolicy": len(POLICY_ARNS)}), APPROVE_SLACK),
    "show credentials": (Counter({OWNERSHIP_CHECK: 1, "CreateAccessKey": 1}), SHOW_SLACK),
    "rotate": (
        # ListAccessKeys: "then deletes the older keys" — the store holds only the key last delivered, and a
        # stray key (a failed clean-up) must not outlive a rotation, so IAM is asked which keys exist.
        Counter({OWNERSHIP_CHECK: 1, "ListAccessKeys": 1, "CreateAccessKey": 1, "DeleteAccessKey": 1}),
        Counter({"chat.postEphemeral": 1, "response_url": 1}),
    ),
    "remove": (Counter(IAM_DELETE_USER), Counter({"chat.postMessage": 1, "response_url": 1})),
    "request --console": (Counter(), REQUEST_SLACK),
    "approve (console)": (
        # One more attach with console access: IAMUserChangePassword.
        Counter({"CreateUser": 1, "PutUserPolicy": 1, "AttachUserPolicy": len(POLICY_ARNS) + 1}),
        APPROVE_SLACK,
    ),
    # The account's password policy and alias are account settings: fetched once, then cached.
    "show credentials (console)": (
        Counter({OWNERSHIP_CHECK: 1, "CreateAccessKey": 1, "CreateLoginProfile": 1}),
        SHOW_SLACK,
    ),
}

# Why a flow makes a call beyond the minimum (shown only when the run sees that extra call), and the fix.
EXPLAIN = {
    "ListAccessKeys": (
        "iam/credentials.py `create_access_key` lists the user's keys before every CreateAccessKey to refuse a "
        "third key, but CreateAccessKey itself answers LimitExceeded, which it already turns into AccessKeyLimit; "
        "the rotation also lists them once more itself, to know the old key, which the stored request holds "
        "(`access_key_id`)"
    ),
    "GetAccountPasswordPolicy": (
        "iam/credentials.py `create_console_login` reads the account password policy on every console "
        "credential; it is an account setting that could be cached like the sign-in URL"
    ),
    "ListUserTags": (
        "iam/users.py calls ListUserTags after GetUser, whose answer already carries the user's tags (`User.Tags`)"
    ),
    "GetUser": (
        "the ownership check (issue 10) reads the user more than once in this flow; one GetUser answers path and tags"
    ),
}
