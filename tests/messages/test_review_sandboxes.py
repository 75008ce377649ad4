"""The access review's sandbox flag in Block Kit: one block per developer without access, inside Slack's 50 blocks."""

from __future__ import annotations

from messages.review import Review, review_message
from tests.messages.fakes import WHEN as NOW
from tests.messages.fakes import Stack, review_row


def test_many_grants_and_many_sandboxes_stay_within_fifty_blocks_and_say_what_is_left_out() -> None:
    sandboxes = tuple((f"UGONE{n}", (Stack(f"amplify-shop-gone{n}-sandbox-0123456789"),)) for n in range(8))
    review = Review(
        project="default", generated_at=NOW, rows=tuple(review_row(n) for n in range(60)), sandboxes=sandboxes
    )

    message = review_message(review)

    blocks = [b.to_dict() for b in message.blocks]
    assert len(blocks) <= 50
    text = str(blocks)
    assert text.count("*sandbox of someone without access*") == 5
    assert "and 3 more people without access have sandboxes" in text
    assert "more grants not shown here" in text
    assert "8 people without access with Amplify sandboxes" in message.text


def test_a_failed_listing_is_said_in_the_review() -> None:
    review = Review(
        project="default", generated_at=NOW, rows=(), sandbox_failure="cloudformation:ListStacks: AccessDenied"
    )

    text = str([b.to_dict() for b in review_message(review).blocks])

    assert "Could not look for Amplify sandboxes of people without access" in text and "AccessDenied" in text
