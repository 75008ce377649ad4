"""The one place a request changes: every state change is a compare-and-set with its audit row in the same write.

A flow never calls the store's compare_and_set itself. `move` is a transition (its `state`, anything a person
did, or a reminder to the leads): the audit event goes in the same write, and a loser writes neither. `note` is
bookkeeping that is not a state change (the DM's timestamp, a credentials claim, an expiry reminder) and refuses to change `state`, so a
state change cannot slip past the audit trail. `record` is an audit event with no write of the request (a
failure, a drift finding).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from audit import AuditEvent, AuditLog
from store import UNSET, Fields, Request, RequestStore

from .outcomes import person

logger = logging.getLogger(__name__)


class Ledger:
    """Compare-and-set with its audit row, for one project's requests; `announce` posts each event (audit channel)."""

    def __init__(
        self,
        store: RequestStore,
        clock: Callable[[], datetime],
        *,
        audit: AuditLog | None = None,
        announce: Callable[[AuditEvent], None] = lambda _event: None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.audit = audit
        self.announce = announce

    def event(
        self, event: str, actor: str | None, request: Request, outcome: str = "ok", detail: str = ""
    ) -> AuditEvent:
        """The audit event for something that happened to `request` (never a secret); Actor.BOT is stored as no one."""
        return AuditEvent(
            at=self.clock(),
            event=event,
            actor=person(actor) if actor else None,
            subject=request.slack_user_id,
            request_id=request.id,
            iam_user=request.iam_user_name,
            outcome=outcome,
            detail=detail,
        )

    def file(self, request: Request, actor: str, detail: str = "", *, event: str = "requested") -> Request:
        """Store a new request with its `event` ("requested"; "breakglass" for access taken without approval) in
        the same write (OpenRequestExists if one is open)."""
        record = self.event(event, actor, request, detail=detail)
        filed = self.store.create(request, audit=record)
        self._told(record)
        return filed

    def move(
        self,
        request: Request,
        expect: Fields,
        change: Fields,
        event: str,
        actor: str | None,
        *,
        outcome: str = "ok",
        detail: str = "",
    ) -> Request | None:
        """Compare-and-set `request` with its audit event in the same write; None (and no event) if it lost."""
        record = self.event(event, actor, request, outcome, detail)
        moved = self.store.compare_and_set(request.id, expect, change, audit=record)
        if moved is not None:
            self._told(record)
        return moved

    def note(self, request_id: str, expect: Fields, change: Fields) -> Request | None:
        """Compare-and-set bookkeeping that is not a state change (no audit row); a state change is refused."""
        if change.state is not UNSET:
            raise ValueError("a state change goes through Ledger.move, with its audit row")
        return self.store.compare_and_set(request_id, expect, change)

    def record(self, event: str, actor: str | None, request: Request, outcome: str = "ok", detail: str = "") -> None:
        """Append one audit event that changes no request (a failure, a drift finding); log it, post it if set."""
        self.append(self.event(event, actor, request, outcome, detail))

    def refusal(self, actor: str, code: str, detail: str = "") -> None:
        """Audit a refusal that never became a request (the requester policy): no request id, no IAM user."""
        self.append(
            AuditEvent(
                at=self.clock(),
                event="refused",
                actor=actor,
                subject=actor,
                request_id=None,
                iam_user=None,
                outcome=code,
                detail=detail,
            )
        )

    def append(self, record: AuditEvent) -> None:
        """Write an event that goes with no request write."""
        self._told(record)
        if self.audit is not None:
            try:
                self.audit.append(record)
            except Exception:  # the audit trail must not stop access from being granted or removed
                logger.exception("could not write the audit event for request %s", record.request_id)

    def _told(self, record: AuditEvent) -> None:
        """Log the event as one line and hand it to `announce` (the audit channel, if one is set)."""
        event, actor, subject = record.event, record.actor, record.subject
        logger.info(
            "audit %s: request %s by %s for %s (%s) %s%s",
            event,
            record.request_id or "-",
            actor or "amplify-dev",
            subject,
            record.iam_user or "-",
            record.outcome,
            f" {record.detail}" if record.detail else "",
            extra={"event": event, "request_id": record.request_id, "actor": actor, "subject": subject},
        )
        self.announce(record)
