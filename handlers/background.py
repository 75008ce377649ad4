"""Runs the slow part of a listener after Slack's request was acknowledged."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future

from messages import Reply, text_reply

logger = logging.getLogger(__name__)

GENERIC_FAILURE = text_reply(
    "Something went wrong on my side and I couldn't finish that. Nothing secret was shown; please try again, "
    "and tell the leads if it keeps happening."
)


def after_ack(
    runner: Executor, work: Callable[[], Reply | None], deliver: Callable[[Reply], None], what: str
) -> Future[None]:
    """Run `work` on the bot's worker pool and deliver its reply; an unexpected error is logged, never shown."""

    def job() -> None:
        try:
            reply = work()
        except Exception:
            logger.exception("unexpected error while handling %s", what)
            reply = GENERIC_FAILURE
        if reply is None:
            return
        try:
            deliver(reply)
        except Exception:
            logger.exception("could not deliver the reply to %s", what)

    return runner.submit(job)
