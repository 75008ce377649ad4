"""The one place the mode is chosen: what a grant is at AWS, an IAM user or an Identity Center assignment."""

from __future__ import annotations

from .deps import Deps
from .grants import Grants
from .grants_iam import IamUserGrants
from .grants_identity_center import IdentityCenterGrants
from .ledger import Ledger


def grants_for(deps: Deps, ledger: Ledger) -> Grants:
    """The Grants of the configured mode (AMPLIFY_DEV_MODE, or the project's `mode`)."""
    if deps.settings.identity_center is not None:
        return IdentityCenterGrants(deps, ledger)
    return IamUserGrants(deps, ledger)
