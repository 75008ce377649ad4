"""User names, paths and ARNs: the rules moto does not enforce."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from iam import account_id_from_arn, derive_user_name, is_valid_path, is_valid_user_name

slack_ids = st.from_regex(r"[UW][A-Z0-9]{8,12}", fullmatch=True)
# Real profile names: anything, including emoji, right-to-left scripts, zero-width and combining characters.
profile_names = st.lists(st.text(max_size=100), max_size=4)


@pytest.mark.parametrize(
    ("profiles", "expected"),
    [
        (["Jane Doe"], "jane.doe-u012ab3cd"),
        (["Zoë Ångström"], "zoe.angstrom-u012ab3cd"),
        (["José  María\tGarcía"], "jose.maria.garcia-u012ab3cd"),
        (["Straße"], "strasse-u012ab3cd"),
        (["ＪＡＮＥ"], "jane-u012ab3cd"),
        (["--Jane..--Doe!!"], "jane.doe-u012ab3cd"),
        (["O'Brien, Pat"], "obrien,pat-u012ab3cd"),
        (["jane@example.com"], "jane@example.com-u012ab3cd"),
        # The first profile name that yields anything wins: emoji, Arabic and zero-width yield nothing.
        (["😀", "محمد", "\u200b\u200d", "", "Display Name"], "display.name-u012ab3cd"),
        (["😀🎉", "   ", "\u202e\u200f"], "slack-u012ab3cd"),
        ([], "slack-u012ab3cd"),
    ],
)
def test_derive_user_name_slugifies_first_usable_profile_name(profiles: list[str], expected: str) -> None:
    assert derive_user_name("U012AB3CD", profiles) == expected


def test_derive_user_name_truncates_the_name_never_the_slack_id() -> None:
    name = derive_user_name("U012AB3CD", ["a" * 50 + " " + "b" * 50])

    assert len(name) == 64
    assert name == "a" * 50 + "." + "b" * 3 + "-u012ab3cd"


def test_derive_user_name_strips_punctuation_left_at_the_cut() -> None:
    # The cut falls right after the "." between the words: it must not end up next to the "-".
    name = derive_user_name("U012AB3CD", ["a" * 53 + " bcd"])

    assert name == "a" * 53 + "-u012ab3cd"


@pytest.mark.parametrize("bad_id", ["", "U12-3", "U 1", "Ü123", "U" * 59])
def test_derive_user_name_rejects_non_slack_ids(bad_id: str) -> None:
    with pytest.raises(ValueError):
        derive_user_name(bad_id, ["Jane"])


@given(slack_id=slack_ids, profiles=profile_names)
@example(slack_id="U012AB3CD", profiles=["\u0130stanbul"])  # casefolds to "i" + combining dot
@example(slack_id="U012AB3CD", profiles=["\u210cello"])  # black-letter H, only NFKD makes it an "h"
@example(slack_id="U012AB3CD", profiles=["ﷺ"])  # one code point that NFKD expands to 18 characters
def test_derived_user_name_is_always_valid_lowercase_and_keeps_the_slack_id(slack_id: str, profiles: list[str]) -> None:
    name = derive_user_name(slack_id, profiles)

    assert is_valid_user_name(name)
    assert name == name.lower()
    assert name.endswith("-" + slack_id.lower())
    assert name == derive_user_name(slack_id, list(profiles))


@given(
    ids=st.lists(slack_ids, min_size=2, max_size=2, unique_by=str.lower),
    profiles=st.lists(profile_names, min_size=2, max_size=2),
)
@example(ids=["U1AAAAAAAA", "U2AAAAAAAA"], profiles=[["Jane Doe"], ["Jane Doe"]])
@example(ids=["U1AAAAAAAA", "U2AAAAAAAA"], profiles=[["a-u2aaaaaaaa"], ["a"]])
def test_distinct_slack_users_never_collide_even_case_insensitively(ids: list[str], profiles: list[list[str]]) -> None:
    first = derive_user_name(ids[0], profiles[0])
    second = derive_user_name(ids[1], profiles[1])

    # IAM compares user names case-insensitively.
    assert first.casefold() != second.casefold()


@pytest.mark.parametrize("name", ["a", "Jane.Doe", "a+b=c,d.e@f_g-h", "x" * 64])
def test_valid_user_names(name: str) -> None:
    assert is_valid_user_name(name)


@pytest.mark.parametrize("name", ["", "x" * 65, "jane doe", "zoë", "a/b", "a:b", "a\n", "a*", "\u200b"])
def test_invalid_user_names(name: str) -> None:
    assert not is_valid_user_name(name)


@pytest.mark.parametrize("path", ["/", "/amplify-dev/", "/a/b/c/", "/!~/", "/" + "x" * 510 + "/"])
def test_valid_paths(path: str) -> None:
    assert is_valid_path(path)


@pytest.mark.parametrize(
    "path",
    ["", "//", "amplify-dev/", "/amplify-dev", "/amp lify/", "/é/", "/a\n/", "/" + "x" * 511 + "/"],
)
def test_invalid_paths(path: str) -> None:
    assert not is_valid_path(path)


def test_account_id_from_arn() -> None:
    assert account_id_from_arn("arn:aws:iam::123456789012:user/amplify-dev/jane") == "123456789012"
    assert account_id_from_arn("arn:aws-cn:iam::210987654321:user/x") == "210987654321"


@pytest.mark.parametrize(
    "arn", ["", "jane", "arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::12345:user/x"]
)
def test_account_id_from_arn_rejects_arns_without_an_account(arn: str) -> None:
    with pytest.raises(ValueError):
        account_id_from_arn(arn)
