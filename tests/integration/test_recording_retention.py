"""The retention job on a real store and real files: calls dated across the 3-month limit (local
time), each with files; exactly the old ones are deleted, each deletion logged and its row
marked; a missing file is recorded as such; a path out of the directory or a symlink is never
deleted; a second run does nothing more; the daily loop runs at retention.run_at."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import structlog
from sqlalchemy import insert, select

import hotline.services.retention as retention
from hotline.reports.period import zone
from hotline.services.retention import RetentionJob
from hotline.settings import Settings
from hotline.store.models import Call, CallEvent

SHANGHAI = zone("Asia/Shanghai")
DIR = "/var/spool/asterisk/monitor"
NOW = datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI)  # 3 months: the limit is 2026-03-15 00:00 local


def at(local: str) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).astimezone(UTC)


# uniqueid: (local start, files on disk, recording_path, message_path, extra columns)
CALLS = {
    "old-edge": ("2026-03-14 23:59:59", ["call-old-edge.wav"], "call-old-edge.wav", None, {}),
    "young-edge": ("2026-03-15 00:00:00", ["call-young-edge.wav"], "call-young-edge.wav", None, {}),
    "young": ("2026-05-01 12:00:00", ["call-young.wav", "message-young-1.wav"], "call-young.wav",
              "message-young-1.wav", {}),
    "old-all": ("2026-01-10 08:00:00", ["call-old-all.wav", "fault-old-all-1.wav", "message-old-all-q.wav"],
                "call-old-all.wav", "fault-old-all-1.wav", {}),
    "old-missing": ("2026-02-01 09:00:00", [], "call-old-missing.wav", None, {}),
    "old-partial": ("2026-02-02 09:00:00", ["call-old-partial.wav"], "call-old-partial.wav",
                    "message-old-partial-1.wav", {}),
    "old-outside": ("2026-02-03 09:00:00", [], "../../../outside/keep.wav", None, {}),
    "old-link": ("2026-02-04 09:00:00", [], "call-old-link.wav", None, {}),
    "old-done": ("2026-01-05 09:00:00", ["call-old-done.wav"], "call-old-done.wav", None,
                 {"recording_deleted_at": at("2026-04-06 03:30:00"),
                  "recording_deleted_reason": "retention"}),
    "old-none": ("2026-01-06 09:00:00", [], None, None, {}),
    "dec": ("2025-12-31 23:00:00", ["call-dec.wav"], "call-dec.wav", None, {}),  # across the new year
}  # fmt: skip
EVENTS = [  # old-all's messages: the menu's recording (also its message_path) and the queue's
    ("old-all", "recorded", {"purpose": "fault", "path": f"{DIR}/fault-old-all-1.wav", "seconds": 3}),
    ("old-all", "message_left", {"path": f"{DIR}/message-old-all-q.wav", "position": 1}),
    ("young", "recorded", {"purpose": "message", "path": f"{DIR}/message-young-1.wav", "seconds": 5}),
]
DELETED = {"call-old-edge.wav", "call-old-all.wav", "fault-old-all-1.wav", "message-old-all-q.wav",
           "call-old-partial.wav", "call-dec.wav"}  # fmt: skip


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def store(engine, tmp_path: Path):
    """(settings, the recordings dir, the file outside it) with CALLS and their files."""
    rec, outside = tmp_path / "rec", tmp_path / "outside"
    rec.mkdir()
    outside.mkdir()
    (outside / "keep.wav").write_bytes(b"not a recording of ours")
    os.symlink(outside / "keep.wav", rec / "call-old-link.wav")
    rows = []
    for uid, (start, files, recording, message, extra) in CALLS.items():
        for name in files:
            (rec / name).write_bytes(f"audio of {name}".encode())
        rows.append({"uniqueid": uid, "direction": "inbound", "started_at": at(start),
                     "outcome": "agent_answered",
                     "recording_path": f"{DIR}/{recording}" if recording else None,
                     "message_path": f"{DIR}/{message}" if message else None, **extra})  # fmt: skip
    events = [
        {"call_uniqueid": u, "at": at("2026-01-10 08:01:00"), "kind": k, "data": d} for u, k, d in EVENTS
    ]
    async with engine.begin() as conn:
        for row in rows:
            await conn.execute(insert(Call).values(**row))
        await conn.execute(insert(CallEvent), events)
    settings = Settings.model_validate(
        {"company": "X", "asterisk": {"recordings_dir": DIR, "recordings_host_dir": str(rec)}}
    )
    return settings, rec, outside / "keep.wav"


async def marks(engine) -> dict[str, tuple]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(Call.uniqueid, Call.recording_deleted_at, Call.recording_deleted_reason)
        )
        return {uid: (when, why) for uid, when, why in rows}


async def test_exactly_the_old_recordings_are_deleted_and_marked(engine, store, monkeypatch):
    settings, rec, outside = store
    before = {p.name for p in rec.iterdir()}
    monkeypatch.setattr(retention, "BATCH", 2)  # several batches, refused rows among them
    with structlog.testing.capture_logs() as logs:
        summary = await RetentionJob(settings, engine, Clock(NOW), tz=SHANGHAI).once()
    assert {p.name for p in rec.iterdir()} == before - DELETED
    assert outside.read_bytes() == b"not a recording of ours" and (rec / "call-old-link.wav").is_symlink()
    now = NOW.astimezone(UTC)
    assert await marks(engine) == {
        "old-edge": (now, "retention"),
        "old-all": (now, "retention"),
        "old-missing": (now, "retention_missing"),
        "old-partial": (now, "retention"),  # its message was gone already: logged, not an error
        "dec": (now, "retention"),
        "old-done": (at("2026-04-06 03:30:00"), "retention"),  # done before: untouched
        **dict.fromkeys(["young-edge", "young", "old-outside", "old-link", "old-none"], (None, None)),
    }
    deleted = sorted(e["path"].rsplit("/", 1)[1] for e in logs if e["event"] == "retention.deleted")
    missing = sorted(e["call"] for e in logs if e["event"] == "retention.missing")
    refused = sorted(e["call"] for e in logs if e["event"] == "retention.not_deleted")
    assert deleted == sorted(DELETED)
    assert (missing, refused) == (["old-missing", "old-partial"], ["old-link", "old-outside"])
    assert (summary.calls, summary.deleted, summary.missing, summary.left) == (5, 6, 2, 2)


async def test_a_second_run_deletes_nothing_more(engine, store):
    settings, rec, _ = store
    job = RetentionJob(settings, engine, Clock(NOW), tz=SHANGHAI)
    await job.once()
    left, first = {p.name for p in rec.iterdir()}, await marks(engine)
    again = await job.once()
    assert {p.name for p in rec.iterdir()} == left and await marks(engine) == first
    assert (again.deleted, again.calls) == (0, 0) and again.left == 2  # the refused ones, tried again


async def test_a_day_later_the_edge_call_goes(engine, store):
    settings, rec, _ = store
    await RetentionJob(settings, engine, Clock(NOW + timedelta(days=1)), tz=SHANGHAI).once()
    assert not (rec / "call-young-edge.wav").exists() and (rec / "call-young.wav").exists()


async def test_the_daily_loop_runs_at_run_at_local_time(engine, store):
    settings, rec, _ = store
    clock = Clock(NOW)
    waits: list[float] = []

    class Stop(Exception):
        pass

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:
            raise Stop
        clock.now += timedelta(seconds=seconds)

    with pytest.raises(Stop):
        await RetentionJob(settings, engine, clock, tz=SHANGHAI, sleep=sleep).run()
    # 10:00 -> 03:30 the next day, then every 24 h
    assert waits == [17.5 * 3600, 24 * 3600, 24 * 3600]
    assert not (rec / "call-young-edge.wav").exists()  # the first run was on 06-16: the edge call went
