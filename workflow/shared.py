"""What every flow of one project shares, and the base class that hands it to each flow under one set of names."""

from __future__ import annotations

from dataclasses import dataclass

from .access import Access
from .deps import Deps
from .grants import Grants
from .ledger import Ledger
from .notifier import Notifier


@dataclass(frozen=True)
class Shared:
    """One project's collaborators: its Deps, who is who, what it tells people, and what a grant is at AWS."""

    d: Deps
    access: Access
    notify: Notifier
    grants: Grants
    ledger: Ledger


class Flow:
    """A flow of the workflow (requesting, deciding, credentials, ...): `self.d`, `.access`, `.notify`, `.grants`."""

    def __init__(self, shared: Shared) -> None:
        self.shared = shared
        self.d = shared.d
        self.access = shared.access
        self.notify = shared.notify
        self.grants = shared.grants
        self.ledger = shared.ledger
