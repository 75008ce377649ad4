"""Break-glass words beyond messages/oncall.py: the audit channel's copy (no button), the answer to the person who
broke the glass, the help's line, and the usage with and without break-glass."""

from __future__ import annotations

from messages import breakglass_post, usage_reply
from messages.breakglass import breakglass_audit_post, breakglass_taken, breakglass_usage_line
from tests.messages.test_oncall import USE, dicts, plain


def test_the_audit_copy_is_the_post_without_acknowledge_and_points_to_the_approval_channel() -> None:
    post, copy = breakglass_post(USE), breakglass_audit_post(USE)
    assert copy.text == post.text
    assert dicts(copy.blocks[:-1]) == dicts(post.blocks[:-2])  # the same summary, reason and grant
    assert not [b for b in dicts(copy.blocks) if b["type"] == "actions"]
    assert dicts(copy.blocks[-1:])[0]["elements"][0]["text"] == "A lead acknowledges it on the post in <#C0LEADS>."
    assert plain(USE.reason) in [b.get("text") for b in dicts(copy.blocks)]  # the reason stays plain text


def test_the_answer_says_until_when_and_whether_the_leads_were_told() -> None:
    told = breakglass_taken(USE, announced=True).text
    assert "*without approval* for 4 hours" in told and "<#C0LEADS> and by DM" in told and "r-123" in told
    assert "tell the leads yourself" in breakglass_taken(USE, announced=False).text


def test_the_usage_lists_breakglass_only_when_it_is_on() -> None:
    assert "breakglass" not in usage_reply().text
    on = usage_reply(breakglass_hours=1).text
    assert breakglass_usage_line(1) in on and "at most 1 hour;" in on and "(and `breakglass`)" in on
