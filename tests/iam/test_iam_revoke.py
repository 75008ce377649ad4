"""revoke_developer_user: IAM's deletion order, which moto does not enforce, and refusing foreign users."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from iam_support import OWNER, PATH, Call, FakeServiceSpecificCredentials, bot_tags

from iam import IamError, NotManagedByBot, build_iam_client, revoke_developer_user

USER = "jane.doe-u012ab3cd"
GROUPS = ("amplify-developers", "amplify-readers")
INLINE_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"amplify:List*","Resource":"*"}]}'
SSH_KEY = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== jane@laptop"
HARDWARE_MFA_SERIAL = "GAHT12345678"
DELETIONS = (
    "DeleteAccessKey",
    "DeleteLoginProfile",
    "DeleteSigningCertificate",
    "DeleteSSHPublicKey",
    "DeleteServiceSpecificCredential",
    "DeactivateMFADevice",
    "DeleteVirtualMFADevice",
    "DeleteUserPolicy",
    "DetachUserPolicy",
    "RemoveUserFromGroup",
    "DeleteUser",
)
# Everything that would make real IAM's DeleteUser fail with DeleteConflict, in the order it must go.
FULL_USER_DELETIONS = [
    "DeleteAccessKey",
    "DeleteAccessKey",
    "DeleteLoginProfile",
    "DeleteSigningCertificate",
    "DeleteSSHPublicKey",
    "DeleteServiceSpecificCredential",
    "DeleteServiceSpecificCredential",
    "DeactivateMFADevice",
    "DeleteVirtualMFADevice",
    "DeleteUserPolicy",
    "DetachUserPolicy",
    "DetachUserPolicy",
    "DetachUserPolicy",
    "RemoveUserFromGroup",
    "RemoveUserFromGroup",
    "DeleteUser",
]


def deletions(calls: list[Call]) -> list[str]:
    return [op for op, _ in calls if op in DELETIONS]


def give_user_everything(
    iam: Any,
    user_name: str,
    policies: list[str],
    certificate_pem: str,
    service_credentials: FakeServiceSpecificCredentials,
) -> str:
    """Give the user one of everything DeleteUser conflicts with; return the virtual MFA serial."""
    iam.create_access_key(UserName=user_name)
    iam.create_access_key(UserName=user_name)
    iam.create_login_profile(UserName=user_name, Password="Old-passw0rd!", PasswordResetRequired=True)
    iam.upload_signing_certificate(UserName=user_name, CertificateBody=certificate_pem)
    iam.upload_ssh_public_key(UserName=user_name, SSHPublicKeyBody=SSH_KEY)
    service_credentials.add(user_name, "ACCA0000000000000001")
    service_credentials.add(user_name, "ACCA0000000000000002")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=user_name)["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(
        UserName=user_name, SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321"
    )
    iam.put_user_policy(UserName=user_name, PolicyName="inline", PolicyDocument=INLINE_POLICY)
    for arn in policies:
        iam.attach_user_policy(UserName=user_name, PolicyArn=arn)
    for group in GROUPS:
        iam.add_user_to_group(GroupName=group, UserName=user_name)
    return serial


@pytest.fixture
def groups(iam: Any) -> tuple[str, ...]:
    for group in GROUPS:
        iam.create_group(GroupName=group)
    return GROUPS


@pytest.fixture
def full_user(
    iam: Any,
    groups: tuple[str, ...],
    customer_policies: list[str],
    certificate_pem: str,
    service_credentials: FakeServiceSpecificCredentials,
) -> str:
    """The bot's user with one of everything; returns its virtual MFA serial."""
    iam.create_user(UserName=USER, Path=PATH, Tags=bot_tags())
    return give_user_everything(iam, USER, customer_policies, certificate_pem, service_credentials)


def test_revoke_deletes_everything_in_iams_order(
    iam: Any,
    calls: list[Call],
    full_user: str,
    customer_policies: list[str],
    service_credentials: FakeServiceSpecificCredentials,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="iam"):
        assert revoke_developer_user(iam, USER, OWNER) is True

    assert deletions(calls) == FULL_USER_DELETIONS
    params = dict(calls)
    assert params["DeactivateMFADevice"] == {"UserName": USER, "SerialNumber": full_user}
    assert params["DeleteVirtualMFADevice"] == {"SerialNumber": full_user}
    assert not any(u["UserName"] == USER for u in iam.list_users()["Users"])
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []
    assert service_credentials.by_user[USER] == []
    assert all(iam.get_group(GroupName=g)["Users"] == [] for g in GROUPS)
    assert all(iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 0 for arn in customer_policies)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("iam")] == [f"Revoked IAM user {USER}"]


