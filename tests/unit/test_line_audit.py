"""The line audit frees a line only when its channel is gone twice in a row, past a grace time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from acd.line_audit import EndSession, FreeLine, HeldLine, LineAudit

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def held(call_id: str, *, age_s: float = 120, session: bool = True, channel: str | None = None) -> HeldLine:
    return HeldLine(call_id, channel or call_id, T0 - timedelta(seconds=age_s), session)


def test_a_gone_channel_is_acted_on_at_the_second_check():
    audit = LineAudit(grace_s=60)
    lines = [held("1.1"), held("1.2", session=False), held("1.3")]
    assert audit.check(lines, {"1.3"}, T0) == []
    verdicts = audit.check(lines, {"1.3"}, T0 + timedelta(seconds=30))
    assert [type(v) for v in verdicts] == [EndSession, FreeLine]
    assert [v.call_id for v in verdicts] == ["1.1", "1.2"]
    assert "gone in Asterisk" in verdicts[0].reason


def test_a_channel_that_reappears_is_forgiven():
    audit = LineAudit(grace_s=60)
    lines = [held("1.1")]
    audit.check(lines, set(), T0)
    assert audit.check(lines, {"1.1"}, T0 + timedelta(seconds=30)) == []
    assert audit.check(lines, set(), T0 + timedelta(seconds=60)) == []  # missing once again: not yet


def test_young_lines_are_never_judged():
    audit = LineAudit(grace_s=60)
    lines = [held("1.1", age_s=10)]
    assert audit.check(lines, set(), T0) == []
    assert audit.check(lines, set(), T0 + timedelta(seconds=20)) == []  # 30 s old: still in grace


def test_the_channel_id_is_asterisks_not_the_calls():
    audit = LineAudit(grace_s=0)
    lines = [held("900.1~2", channel="900.1")]  # a call recorded under another id
    audit.check(lines, {"900.1"}, T0)
    assert audit.check(lines, {"900.1"}, T0) == []


def test_grace_must_not_be_negative():
    with pytest.raises(ValueError, match="grace_s"):
        LineAudit(grace_s=-1)


def test_the_listing_is_due_only_once_a_line_is_past_its_grace():
    audit = LineAudit(grace_s=60)
    assert not audit.due([], T0)
    assert not audit.due([held("1.1", age_s=10), held("1.2", age_s=60)], T0)
    assert audit.due([held("1.1", age_s=10), held("1.2", age_s=61)], T0)


def test_a_check_without_a_line_past_its_grace_forgets_what_was_missing():
    """What `check` does with no line past its grace: nothing to judge, whatever the listing
    says (so the adapter need not ask for one), and nothing missing is remembered."""
    audit = LineAudit(grace_s=60)
    assert audit.check([held("1.1")], set(), T0) == []  # missing once
    assert audit.check([held("1.2", age_s=10)], set(), T0) == []
    assert audit.check([held("1.1")], set(), T0) == []  # missing once again: not twice in a row
