"""Touch only what we made: a pre-existing assignment is never deleted; expiry, off-boarding and drift."""

from __future__ import annotations

import json
from typing import Any

from botocore.awsrequest import AWSResponse

from store import Fields, State
from tests.conftest import DEV, TEAM, Bot, message_text
from tests.identity_center.conftest import IdentityCenterWorld
from tests.identity_center.test_flow import channel_texts


def test_an_assignment_given_by_hand_is_recorded_as_not_ours_and_never_deleted(
    ic_bot: Bot, world: IdentityCenterWorld
) -> None:
    world.assign(world.dana)
    request_id = ic_bot.approved_user()
    request = ic_bot.store.get(request_id)
    assert request.state == State.ACTIVE and request.assignment_created is False
    assert len(world.called("CreateAccountAssignment")) == 1  # only the one made by hand
    assert "already held" in message_text(ic_bot.dms_to(DEV)[-1].params)
    assert "recorded as not created by amplify-dev" in channel_texts(ic_bot)

    ic_bot.command(DEV, "remove")
    assert ic_bot.store.get(request_id).state == State.REVOKED
    assert world.called("DeleteAccountAssignment") == [] and world.assigned_users() == {world.dana}
    assert "left in place" in ic_bot.last_reply_text(DEV)


def test_an_assignment_through_a_group_is_not_ours_and_survives_expiry(ic_bot: Bot, world: IdentityCenterWorld) -> None:
    ids = world.clients.identitystore
    group = ids.create_group(IdentityStoreId=world.identity_store_id, DisplayName="amplify-devs")["GroupId"]
    ids.create_group_membership(IdentityStoreId=world.identity_store_id, GroupId=group, MemberId={"UserId": world.dana})
    world.assign(group, "GROUP")
    request_id = ic_bot.approved_user()
    assert ic_bot.store.get(request_id).assignment_created is False
    assert world.called("CreateAccountAssignment")[-1]["PrincipalType"] == "GROUP"  # only the admin's

    ic_bot.clock.advance(days=31)
    ic_bot.workflow.sweep()
    assert ic_bot.store.get(request_id).state == State.EXPIRED
    assert world.called("DeleteAccountAssignment") == []


def test_expiry_deletes_the_assignment(ic_bot: Bot, world: IdentityCenterWorld) -> None:
    request_id = ic_bot.approved_user()
    ic_bot.clock.advance(days=31)
    ic_bot.workflow.sweep()
    assert ic_bot.store.get(request_id).state == State.EXPIRED
    assert world.assigned_users() == set() and len(world.called("DeleteAccountAssignment")) == 1
    assert "reached its end date" in message_text(ic_bot.dms_to(DEV)[-1].params)
    assert "access expired" in channel_texts(ic_bot)


def test_an_extension_moves_only_the_stored_end(ic_bot: Bot, world: IdentityCenterWorld) -> None:
    request_id = ic_bot.approved_user()
    before = ic_bot.store.get(request_id).expires_at
    ic_bot.click(DEV, "amplify_dev_extend", request_id, channel="DUDEV")
    ic_bot.click("ULEAD", "amplify_dev_extend_approve", request_id)
    assert ic_bot.store.get(request_id).expires_at > before
    assert world.assigned_users() == {world.dana}


def test_offboarding_deletes_the_assignment(ic_bot: Bot, world: IdentityCenterWorld) -> None:
    request_id = ic_bot.approved_user()
    event = {"type": "user_change", "user": {"id": DEV, "team_id": TEAM, "deleted": True}}
    body = {"type": "event_callback", "team_id": TEAM, "api_app_id": "A0APP", "event": event, "event_id": "Ev1"}
    assert ic_bot.dispatch(json.dumps({**body, "event_time": 1}), content_type="application/json").status == 200
    assert ic_bot.store.get(request_id).state == State.REVOKED
    assert world.assigned_users() == set()


def test_drift_reports_unknown_assignments_finishes_ours_and_closes_lost_records(
    ic_bot: Bot, world: IdentityCenterWorld
) -> None:
    stranger = world.add_user("stranger@example.com", "Stranger")
    world.assign(stranger)  # given by hand: no record
    ours = ic_bot.approved_user()
    # Our removal "did not finish": the record is closed but the assignment we created is still there.
    ic_bot.store.compare_and_set(ours, Fields(state=State.ACTIVE), Fields(state=State.REVOKED))
    findings = ic_bot.workflow.reconcile()
    assert any("stranger@example.com" in f and "reported, not deleted" in f for f in findings)
    assert any("outlived its closed request" in f and "removed" in f for f in findings)
    assert world.assigned_users() == {stranger}
    assert [d["PrincipalId"] for d in world.called("DeleteAccountAssignment")] == [world.dana]


def test_drift_closes_a_record_whose_assignment_was_deleted_outside(ic_bot: Bot, world: IdentityCenterWorld) -> None:
    request_id = ic_bot.approved_user()
    world.clients.sso_admin.delete_account_assignment(
        InstanceArn=world.instance_arn,
        TargetId="123456789012",
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=world.permission_set_arn,
        PrincipalType="USER",
        PrincipalId=world.dana,
    )
    findings = ic_bot.workflow.reconcile()
    assert ic_bot.store.get(request_id).state == State.REVOKED
    assert any("gone from Identity Center" in f for f in findings)


def _status(status: str) -> Any:
    def answer(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        return AWSResponse("https://sso.example", 200, {}, None), {
            "AccountAssignmentCreationStatus": {"Status": status, "RequestId": "b5f6e1d8-0c1f-4a3e-9d3b-2f1a7c9e8d01"}
        }

    return answer


def test_a_failed_assignment_is_rolled_back_and_both_sides_are_told(ic_bot: Bot, world: IdentityCenterWorld) -> None:
    sso = world.clients.sso_admin
    sso.meta.events.register("before-call.sso-admin.CreateAccountAssignment", _status("IN_PROGRESS"))
    sso.meta.events.register("before-call.sso-admin.DescribeAccountAssignmentCreationStatus", _status("FAILED"))
    request_id = ic_bot.approved_user()
    request = ic_bot.store.get(request_id)
    assert request.state == State.FAILED and "DescribeAccountAssignmentCreationStatus" in request.error
    assert [d["PrincipalId"] for d in world.called("DeleteAccountAssignment")] == [world.dana]  # the roll-back
    assert "Creating the account assignment failed" in channel_texts(ic_bot)
    assert "creating your account assignment failed" in message_text(ic_bot.dms_to(DEV)[-1].params)
