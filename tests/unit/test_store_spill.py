"""The recorder's spill file: items survive the round trip, torn lines are skipped, progress is kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from structlog.testing import capture_logs

from hotline.store.batch import End, Event, Start
from hotline.store.spill import SpillFile, decode, encode

T0 = datetime(2024, 5, 1, 8, 0, 0, tzinfo=UTC)
BEIJING = timezone(timedelta(hours=8))

SCALAR = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
)
JSON = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
STAMP = st.datetimes(timezones=st.sampled_from([UTC, BEIJING, timezone(timedelta(hours=-2, minutes=-30))]))
VALUE = st.one_of(
    st.none(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(), STAMP, JSON
)
VALUES = st.dictionaries(
    st.sampled_from(["uniqueid", "started_at", "ivr_path", "caller_name", "talk_s", "data", "at"]), VALUE
)


@given(VALUES, st.sampled_from([Start, Event, "end"]), st.text())
def test_every_item_comes_back_equal(values, kind, uniqueid):
    item = End(uniqueid, values) if kind == "end" else kind(values)
    line = encode(item)
    assert line.endswith(b"\n") and line.count(b"\n") == 1 and line.isascii()
    back = decode(line)
    assert back == item
    for name, value in values.items():
        if isinstance(value, datetime):
            assert back.values[name].utcoffset() == value.utcoffset()


def item(i: int) -> Event:
    return Event(
        {"call_uniqueid": f"c.{i}", "at": T0, "kind": "ivr_step", "data": {"i": i, "text": "按1报修"}}
    )


def test_progress_is_kept_across_a_restart_and_the_files_go_when_done(tmp_path):
    path = tmp_path / "spill.jsonl"
    spill = SpillFile(path)
    for i in range(5):
        spill.append(item(i))  # no event loop here: each append is synced at once
    items, lines, offset = spill.read(2)
    assert (items, lines) == ([item(0), item(1)], 2)
    assert spill.commit(lines, offset) == 2  # both appended by this run
    spill.close()

    again = SpillFile(path)  # a restart: 3 lines left, from the previous run
    assert (again.pending, again.leftover, again.offset) == (3, 3, offset)
    again.append(item(5))
    items, lines, offset = again.read(10)
    assert items == [item(i) for i in range(2, 6)]
    assert again.commit(lines, offset) == 1  # only the last line was this run's
    assert (again.pending, again.leftover) == (0, 0)
    assert not path.exists() and not (tmp_path / "spill.jsonl.offset").exists()


def test_a_line_torn_by_a_crash_is_logged_and_skipped(tmp_path):
    path = tmp_path / "spill.jsonl"
    path.write_bytes(encode(item(0)) + encode(item(1))[:-9])  # killed mid-write
    spill = SpillFile(path)
    spill.append(item(2))  # goes on a line of its own
    assert spill.pending == 3
    with capture_logs() as logs:
        items, lines, offset = spill.read(10)
    assert (items, lines) == ([item(0), item(2)], 3)
    assert [e["event"] for e in logs] == ["store.spill_line_unreadable"]
    spill.commit(lines, offset)
    assert not path.exists()


def test_an_offset_file_that_does_not_fit_the_spill_file_is_ignored(tmp_path):
    path = tmp_path / "spill.jsonl"
    path.write_bytes(encode(item(0)))
    (tmp_path / "spill.jsonl.offset").write_text("999999")
    assert SpillFile(path).pending == 1


async def test_a_spill_file_removed_under_the_writer_is_logged_as_lost_not_fatal(tmp_path):
    from datetime import datetime

    from hotline.store.db import make_engine, upgrade
    from hotline.store.recorder import CallRecorder

    url = f"sqlite+aiosqlite:///{tmp_path / 'h.db'}"
    await upgrade(url)
    engine = make_engine(url)
    spill = tmp_path / "spill.jsonl"
    recorder = CallRecorder(engine, max_memory_items=1, spill_path=spill)
    now = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    for i in range(3):  # beyond the memory bound: into the file, before the writer runs
        recorder.call_started(
            f"lost.{i}",
            direction="inbound",
            started_at=now,
            caller_number="138",
            caller_name="",
            dnid="95598",
            trunk="t",
        )
    assert spill.exists()
    spill.unlink()
    writer = recorder.start()
    try:
        await recorder.flush()  # returns: what was lost is logged, the writer goes on
        assert recorder.backlog == 0 and not writer.done()
    finally:
        await recorder.close()
        await engine.dispose()
