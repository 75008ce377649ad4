"""Last-used data moto 5.2 cannot set: GetAccessKeyLastUsed always says "never" (ServiceName/Region "N/A"),
GetUser never returns PasswordLastUsed, and ListAccessKeys dates every key now. These botocore hooks fill in
what a test says on top of moto's real answers (the users and keys themselves stay moto's)."""

from __future__ import annotations

from datetime import datetime
from typing import Any


class FakeKeyUsage:
    """Says when each key was last used (and where), when each user last signed in, and how old a key is."""

    def __init__(self) -> None:
        self.key_used: dict[str, tuple[datetime, str, str]] = {}
        self.password_used: dict[str, datetime] = {}
        self.key_created: dict[str, datetime] = {}
        self.calls: list[str] = []  # every IAM operation the client made, in order

    def used(self, key_id: str, when: datetime, service: str = "amplify", region: str = "eu-west-1") -> None:
        self.key_used[key_id] = (when, service, region)

    def install(self, iam: Any) -> None:
        iam.meta.events.register("before-call.iam", self._before)
        iam.meta.events.register("after-call.iam.GetAccessKeyLastUsed", self._last_used)
        iam.meta.events.register("after-call.iam.GetUser", self._get_user)
        iam.meta.events.register("after-call.iam.ListAccessKeys", self._list_keys)

    def count(self, operation: str) -> int:
        return self.calls.count(operation)

    def _before(self, model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        self.calls.append(model.name)
        # The answer names the user, not the key: remember which key was asked about for the after-call hook.
        context["fake_usage_key"] = (params.get("body") or {}).get("AccessKeyId")

    def _last_used(self, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        hit = self.key_used.get(context.get("fake_usage_key") or "")
        if hit:
            parsed.setdefault("AccessKeyLastUsed", {}).update(LastUsedDate=hit[0], ServiceName=hit[1], Region=hit[2])

    def _get_user(self, parsed: dict[str, Any], **_: Any) -> None:
        user = parsed.get("User") or {}
        if user.get("UserName") in self.password_used:
            user["PasswordLastUsed"] = self.password_used[user["UserName"]]

    def _list_keys(self, parsed: dict[str, Any], **_: Any) -> None:
        for key in parsed.get("AccessKeyMetadata") or []:
            if key["AccessKeyId"] in self.key_created:
                key["CreateDate"] = self.key_created[key["AccessKeyId"]]
