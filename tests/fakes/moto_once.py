"""What every test's moto would build again, built once per test session; each test still gets a fresh moto.

- moto builds its ~1,500 AWS managed policies from JSON for each of the six partitions every time an IAM backend
  is created, which is every test (about a second). Here each partition's policies are built once; every new
  backend gets its own copies, so attaching one in a test (which changes its attachment count) never reaches
  another test. Everything else moto holds is still reset by `mock_aws` as usual.
- `mock_aws` gives each test a new default boto3 session, and each session reads botocore's service models and
  endpoint data from disk again (about 0.2 s per client). Here the sessions share one loader, which only reads
  and caches those read-only files; credentials, configuration and event hooks stay per session and per client.
"""

from __future__ import annotations

import functools
from typing import Any

import botocore.session
import pytest
from botocore.loaders import create_loader
from moto.iam.models import IAMBackend, ManagedPolicy
from moto.settings import load_iam_aws_managed_policies


def install_managed_policy_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every new moto IAM backend take copies of policies built once, instead of building them again."""
    build = IAMBackend._init_aws_policies
    built: dict[tuple[str, str], list[ManagedPolicy]] = {}

    def init_aws_policies(backend: IAMBackend) -> list[ManagedPolicy]:
        if not load_iam_aws_managed_policies():
            return []
        key = (backend.account_id, backend.region_name)
        if key not in built:
            built[key] = build(backend)
        return [_copy(policy) for policy in built[key]]

    monkeypatch.setattr(IAMBackend, "_init_aws_policies", init_aws_policies)


def share_botocore_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every new botocore session use one data loader per data path (the loader's caches are read-only data)."""
    monkeypatch.setattr(botocore.session, "create_loader", functools.cache(create_loader))


def _copy(policy: ManagedPolicy) -> ManagedPolicy:
    """A copy sharing nothing mutable with the original (copy.copy is ten times slower for these)."""
    clone = object.__new__(type(policy))
    state = dict(policy.__dict__)
    state["versions"] = [_copy_plain(version) for version in policy.versions]
    state["tags"] = {key: dict(value) for key, value in policy.tags.items()}
    clone.__dict__ = state
    return clone


def _copy_plain(obj: Any) -> Any:
    clone = object.__new__(type(obj))
    clone.__dict__ = dict(obj.__dict__)
    return clone
