"""identity_center/ on its own: the bounded poll, exact email match, duplicates, session durations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

import identity_center as idc
from identity_center.assignments import Poll
from tests.identity_center.conftest import ACCOUNT, IdentityCenterWorld


def test_the_poll_is_bounded_and_says_so(world: IdentityCenterWorld) -> None:
    sso = world.clients.sso_admin
    answer = {"Status": "IN_PROGRESS", "RequestId": "b5f6e1d8-0c1f-4a3e-9d3b-2f1a7c9e8d01"}
    sso.meta.events.register(
        "before-call.sso-admin.CreateAccountAssignment",
        lambda **_: (AWSResponse("https://x", 200, {}, None), {"AccountAssignmentCreationStatus": answer}),
    )
    polls: list[Any] = []
    sso.meta.events.register(
        "before-call.sso-admin.DescribeAccountAssignmentCreationStatus",
        lambda **_: (
            polls.append(1) or (AWSResponse("https://x", 200, {}, None), {"AccountAssignmentCreationStatus": answer})
        ),
    )
    slept: list[float] = []
    target = idc.Target(world.instance_arn, world.permission_set_arn, ACCOUNT)
    with pytest.raises(idc.AssignmentTimedOut) as raised:
        idc.create_assignment(sso, target, world.dana, poll=Poll(sleep=slept.append, attempts=3))
    assert raised.value.code == "Timeout" and len(polls) == 3 and slept == [1.0, 1.0]


def test_email_match_is_exact_and_an_unknown_email_is_its_own_error(world: IdentityCenterWorld) -> None:
    ids = world.clients.identitystore
    assert idc.find_user_id(ids, world.identity_store_id, "dana@example.com") == world.dana
    with pytest.raises(idc.NoIdentityStoreUser):
        idc.find_user_id(ids, world.identity_store_id, "nobody@example.com")
    with pytest.raises(idc.NoIdentityStoreUser):
        idc.find_user_id(ids, world.identity_store_id, "")


def test_listing_collapses_moto_duplicates(world: IdentityCenterWorld) -> None:
    world.assign(world.dana)
    world.assign(world.dana)  # moto appends; AWS keeps one
    target = idc.Target(world.instance_arn, world.permission_set_arn, ACCOUNT)
    assert idc.list_assignments(world.clients.sso_admin, target) == [idc.Assignment("USER", world.dana)]


def test_the_only_instance_is_found_and_the_permission_set_read(world: IdentityCenterWorld) -> None:
    found = idc.find_instance(world.clients.sso_admin, None, None)
    assert found == idc.Instance(world.instance_arn, world.identity_store_id)
    ps = idc.describe_permission_set(world.clients.sso_admin, world.instance_arn, world.permission_set_arn)
    assert ps.name == "AmplifyDeveloper" and ps.session_duration == timedelta(hours=8)
    assert idc.parse_duration("PT1H30M") == timedelta(minutes=90) and idc.parse_duration("P1D") == timedelta(hours=1)


def test_errors_never_carry_aws_text(world: IdentityCenterWorld) -> None:
    with pytest.raises(idc.IdentityCenterError) as raised:
        idc.describe_permission_set(world.clients.sso_admin, world.instance_arn, world.permission_set_arn + "x")
    assert str(raised.value) == "DescribePermissionSet failed: ResourceNotFoundException"
