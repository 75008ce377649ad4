"""create_developer_user and get_managed_user against moto, with faults injected through botocore hooks."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from iam_support import AMPLIFY_ADMIN, CHANGE_PASSWORD, OWNER, PATH, Call, bot_tags, ok_response, user_tags

from iam import (
    TAG_APPROVED_BY,
    TAG_INSTANCE,
    TAG_REQUEST,
    TAG_SLACK_USER,
    IamError,
    ManagedUser,
    NotManagedByBot,
    UserNameTaken,
    create_developer_user,
    get_managed_user,
)

USER = "jane.doe-u012ab3cd"
GROUP = "amplify-developers"
BOUNDARY = "arn:aws:iam::123456789012:policy/amplify-dev-boundary"
MUTATING_PREFIXES = ("Create", "Add", "Attach", "Put", "Tag", "Untag", "Delete", "Detach", "Remove", "Update")


def user_exists(iam: Any, user_name: str = USER) -> bool:
    return any(u["UserName"] == user_name for u in iam.list_users()["Users"])


def attached_arns(iam: Any, user_name: str = USER) -> list[str]:
    return [p["PolicyArn"] for p in iam.list_attached_user_policies(UserName=user_name)["AttachedPolicies"]]


def group_members(iam: Any, group: str = GROUP) -> list[str]:
    return [u["UserName"] for u in iam.get_group(GroupName=group)["Users"]]


def mutations(calls: list[Call]) -> list[Call]:
    return [(op, params) for op, params in calls if op.startswith(MUTATING_PREFIXES)]


@pytest.fixture
def group(iam: Any) -> str:
    iam.create_group(GroupName=GROUP)
    return GROUP


def test_creates_tagged_user_under_path_with_group_policies_and_boundary(
    iam: Any, calls: list[Call], make_spec: Callable[..., Any], customer_policies: list[str], group: str
) -> None:
    spec = make_spec(policy_arns=tuple(customer_policies), group=group, permissions_boundary=BOUNDARY)

    user = create_developer_user(iam, spec)

    expected_tags = {
        TAG_SLACK_USER: "U012AB3CD",
        TAG_REQUEST: "req-1",
        TAG_APPROVED_BY: "U0LEAD001",
        TAG_INSTANCE: "C0APPROVE",
    }
    assert user.user_id and user.user_id == iam.get_user(UserName=USER)["User"]["UserId"]
    assert user == ManagedUser(
        user_name=USER,
        arn=f"arn:aws:iam::123456789012:user{PATH}{USER}",
        path=PATH,
        tags=expected_tags,
        user_id=user.user_id,
    )
    assert iam.get_user(UserName=USER)["User"]["Path"] == PATH
    assert user_tags(iam, USER) == expected_tags
    assert group_members(iam) == [USER]
    assert attached_arns(iam) == customer_policies  # and no IAMUserChangePassword without console access
    # moto does not store a permissions boundary, so check what was sent.
    create_params = next(params for op, params in calls if op == "CreateUser")
    assert create_params["PermissionsBoundary"] == BOUNDARY


def test_no_permissions_boundary_is_sent_when_none_is_configured(
    iam: Any, calls: list[Call], make_spec: Callable[..., Any]
) -> None:
    create_developer_user(iam, make_spec())

    create_params = next(params for op, params in calls if op == "CreateUser")
    assert "PermissionsBoundary" not in create_params


@pytest.mark.aws_managed_policies
def test_console_user_also_gets_iam_user_change_password(iam: Any, make_spec: Callable[..., Any]) -> None:
    create_developer_user(iam, make_spec(policy_arns=(AMPLIFY_ADMIN,), console=True))

    assert attached_arns(iam) == [AMPLIFY_ADMIN, CHANGE_PASSWORD]


@pytest.mark.aws_managed_policies
def test_change_password_policy_is_attached_once_even_if_configured(
    iam: Any, calls: list[Call], make_spec: Callable[..., Any]
) -> None:
    create_developer_user(iam, make_spec(policy_arns=(CHANGE_PASSWORD, AMPLIFY_ADMIN), console=True))

    assert [params["PolicyArn"] for op, params in calls if op == "AttachUserPolicy"] == [
        CHANGE_PASSWORD,
        AMPLIFY_ADMIN,
    ]


def test_change_password_policy_uses_the_partition_of_the_created_user(
    iam: Any, calls: list[Call], make_spec: Callable[..., Any]
) -> None:
    def china_arn(parsed: dict[str, Any], **kwargs: Any) -> None:
        parsed["User"]["Arn"] = parsed["User"]["Arn"].replace("arn:aws:", "arn:aws-cn:")

    iam.meta.events.register("after-call.iam.CreateUser", china_arn)
    # moto knows no aws-cn policies: accept the attach without passing it on.
    iam.meta.events.register("before-call.iam.AttachUserPolicy", lambda **kwargs: (ok_response(), {}))

    create_developer_user(iam, make_spec(console=True))

    assert [params["PolicyArn"] for op, params in calls if op == "AttachUserPolicy"] == [
        "arn:aws-cn:iam::aws:policy/IAMUserChangePassword"
    ]


def test_logs_one_info_line_with_the_user_name(
    iam: Any, make_spec: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="iam"):
        create_developer_user(iam, make_spec())

    assert [r.getMessage() for r in caplog.records if r.name.startswith("iam")] == [f"Created IAM user {USER}"]


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [({"user_name": "jane doe"}, "user name"), ({"user_name": "x" * 65}, "user name"), ({"path": "amplify"}, "path")],
)
def test_invalid_name_or_path_is_refused_before_calling_iam(
    iam: Any, calls: list[Call], make_spec: Callable[..., Any], overrides: dict[str, str], reason: str
) -> None:
    # moto would happily create these; real IAM would not.
    with pytest.raises(ValueError, match=reason):
        create_developer_user(iam, make_spec(**overrides))

    assert calls == []


# --- rollback ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "after", "expected_undo"),
    [
        ("CreateUser", 0, []),
        ("AddUserToGroup", 0, ["DeleteUser"]),
        ("AttachUserPolicy", 0, ["RemoveUserFromGroup", "DeleteUser"]),
        ("AttachUserPolicy", 2, ["DetachUserPolicy", "DetachUserPolicy", "RemoveUserFromGroup", "DeleteUser"]),
    ],
)
def test_failure_rolls_back_everything_this_call_created_in_reverse(
    iam: Any,
    calls: list[Call],
    fail: Callable[..., Any],
    make_spec: Callable[..., Any],
    customer_policies: list[str],
    group: str,
    operation: str,
    after: int,
    expected_undo: list[str],
) -> None:
    fail(operation, "AccessDenied", after=after)
    spec = make_spec(policy_arns=tuple(customer_policies), group=group)

    with pytest.raises(IamError) as raised:
        create_developer_user(iam, spec)
    failed_at = max(i for i, (op, _) in enumerate(calls) if op == operation)
    undo = calls[failed_at + 1 :]

    assert (raised.value.step, raised.value.code, raised.value.rolled_back) == (operation, "AccessDenied", True)
    assert str(raised.value) == f"{operation} failed: AccessDenied"
    assert [op for op, _ in undo] == expected_undo
    # Policies are detached newest first.
    detached = customer_policies[: expected_undo.count("DetachUserPolicy")][::-1]
    assert [p["PolicyArn"] for op, p in undo if op == "DetachUserPolicy"] == detached
    assert not user_exists(iam)
    assert group_members(iam) == []
    assert all(iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 0 for arn in customer_policies)


def test_failed_delete_during_rollback_reports_not_rolled_back(
    iam: Any,
    fail: Callable[..., Any],
    make_spec: Callable[..., Any],
    customer_policies: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    fail("AttachUserPolicy", "AccessDenied", after=1)
    fail("DeleteUser", "ServiceFailure", status=500)

    with caplog.at_level(logging.WARNING, logger="iam"), pytest.raises(IamError) as raised:
        create_developer_user(iam, make_spec(policy_arns=tuple(customer_policies)))

    assert (raised.value.step, raised.value.code, raised.value.rolled_back) == (
        "AttachUserPolicy",
        "AccessDenied",
        False,
    )
    assert user_exists(iam)  # left for an operator (or a later revoke) to remove
    assert attached_arns(iam) == []
    assert any(USER in r.getMessage() and "DeleteUser" in r.getMessage() for r in caplog.records)


def test_failed_detach_during_rollback_skips_delete_user_and_reports_not_rolled_back(
    iam: Any,
    calls: list[Call],
    fail: Callable[..., Any],
    make_spec: Callable[..., Any],
    customer_policies: list[str],
    group: str,
) -> None:
    fail("AttachUserPolicy", "AccessDenied", after=1)
    fail("DetachUserPolicy", "AccessDenied")

    with pytest.raises(IamError) as raised:
        create_developer_user(iam, make_spec(policy_arns=tuple(customer_policies), group=group))

    assert raised.value.rolled_back is False
    # Real IAM would refuse DeleteUser while a policy is attached; the group is still removed.
    assert "DeleteUser" not in [op for op, _ in calls]
    assert group_members(iam) == []
    assert attached_arns(iam) == customer_policies[:1]


def test_attach_with_unknown_outcome_is_undone_too(
    iam: Any, calls: list[Call], fail: Callable[..., Any], make_spec: Callable[..., Any], customer_policies: list[str]
) -> None:
    # A 5xx may come back after IAM attached the policy, so the rollback detaches it as well.
    fail("AttachUserPolicy", "ServiceFailure", status=500, after=1)

    with pytest.raises(IamError) as raised:
        create_developer_user(iam, make_spec(policy_arns=tuple(customer_policies)))

    assert raised.value.rolled_back is True
    assert [p["PolicyArn"] for op, p in calls if op == "DetachUserPolicy"] == customer_policies[1::-1]
    assert not user_exists(iam)


def test_create_user_with_unknown_outcome_is_not_reported_as_rolled_back(
    iam: Any, calls: list[Call], fail: Callable[..., Any], make_spec: Callable[..., Any]
) -> None:
    fail("CreateUser", "ServiceFailure", status=500)

    with pytest.raises(IamError) as raised:
        create_developer_user(iam, make_spec())

    assert (raised.value.step, raised.value.code, raised.value.rolled_back) == ("CreateUser", "ServiceFailure", False)
    assert [op for op, _ in calls] == ["CreateUser"]


# --- a name that is already taken ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "tags"),
    [
        ("/", bot_tags()),  # our tags, but outside the bot's path
        ("/other-team/", []),  # someone else's user
        (PATH, []),  # under our path without our tags
        (PATH, bot_tags(request_id="req-0")),  # ours, for another request
        (PATH, bot_tags(slack_user_id="U0OTHER01")),  # same request id, another Slack user
    ],
)
def test_existing_user_not_created_for_this_request_is_never_touched(
    iam: Any,
    calls: list[Call],
    make_spec: Callable[..., Any],
    customer_policies: list[str],
    group: str,
    path: str,
    tags: list[dict[str, str]],
) -> None:
    iam.create_user(UserName=USER, Path=path, **({"Tags": tags} if tags else {}))
    iam.attach_user_policy(UserName=USER, PolicyArn=customer_policies[0])
    before = (iam.get_user(UserName=USER)["User"], user_tags(iam, USER), attached_arns(iam))
    calls.clear()

    with pytest.raises(UserNameTaken) as raised:
        create_developer_user(iam, make_spec(policy_arns=tuple(customer_policies), group=group))

    assert (raised.value.step, raised.value.code, raised.value.rolled_back) == (
        "CreateUser",
        "EntityAlreadyExists",
        True,
    )
    assert [op for op, _ in mutations(calls)] == ["CreateUser"]
    assert (iam.get_user(UserName=USER)["User"], user_tags(iam, USER), attached_arns(iam)) == before
    assert group_members(iam) == []


def test_resumes_a_crashed_provisioning_of_the_same_request(
    iam: Any, calls: list[Call], make_spec: Callable[..., Any], customer_policies: list[str], group: str
) -> None:
    # As left by a crash after CreateUser, AddUserToGroup and the first AttachUserPolicy.
    iam.create_user(UserName=USER, Path=PATH, Tags=bot_tags())
    iam.add_user_to_group(GroupName=group, UserName=USER)
    iam.attach_user_policy(UserName=USER, PolicyArn=customer_policies[0])
    calls.clear()

    user = create_developer_user(iam, make_spec(policy_arns=tuple(customer_policies), group=group))

    assert user.user_name == USER
    assert user.tags[TAG_REQUEST] == "req-1"
    assert sorted(attached_arns(iam)) == sorted(customer_policies)
    assert group_members(iam) == [USER]
    assert [(op, p.get("PolicyArn")) for op, p in mutations(calls)] == [
        ("CreateUser", None),
        ("AttachUserPolicy", customer_policies[1]),
        ("AttachUserPolicy", customer_policies[2]),
    ]


def test_failed_resume_undoes_only_its_own_work_and_keeps_the_user(
    iam: Any,
    calls: list[Call],
    fail: Callable[..., Any],
    make_spec: Callable[..., Any],
    customer_policies: list[str],
) -> None:
    iam.create_user(UserName=USER, Path=PATH, Tags=bot_tags())
    iam.attach_user_policy(UserName=USER, PolicyArn=customer_policies[0])
    fail("AttachUserPolicy", "AccessDenied", after=1)
    calls.clear()

    with pytest.raises(IamError) as raised:
        create_developer_user(iam, make_spec(policy_arns=tuple(customer_policies)))

    # Its own attachments are undone, but the earlier attempt's user remains: not rolled back as a whole,
    # so the caller knows to clean it up.
    assert (raised.value.step, raised.value.rolled_back) == ("AttachUserPolicy", False)
    assert user_exists(iam)
    assert attached_arns(iam) == customer_policies[:1]
    assert [(op, p.get("PolicyArn")) for op, p in mutations(calls) if op != "CreateUser"] == [
        ("AttachUserPolicy", customer_policies[1]),
        ("AttachUserPolicy", customer_policies[2]),
        ("DetachUserPolicy", customer_policies[1]),
    ]


# --- get_managed_user ---------------------------------------------------------------------------------------


def test_get_managed_user_returns_the_bots_user(iam: Any) -> None:
    iam.create_user(UserName=USER, Path=PATH, Tags=bot_tags())

    user = get_managed_user(iam, USER, OWNER)

    assert user is not None
    assert (user.user_name, user.path, user.tags[TAG_SLACK_USER]) == (USER, PATH, "U012AB3CD")
    assert user.arn.endswith(f":user{PATH}{USER}")


def test_get_managed_user_returns_none_for_a_missing_user(iam: Any) -> None:
    assert get_managed_user(iam, USER, OWNER) is None


@pytest.mark.parametrize(("path", "tags"), [("/", bot_tags()), (PATH, [{"Key": "team", "Value": "x"}])])
def test_get_managed_user_refuses_users_the_bot_does_not_manage(
    iam: Any, path: str, tags: list[dict[str, str]]
) -> None:
    iam.create_user(UserName=USER, Path=path, Tags=tags)

    with pytest.raises(NotManagedByBot):
        get_managed_user(iam, USER, OWNER)


def test_get_managed_user_reports_other_errors_by_code(iam: Any, fail: Callable[..., Any]) -> None:
    fail("GetUser", "AccessDenied")

    with pytest.raises(IamError) as raised:
        get_managed_user(iam, USER, OWNER)

    assert (raised.value.step, raised.value.code) == ("GetUser", "AccessDenied")
