"""Values are checked when handed to the recorder, before anything is queued."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite

from hotline.store.models import Call, CallEvent
from hotline.store.utc_datetime import UTCDateTime
from hotline.store.validate import check_value, check_values

CALLS = Call.__table__
EVENTS = CallEvent.__table__
UTC = timezone.utc


@pytest.mark.parametrize(
    ("name", "value", "error", "message"),
    [
        ("no_such_column", 1, ValueError, "unknown field 'no_such_column'"),
        ("id", 1, ValueError, "unknown field 'id'"),
        ("outcome", "hung_up", ValueError, "outcome must be one of"),
        ("direction", "sideways", ValueError, "direction must be one of"),
        ("started_at", datetime(2024, 5, 1), ValueError, "timezone-aware"),
        ("started_at", None, ValueError, "must not be None"),
        ("started_at", "2024-05-01", TypeError, "must be a datetime"),
        ("uniqueid", "x" * 65, ValueError, "at most 64"),
        ("caller_number", "a\x00b", ValueError, "NUL"),
        ("caller_name", "\ud800", ValueError, "not valid Unicode"),
        ("caller_number", 13800138000, TypeError, "must be a str"),
        ("priority", True, TypeError, "must be int"),
        ("talk_s", float("nan"), ValueError, "finite"),
        ("ivr_path", [object()], ValueError, "not JSON-serialisable"),
    ],
)
def test_bad_values_are_refused(name, value, error, message):
    with pytest.raises(error, match=message):
        check_value(CALLS, name, value)


def test_good_values_pass_and_json_is_copied():
    path = ["welcome", {"menu": "1"}]
    checked = check_values(CALLS, {"talk_s": 3, "priority": 2, "ivr_path": path, "outcome": None})
    assert checked == {"talk_s": 3, "priority": 2, "ivr_path": path, "outcome": None}
    assert checked["ivr_path"] is not path
    assert check_value(EVENTS, "data", {"k": "按1"}) == {"k": "按1"}


@given(st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00")))
def test_any_text_without_nul_or_surrogates_is_kept_verbatim(number):
    assert check_value(CALLS, "caller_number", number) == number


@given(st.datetimes(timezones=st.timezones()))
def test_utc_datetime_round_trips_the_instant_on_both_dialects(value):
    kind = UTCDateTime()
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        stored = kind.process_bind_param(value, dialect)
        back = kind.process_result_value(stored, dialect)
        # compare in UTC: PEP 495 makes cross-zone == False for ambiguous (DST fold) times
        assert back == value.astimezone(UTC) and back.utcoffset() == timedelta(0)
    assert kind.process_bind_param(value, sqlite.dialect()).tzinfo is None


def test_utc_datetime_refuses_naive_values():
    with pytest.raises(ValueError, match="timezone-aware"):
        UTCDateTime().process_bind_param(datetime(2024, 5, 1), sqlite.dialect())
    assert UTCDateTime().process_result_value(datetime(2024, 5, 1), sqlite.dialect()).tzinfo is UTC
