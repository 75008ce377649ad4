"""The slow half of every listener, run by Bolt as a lazy listener after the ack.

Each listener is registered as `app.command(...)(ack=..., lazy=[...])`: the ack function only acknowledges
(Slack's 3 seconds include a Lambda cold start), and Bolt runs the lazy function afterwards, on its thread
pool in Socket Mode and HTTP, or as an asynchronous invocation of the same Lambda function. A lazy function
gets the payload again, never the ack's local state, because on Lambda it runs in another invocation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from messages import Reply, text_reply

logger = logging.getLogger(__name__)

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
