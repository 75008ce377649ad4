"""`check` and a project role's trust policy: assuming it must need the project's external id, and work with it.

moto does not evaluate trust policies, so STS's answers are stubbed (botocore Stubber) and the calls asserted."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from ops.check.results import Status
from ops.check.trust import check_role_trust
from settings import Settings, load_settings
from tests.test_settings import GOOD

ROLE = "arn:aws:iam::111111111111:role/amplify-dev"
EXTERNAL_ID = "b7Yc1-QzN4_external-id-of-web"
ASSUMED = {
    "Credentials": {
        "AccessKeyId": "ASIAEXAMPLEEXAMPLE",
        "SecretAccessKey": "not-a-real-secret-key-for-the-stub-0000",
        "SessionToken": "token",
        "Expiration": datetime(2030, 1, 1, tzinfo=UTC),
    },
    "AssumedRoleUser": {"AssumedRoleId": "AROAEXAMPLE:amplify-dev-check", "Arn": f"{ROLE}/amplify-dev-check"},
}


def project(external_id: str | None = EXTERNAL_ID) -> Settings:
    return replace(load_settings(GOOD), project="web", account_role_arn=ROLE, external_id=external_id)


def run(answers: list[str | None], external_id: str | None = EXTERNAL_ID) -> tuple[list[Any], list[dict[str, Any]]]:
    """check_role_trust with STS answering each AssumeRole in turn: None succeeds, a code refuses."""
    sts = boto3.client("sts", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="y")
    sent: list[dict[str, Any]] = []
    sts.meta.events.register("provide-client-params.sts.AssumeRole", lambda params, **_: sent.append(dict(params)))
    with Stubber(sts) as stub:
        for code in answers:
            if code is None:
                stub.add_response("assume_role", ASSUMED)
            else:
                stub.add_client_error("assume_role", service_error_code=code, http_status_code=403)
        results = check_role_trust("web", project(external_id), sts)
        stub.assert_no_pending_responses()
    return results, sent


def test_a_role_that_needs_the_external_id_and_accepts_it_passes() -> None:
    results, sent = run(["AccessDenied", None])
    assert [r.status for r in results] == [Status.PASS, Status.PASS]
    assert ["ExternalId" in p for p in sent] == [False, True] and sent[1]["ExternalId"] == EXTERNAL_ID


def test_a_role_assumable_without_the_external_id_fails() -> None:
    results, _ = run([None, None])
    assert results[0].status is Status.FAIL and "WITHOUT an external id" in results[0].detail
    assert "python bot.py policy --project web --principal-arn" in results[0].detail


def test_a_role_that_refuses_the_external_id_fails() -> None:
    results, _ = run(["AccessDenied", "AccessDenied"])
    assert [r.status for r in results] == [Status.PASS, Status.FAIL]
    assert "WITH the project's external id (AccessDenied)" in results[1].detail
    assert EXTERNAL_ID not in " ".join(r.detail for r in results)


@pytest.mark.parametrize("without", [None, "AccessDenied"])
def test_a_project_without_an_external_id_fails_naming_the_policy_command(without: str | None) -> None:
    results, sent = run([without], external_id=None)
    assert results[-1].status is Status.FAIL and "no external_id" in results[-1].detail
    assert len(sent) == 1
