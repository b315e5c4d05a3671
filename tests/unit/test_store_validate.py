"""Values are checked when handed to the recorder, before anything is queued."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite

from hotline.store.models import Call, CallEvent
from hotline.store.utc_datetime import UTCDateTime
from hotline.store.validate import TableChecker, check_value, check_values, checker

CALLS = Call.__table__
EVENTS = CallEvent.__table__
UTC = UTC


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


CHECKERS = {t.name: (checker(t), TableChecker(t, shortcuts=False)) for t in (CALLS, EVENTS)}
ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(),
    st.sampled_from(["inbound", "ivr_only", "x"]),
    st.text(max_size=80),
    st.datetimes(),
    st.datetimes(timezones=st.timezones()),
    st.lists(st.one_of(st.integers(), st.text(), st.floats())),
    st.dictionaries(st.text(), st.integers()),
    st.dictionaries(  # flat event data, as the call flow writes it (the JSON shortcut's case)
        st.text(), st.one_of(st.none(), st.booleans(), st.text(), st.integers(), st.floats())
    ),
    st.dictionaries(st.integers(), st.text()),
    st.dictionaries(st.text(), st.lists(st.text())),
    st.binary(),
    st.dates(),
)


def outcome(check, value):
    try:
        return "ok", check(value)
    except (TypeError, ValueError) as exc:
        return type(exc), str(exc)


@given(
    st.sampled_from([(t, c.name) for t in (CALLS, EVENTS) for c in t.columns if not c.primary_key]), ANY_VALUE
)
@example((EVENTS, "data"), {"n": 2**63})
@example((EVENTS, "data"), {"n": 10**5000})  # more digits than int -> str allows: refused
@example((EVENTS, "data"), {"x": float("nan")})
@example((EVENTS, "data"), {"键": "按\ud83d", "at": None, "ok": True})
def test_the_shortcuts_accept_and_refuse_exactly_like_the_full_checks(column, value):
    table, name = column
    fast, reference = CHECKERS[table.name]
    assert outcome(lambda v: fast.value(name, v), value) == outcome(lambda v: reference.value(name, v), value)


def test_the_checks_of_a_table_are_built_once():
    assert checker(CALLS) is checker(CALLS)
    assert check_values(CALLS, {"direction": "inbound"}) == {"direction": "inbound"}


@pytest.mark.parametrize(
    ("name", "value", "error", "message"),
    [
        ("outcome", ["ivr_only"], ValueError, "outcome must be one of"),  # unhashable: still ValueError
        ("outcome", 3, ValueError, "outcome must be one of"),
        ("direction", "Inbound", ValueError, "direction must be one of"),
        ("talk_s", True, TypeError, "must be int or float"),
        ("talk_s", float("-inf"), ValueError, "finite"),
        ("agents_rung", 2.0, TypeError, "must be int"),
        ("caller_name", "张\x00三", ValueError, "NUL"),
        ("caller_name", "按\ud83d", ValueError, "not valid Unicode"),
        ("agent_id", "工" * 17, ValueError, "at most 16"),
        ("ivr_path", [{"t": float("nan")}], ValueError, "not JSON-serialisable"),
        ("ended_at", datetime(2024, 5, 1).date(), TypeError, "must be a datetime"),
    ],
)
def test_more_bad_values_are_refused(name, value, error, message):
    with pytest.raises(error, match=message):
        check_value(CALLS, name, value)


def test_json_values_are_deep_copies():
    data = {"path": [{"node": "main"}]}
    checked = check_value(EVENTS, "data", data)
    data["path"][0]["node"] = "changed"
    assert checked == {"path": [{"node": "main"}]}
