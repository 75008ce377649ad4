"""Amplify's sandbox stack naming, checked against the vectors of Amplify's own tests
(aws-amplify/amplify-backend, packages/platform-core/src/backend_identifier_conversions.test.ts)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amplify_sandboxes import (
    is_valid_identifier,
    parse_sandbox_stack_name,
    sandbox_identifier,
    sandbox_stack_name,
)
from iam.names import derive_user_name

LONG_NAME = "InsanelyLongUserNameProvidedByCustomerDoNotKnowWhatCustomersAreThinkingWhenChoosingThisGreatBigName"
LONG_NAMESPACE = (
    "InsanelyLongNamespaceProvidedByCustomerDoNotKnowWhatCustomersAreThinkingWhenChoosingThisGreatBigName"
    "ButItIsStillTheoreticallyPossible"
)


@pytest.mark.parametrize(
    ("namespace", "identifier", "expected"),
    [
        (
            "reasonableName",
            LONG_NAME,
            "amplify-reasonableName-InsanelyLongUserNameProvidedByCustomerDoNotKnowWha-sandbox-25ed708259",
        ),
        (
            LONG_NAMESPACE,
            "userName",
            "amplify-InsanelyLongNamespaceProvidedByCustomerDoNotKnowWhatCustomersAreThinkingWhenChoosingThisGre"
            "-userName-sandbox-119c592989",
        ),
    ],
    ids=["long-identifier", "long-namespace"],
)
def test_stack_name_is_amplifys_for_its_own_test_vectors(namespace: str, identifier: str, expected: str) -> None:
    assert sandbox_stack_name(namespace, identifier) == expected
    assert len(expected) <= 128


def test_stack_name_drops_dashes_and_punctuation_but_hashes_the_raw_parts() -> None:
    name = sandbox_stack_name("my-shop.app", "jane-doe")
    assert name.startswith("amplify-myshopapp-janedoe-sandbox-")
    assert name != sandbox_stack_name("myshopapp", "janedoe")  # the hash sees the unsanitised parts


def test_parse_reads_a_root_sandbox_stack_and_nothing_else() -> None:
    parsed = parse_sandbox_stack_name("amplify-reasonableName-userName-sandbox-testHash")
    assert (parsed.namespace, parsed.name, parsed.hash) == ("reasonableName", "userName", "testHash")  # type: ignore[union-attr]
    assert parse_sandbox_stack_name("amplify-d1a2b3c4-main-branch-0123456789") is None
    assert parse_sandbox_stack_name("amplify-shop-jane-sandbox-0123456789-auth179371D7-ABC") is None
    assert parse_sandbox_stack_name("amplify-missing-sandbox-testHash") is None
    assert parse_sandbox_stack_name("other-shop-jane-sandbox-0123456789") is None


@pytest.mark.parametrize(
    ("user_name", "identifier"),
    [
        ("alice", "alice"),
        ("jane-doe", "jane-doe"),
        ("jane.doe-u012ab3cd", "janed-u012ab3cd"),
        ("dana.developer-u0dev", "danadevel-u0dev"),
        ("slack-u0123456789", "sla-u0123456789"),
        ("averyveryverylongname", "averyveryverylo"),  # no dash: the first 15 characters
        ("a.b", "ab"),
        ("...", None),
    ],
)
def test_identifier_is_the_name_made_valid_for_ampx(user_name: str, identifier: str | None) -> None:
    assert sandbox_identifier(user_name) == identifier


@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz .-'", min_size=1, max_size=40),
    st.from_regex(r"U[A-Z0-9]{8,10}", fullmatch=True),
)
def test_every_derived_user_name_gives_an_identifier_ampx_accepts(profile: str, slack_id: str) -> None:
    identifier = sandbox_identifier(derive_user_name(slack_id, [profile]))
    assert identifier is not None and is_valid_identifier(identifier)
    assert identifier.endswith("-" + slack_id.lower())  # the Slack ID keeps two namesakes apart