def test_revoke_follows_every_page(iam: Any, calls: list[Call], full_user: str, customer_policies: list[str]) -> None:
    # moto pages ListAttachedUserPolicies when asked to; the fake pages service-specific credentials.
    def one_item_per_page(params: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {**params, "MaxItems": 1}

    iam.meta.events.register("provide-client-params.iam.ListAttachedUserPolicies", one_item_per_page)

    revoke_developer_user(iam, USER, OWNER)

    assert deletions(calls).count("DetachUserPolicy") == len(customer_policies)
    assert deletions(calls).count("DeleteServiceSpecificCredential") == 2


def test_revoke_of_a_bare_user_tolerates_the_missing_login_profile(iam: Any, calls: list[Call]) -> None:
    iam.create_user(UserName=USER, Path=PATH, Tags=bot_tags())

    assert revoke_developer_user(iam, USER, OWNER) is True

    assert deletions(calls) == ["DeleteLoginProfile", "DeleteUser"]
    assert iam.list_users()["Users"] == []


def test_hardware_mfa_is_deactivated_but_not_deleted(iam: Any, calls: list[Call]) -> None:
    iam.create_user(UserName=USER, Path=PATH, Tags=bot_tags())
    iam.enable_mfa_device(
        UserName=USER, SerialNumber=HARDWARE_MFA_SERIAL, AuthenticationCode1="123456", AuthenticationCode2="654321"
    )

    revoke_developer_user(iam, USER, OWNER)

    assert [(op, p.get("SerialNumber")) for op, p in calls if "MFA" in op and op.startswith("De")] == [
        ("DeactivateMFADevice", HARDWARE_MFA_SERIAL)
    ]


def test_revoke_of_a_missing_user_returns_false(iam: Any, calls: list[Call]) -> None:
    assert revoke_developer_user(iam, USER, OWNER) is False
    assert deletions(calls) == []


@pytest.mark.parametrize(
    ("path", "tags"),
    [("/", bot_tags()), ("/other-team/", []), (PATH, []), (PATH, [{"Key": "owner", "Value": "U012AB3CD"}])],
)
def test_revoke_refuses_foreign_users_and_leaves_them_intact(
    iam: Any,
    calls: list[Call],
    groups: tuple[str, ...],
    customer_policies: list[str],
    certificate_pem: str,
    service_credentials: FakeServiceSpecificCredentials,
    path: str,
    tags: list[dict[str, str]],
) -> None:
    iam.create_user(UserName=USER, Path=path, **({"Tags": tags} if tags else {}))
    give_user_everything(iam, USER, customer_policies, certificate_pem, service_credentials)
    before = snapshot(iam, USER)
    calls.clear()

    with pytest.raises(NotManagedByBot):
        revoke_developer_user(iam, USER, OWNER)

    assert deletions(calls) == []
    assert [op for op, _ in calls if op.startswith("List")] in ([], ["ListUserTags"])
    assert snapshot(iam, USER) == before
    assert service_credentials.by_user[USER] == ["ACCA0000000000000001", "ACCA0000000000000002"]


def snapshot(iam: Any, user_name: str) -> dict[str, Any]:
    return {
        "user": iam.get_user(UserName=user_name)["User"],
        "keys": iam.list_access_keys(UserName=user_name)["AccessKeyMetadata"],
        "login": iam.get_login_profile(UserName=user_name)["LoginProfile"]["UserName"],
        "certs": iam.list_signing_certificates(UserName=user_name)["Certificates"],
        "ssh": iam.list_ssh_public_keys(UserName=user_name)["SSHPublicKeys"],
        "mfa": iam.list_mfa_devices(UserName=user_name)["MFADevices"],
        "inline": iam.list_user_policies(UserName=user_name)["PolicyNames"],
        "attached": iam.list_attached_user_policies(UserName=user_name)["AttachedPolicies"],
        "groups": iam.list_groups_for_user(UserName=user_name)["Groups"],
    }


def test_failed_step_raises_not_rolled_back_and_a_retry_finishes_the_job(
    iam: Any, calls: list[Call], fail: Callable[..., Any], full_user: str
) -> None:
    fail("DeleteSigningCertificate", "Throttling", status=400, times=1)

    with pytest.raises(IamError) as raised:
        revoke_developer_user(iam, USER, OWNER)

    assert (raised.value.step, raised.value.code, raised.value.rolled_back) == (
        "DeleteSigningCertificate",
        "Throttling",
        False,
    )
    assert deletions(calls) == ["DeleteAccessKey", "DeleteAccessKey", "DeleteLoginProfile", "DeleteSigningCertificate"]
    assert iam.get_user(UserName=USER)["User"]["UserName"] == USER

    assert revoke_developer_user(iam, USER, OWNER) is True
    assert iam.list_users()["Users"] == []


@pytest.mark.parametrize("operation", DELETIONS)
def test_every_deletion_treats_no_such_entity_as_done(
    iam: Any, fail: Callable[..., Any], full_user: str, operation: str
) -> None:
    # Something else deleted it first (a concurrent revoke, an admin): IAM answers NoSuchEntity.
    fail(operation, "NoSuchEntity", status=404, applied=True)

    assert revoke_developer_user(iam, USER, OWNER) is True
    assert iam.list_users()["Users"] == []


def test_user_vanishing_mid_revoke_counts_as_revoked(
    iam: Any,
    calls: list[Call],
    full_user: str,
    service_credentials: FakeServiceSpecificCredentials,
) -> None:
    # A second revoke (say an expiry racing a manual removal) deletes the whole user under our feet.
    other = build_iam_client("us-east-1")
    service_credentials.install(other)

    def concurrent_revoke(**kwargs: Any) -> None:
        iam.meta.events.unregister("after-call.iam.DeleteLoginProfile", concurrent_revoke)
        assert revoke_developer_user(other, USER, OWNER) is True

    iam.meta.events.register("after-call.iam.DeleteLoginProfile", concurrent_revoke)

    assert revoke_developer_user(iam, USER, OWNER) is True
    assert iam.list_users()["Users"] == []
    # Every later list came back NoSuchEntity and was taken as empty.
    assert deletions(calls)[-1] == "DeleteUser"


def test_lookup_failure_is_reported_by_step_and_code(iam: Any, calls: list[Call], fail: Callable[..., Any]) -> None:
    iam.create_user(UserName=USER, Path=PATH, Tags=bot_tags())
    fail("GetUser", "AccessDenied")

    with pytest.raises(IamError) as raised:
        revoke_developer_user(iam, USER, OWNER)

    assert (raised.value.step, raised.value.code, raised.value.rolled_back) == ("GetUser", "AccessDenied", False)
    assert deletions(calls) == []
