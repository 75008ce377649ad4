"""Each test's moto starts empty even though AWS managed policies and botocore's data are built once per session."""

from __future__ import annotations

from typing import Any

import pytest

CHANGE_PASSWORD = "arn:aws:iam::aws:policy/IAMUserChangePassword"
DOCUMENT = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"amplify:Get*","Resource":"*"}]}'


@pytest.mark.parametrize("run", ["first", "second"])
def test_every_test_starts_from_an_empty_account_with_pristine_aws_policies(iam_client: Any, run: str) -> None:
    # Whichever run comes second sees what the first left behind, if anything leaks.
    assert iam_client.list_users()["Users"] == []
    assert iam_client.list_groups()["Groups"] == []
    assert iam_client.list_policies(Scope="Local")["Policies"] == []
    assert iam_client.get_policy(PolicyArn=CHANGE_PASSWORD)["Policy"]["AttachmentCount"] == 0
    assert len(iam_client.list_policies(Scope="AWS", MaxItems=1000)["Policies"]) == 1000

    iam_client.create_user(UserName=f"leftover-{run}", Path="/amplify-dev/")
    iam_client.create_group(GroupName=f"leftover-{run}")
    iam_client.attach_user_policy(UserName=f"leftover-{run}", PolicyArn=CHANGE_PASSWORD)
    iam_client.create_policy(PolicyName=f"leftover-{run}", PolicyDocument=DOCUMENT)
    assert iam_client.get_policy(PolicyArn=CHANGE_PASSWORD)["Policy"]["AttachmentCount"] == 1
