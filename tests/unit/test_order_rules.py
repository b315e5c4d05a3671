"""Merging repeat repair reports and order numbers, with hand-computed expectations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hotline.orders.merging import MergeCandidate, merge_target
from hotline.orders.numbering import (
    OrderNumberError,
    checked_number,
    day_prefix,
    next_sequence,
    order_number,
)

WINDOW = timedelta(minutes=240)


def at(h: int, m: int = 0) -> datetime:
    return datetime(2026, 11, 26, h, m, tzinfo=UTC)


A = MergeCandidate(1, "GD202611260001", "line", at(10), at(10))
B = MergeCandidate(2, "GD202611260002", "equipment", at(11), at(11))
C = MergeCandidate(3, "GD202611260003", "line", at(8), at(12, 30))  # a report merged at 12:30


def test_a_report_merges_into_the_order_of_its_fault_type_most_recently_reported():
    assert merge_target([A, B, C], "line", at(13), WINDOW) == C  # A (3 h) and C (30 min) fit
    assert merge_target([A, B], "line", at(13), WINDOW) == A
    assert merge_target([A, B, C], "equipment", at(13), WINDOW) == B
    assert merge_target([A, B, C], "other", at(13), WINDOW) is None


def test_the_window_runs_from_the_last_report_and_includes_its_end():
    assert merge_target([C], "line", at(16, 30), WINDOW) == C  # exactly 4 h after 12:30
    assert merge_target([C], "line", at(16, 31), WINDOW) is None
    assert merge_target([A], "line", at(14, 1), WINDOW) is None  # 4 h 1 min after A's creation
    assert merge_target([A, B, C], "line", at(13), timedelta(0)) is None  # 0 = never merge
    assert merge_target([], "line", at(13), WINDOW) is None


def test_equal_last_reports_go_to_the_newer_order():
    older = MergeCandidate(4, "GD202611260004", "line", at(9), at(12))
    newer = MergeCandidate(5, "GD202611260005", "line", at(11), at(12))
    assert merge_target([newer, older], "line", at(13), WINDOW) == newer
    assert merge_target([older, newer], "line", at(13), WINDOW) == newer


def test_order_numbers():
    day = date(2026, 11, 26)
    assert day_prefix("GD", day) == "GD20261126"
    assert order_number("GD", day, 1) == "GD202611260001"
    assert order_number("GD", day, 9999) == "GD202611269999"
    for bad in (0, 10000):
        with pytest.raises(OrderNumberError, match="no more numbers"):
            order_number("GD", day, bad)
    assert next_sequence(None, "GD20261126") == 1
    assert next_sequence("GD202611260041", "GD20261126") == 42
    with pytest.raises(OrderNumberError, match="does not continue"):
        next_sequence("GD2026112600411", "GD20261126")


@pytest.mark.parametrize("typed", ["GD202611260001", " gd202611260001 ", "Gd202611260001\n"])
def test_typed_numbers_are_taken_as_written(typed):
    assert checked_number(typed) == "GD202611260001"


@pytest.mark.parametrize("typed", ["", "GD20261126001", "GD2026112600011", "202611260001", "GD-2026"])
def test_anything_else_is_not_an_order_number(typed):
    with pytest.raises(OrderNumberError, match="is not an order number"):
        checked_number(typed)
