"""One flow at a time: send one request, wait for the flow's last call, count every call it made."""

from __future__ import annotations

import time
from typing import Any

from bench.client import Client, Sent
from bench.results import FlowCalls, Results
from bench.workspace import CHANNEL, SETTLE
from messages import APPROVE_ACTION, SHOW_CREDENTIALS_ACTION


class Flows:
    """The flows the single-flow phases run, each recorded in `results` (acks, latency, calls)."""

    def __init__(self, client: Client, results: Results) -> None:
        """`client` talks to the bot and the fakes; `results` collects what each flow measured."""
        self.client = client
        self.results = results

    def flow(
        self,
        kind: str,
        body: str,
        final: dict[str, Any],
        latency: tuple[str, dict[str, Any]] | None = None,
    ) -> Sent:
        """Send one request, wait for the flow's last call (`final`), and count every call the flow made."""
        before = self.client.snapshot()
        sent = self.client.post(body)
        if sent.status != 200:
            raise RuntimeError(f"{kind}: the bot answered {sent.status}:\n{self.client.stack.bot_tail()}")
        self.results.acks.setdefault(kind, []).append(sent.ack)
        if latency and "console" not in kind:  # the latency rows are for the default (key only) flows
            name, spec = latency
            at = self.client.wait(since=before.n, **spec)[0]
            self.results.latency.setdefault(name, []).append(at - sent.sent_at)
        self.client.wait(since=before.n, **final)
        time.sleep(SETTLE)
        after = self.client.snapshot()
        self.results.flows.setdefault(kind, []).append(
            FlowCalls(iam=after.iam - before.iam, slack=after.slack - before.slack)
        )
        return sent

    def request(self, user: str, *, console: bool = False) -> str:
        """`/amplify-dev request`; returns the new request's id (from the approval message's button)."""
        key = self.client.key("req", user)
        text = f"request {'--console ' if console else ''}benchmark the amplify app"
        before = self.client.snapshot()
        self.flow(
            "request --console" if console else "request",
            self.client.command_body(user, text, key),
            final={"method": "response_url", "key": key},
            latency=("request → approval message posted", {"method": "chat.postMessage", "channel": CHANNEL}),
        )
        ids = [i for i, owner in self.client.request_ids(before.n).items() if owner == user]
        if len(ids) != 1:
            raise RuntimeError(f"expected one approval message for {user}, found {len(ids)}")
        return ids[0]

    def approve(self, approver: str, request_id: str, requester: str, *, console: bool = False) -> None:
        """`approver` clicks Approve on the request's message; done when the message is updated."""
        self.flow(
            "approve (console)" if console else "approve",
            self.client.click_body(approver, APPROVE_ACTION, request_id, CHANNEL),
            final={"method": "chat.update", "channel": CHANNEL},
            latency=("Approve → requester's DM posted", {"method": "chat.postMessage", "channel": f"D{requester}"}),
        )

    def show_credentials(self, user: str, request_id: str, *, console: bool = False) -> None:
        """The requester clicks Show credentials in their DM; done when the button is retired."""
        self.flow(
            "show credentials (console)" if console else "show credentials",
            self.client.click_body(user, SHOW_CREDENTIALS_ACTION, request_id, f"D{user}"),
            final={"method": "chat.update", "channel": f"D{user}"},
            latency=("Show credentials → ephemeral posted", {"method": "chat.postEphemeral", "user": user}),
        )

    def command(self, kind: str, user: str, text: str) -> None:
        """`/amplify-dev <text>` answered through its response_url (rotate, remove)."""
        key = self.client.key(kind, user)
        self.flow(kind, self.client.command_body(user, text, key), final={"method": "response_url", "key": key})
