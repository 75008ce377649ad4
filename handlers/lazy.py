"""The slow half of every listener, run by Bolt as a lazy listener after the ack.

Each listener is registered as `app.command(...)(ack=..., lazy=[...])`: the ack function only acknowledges
(Slack's 3 seconds include a Lambda cold start), and Bolt runs the lazy function afterwards, on its thread
pool in Socket Mode and HTTP, or as an asynchronous invocation of the same Lambda function. A lazy function
gets the payload again, never the ack's local state, because on Lambda it runs in another invocation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import BoltContext

from messages import Reply, text_reply

logger = logging.getLogger(__name__)

# The BoltContext key under which an ack leaves work for the lazy half's runner to do after the ack (lazy_workers.py).
AFTER_ACK = "amplify_dev_after_ack"

GENERIC_FAILURE = text_reply(
    "Something went wrong on my side and I couldn't finish that. Nothing secret was shown; please try again, "
    "and tell the leads if it keeps happening."
)


def finish(work: Callable[[], Reply | None], deliver: Callable[[Reply], None], what: str) -> None:
    """Run `work` and deliver its reply; an unexpected error is logged with its traceback, never shown."""
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


def after_ack(context: BoltContext, work: Callable[[], None]) -> None:
    """Do `work` (an ack's store write) now, or leave it to the runner of the lazy half when that runner does it
    itself after the ack returned and before the lazy half starts (lazy_workers.py's dispatcher, in the bot's
    process: the write then leaves the ack's critical path). On Lambda and with threads the ack does it."""
    lazy_runner = getattr(context.listener_runner, "lazy_listener_runner", None)
    if getattr(lazy_runner, "does_work_after_ack", False):
        context[AFTER_ACK] = work
    else:
        work()
