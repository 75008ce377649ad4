"""moto's DynamoDB made atomic under threads, as the real service is.

moto 5.2 runs TransactWriteItems by deep-copying the table, applying each action, and on a failed condition
putting the copy back: a transaction that fails while another commits restores the state from before that
commit, so two threads can both "win" a compare-and-set. Real DynamoDB applies each write and transaction
atomically. Running moto's DynamoDB operations one at a time gives tests that atomicity (and no more).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from moto.dynamodb.responses import DynamoHandler

_lock = threading.RLock()


@contextmanager
def atomic_moto_dynamodb() -> Iterator[None]:
    """While active, every DynamoDB operation moto answers runs alone."""
    original = DynamoHandler.call_action

    def one_at_a_time(self: DynamoHandler, *args: Any, **kwargs: Any) -> Any:
        with _lock:
            return original(self, *args, **kwargs)

    with mock.patch.object(DynamoHandler, "call_action", one_at_a_time):
        yield
