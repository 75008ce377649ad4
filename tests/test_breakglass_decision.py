"""Break-glass: on, listed (by ID or group), a real reason, within the hours: else refused with a reason code."""

from __future__ import annotations

import pytest

from authz import Reason
from authz.breakglass import BreakGlassAsk, breakglass_hours, may_break_glass

REASON = "prod checkout is down, paging"


def ask(**overrides: object) -> BreakGlassAsk:
    values: dict[str, object] = {"user_id": "U0ONCALL", "reason": REASON, "listed_by_id": True, **overrides}
    return BreakGlassAsk(**values)  # type: ignore[arg-type]


def test_a_listed_person_with_a_reason_may_break_the_glass_for_up_to_the_maximum() -> None:
    assert may_break_glass(ask(), max_hours=4).allowed
    assert may_break_glass(ask(listed_by_id=False, in_listed_group=True, hours=4), max_hours=4).allowed
    assert breakglass_hours(ask(), 4) == 4 and breakglass_hours(ask(hours=2), 4) == 2


@pytest.mark.parametrize(
    ("overrides", "max_hours", "code"),
    [
        ({}, None, Reason.BREAKGLASS_OFF),
        ({"listed_by_id": False}, 4, Reason.BREAKGLASS_NOT_LISTED),
        ({"reason": "prod down"}, 4, Reason.BREAKGLASS_REASON_SHORT),  # 9 characters
        ({"reason": "   urgent!     "}, 4, Reason.BREAKGLASS_REASON_SHORT),  # padding does not count
        ({"hours": 5}, 4, Reason.BREAKGLASS_TOO_LONG),
        ({"hours": 0}, 4, Reason.BREAKGLASS_TOO_LONG),
    ],
    ids=["off", "not-listed", "short-reason", "padded-reason", "too-long", "zero-hours"],
)
def test_each_refusal_has_its_code_and_a_sentence(
    overrides: dict[str, object], max_hours: int | None, code: Reason
) -> None:
    decision = may_break_glass(ask(**overrides), max_hours=max_hours)
    assert not decision.allowed and decision.code is code and decision.reason.endswith(".")


def test_a_reason_of_exactly_ten_characters_is_enough() -> None:
    assert may_break_glass(ask(reason="0123456789"), max_hours=1).allowed


def test_being_off_is_said_before_anything_about_the_person() -> None:
    decision = may_break_glass(ask(listed_by_id=False, reason=""), max_hours=None)
    assert decision.code is Reason.BREAKGLASS_OFF
