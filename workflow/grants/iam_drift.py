"""The IAM-user kind's drift check: IAM under the bot's path against the store."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

import iam
import messages as msg
from store import OPEN_STATES, Fields, Request, RequestStore, State

from ..ledger import Ledger
from ..outcomes import Actor
from . import SessionsRevoked

logger = logging.getLogger(__name__)


class IamDrift:
    """Finish lost removals, close lost records, report the rest; the caller reports the findings."""

    def __init__(
        self,
        client: Any,
        owner: iam.Owner,
        store: RequestStore,
        ledger: Ledger,
        project: str,
        *,
        scope: str | None,
        delete_user: Callable[[str, str], SessionsRevoked | None],
    ) -> None:
        self.delete_user = delete_user  # the kind's deletion (sign-in: its sessions ended first)
        self.client = client
        self.owner = owner
        self.store = store
        self.ledger = ledger
        self.project = project
        self.scope = scope

    def reconcile(self) -> list[str]:
        """Compare IAM under the bot's path with the store: finish lost removals, close lost records, report the rest.

        Deletes a user only when this deployment's store holds the user's request and it is closed (its removal
        did not finish). A user whose request it does not know is reported, never deleted: it may be another
        deployment's, or this one may have lost its database.
        """
        owner = self.owner
        findings: list[str] = []
        # The store first: a request approved while IAM is listed then shows up as live, never as lost.
        live = {r.iam_user_name.lower(): r for r in self.store.in_states(OPEN_STATES, project=self.scope)}
        try:
            users = iam.list_users_under_path(self.client, owner.path, known=self._tags_recorded(live.values()))
        except iam.IamError as e:  # e.g. the project's account role cannot be assumed: say so (the caller posts it)
            logger.error("reconcile: cannot list IAM users: %s %s", e.step, e.code)
            return [f"I cannot list the IAM users under `{owner.path}` (`{e.step}`: {e.code}); the drift check waits."]
        present = {u.user_name.lower() for u in users}
        for user in users:
            findings += self._reconcile_user(user)
        for name, request in live.items():
            if request.state == State.ACTIVE and name not in present and self._user_is_gone(request):
                closed = self.ledger.move(
                    request,
                    Fields(state=State.ACTIVE),
                    Fields(state=State.REVOKED, error="IAM user was deleted outside amplify-dev"),
                    "removed",
                    Actor.BOT,
                    outcome="missing",
                    detail="IAM user deleted outside amplify-dev",
                )
                if closed:
                    findings.append(
                        f"{msg.mention(request.slack_user_id)}'s IAM user `{request.iam_user_name}` "
                        "was gone from IAM: record closed."
                    )
        return findings

    def _tags_recorded(self, requests: Iterable[Request]) -> dict[str, dict[str, str]]:
        """The tags the bot gave each user whose IAM user id it recorded at provisioning: no ListUserTags for them.

        Only users made since ids are recorded are in it, and those were all made with the instance tag.
        """
        return {
            r.iam_user_id: {
                iam.TAG_SLACK_USER: r.slack_user_id,
                iam.TAG_REQUEST: r.id,
                iam.TAG_INSTANCE: self.owner.instance,
            }
            for r in requests
            if r.iam_user_id
        }

    def _reconcile_user(self, user: iam.ManagedUser) -> list[str]:
        """What the drift check does about one user under the path (and says, if anything)."""
        owner, name = self.owner, user.user_name
        if iam.TAG_SLACK_USER not in user.tags:
            return [
                f"IAM user `{name}` is under `{owner.path}` without amplify-dev's tags: not created by the bot, left untouched."
            ]
        instance = user.tags.get(iam.TAG_INSTANCE)
        if instance is not None and instance != owner.instance:
            return []  # another deployment's user: not ours to judge
        request_id = user.tags.get(iam.TAG_REQUEST)
        request = self.store.get(request_id) if request_id else None
        if request is not None and request.project != self.project:
            return []  # another project's user in a shared account: that project's check judges it
        if request is None:
            return [
                f"IAM user `{name}` (for {msg.mention(user.tags.get(iam.TAG_SLACK_USER))}) carries amplify-dev's "
                "tags but this bot has no record of its request: reported, not deleted (another deployment's "
                "user, or this bot's database was replaced)."
            ]
        if instance is None:  # made before instance tags; its request is in this store, so it is ours
            try:
                iam.adopt_user(self.client, name, owner, user.tags)
            except iam.IamError as e:
                return [f"IAM user `{name}` predates instance tags and tagging it failed ({e.code})."]
        if request.is_open:
            return []
        # Its request is closed, so its removal did not finish: finish it.
        try:
            sessions = self.delete_user(name, request.id)
        except iam.IamError as e:
            return [
                f"IAM user `{name}` outlived its closed request `{request.id}`; removing it failed at `{e.step}` ({e.code})."
            ]
        detail = "user outlived its closed request" + msg.sessions_detail(sessions.audited if sessions else None)
        if sessions is not None and sessions.code:
            self.ledger.record(
                "failed", Actor.BOT, request, outcome=sessions.code, detail=msg.sessions_detail(sessions.audited)[2:]
            )
        self.ledger.record("removed", Actor.BOT, request, outcome="drift", detail=detail)
        return [
            f"IAM user `{name}` (for {msg.mention(request.slack_user_id)}) outlived its closed request "
            f"`{request.id}`: removed."
        ]

    def _user_is_gone(self, request: Request) -> bool:
        """Ask IAM directly (ListUsers can lag behind a user created seconds ago)."""
        try:
            return iam.get_managed_user(self.client, request.iam_user_name, self.owner, request_id=request.id) is None
        except iam.IamError:
            return False  # not ours, or IAM did not answer: not proof that it is gone
