"""A call's recordings over HTTP: ranges (206 with the file's exact bytes, 416), the messages,
refusals (a row pointing outside the recordings directory, a symlink leading out, a deleted or
missing file), roles, and the audit of a playback."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from calls_app import ASTERISK_DIR, add_accounts, at, audit_rows, build, call, client_as, insert_calls, site

NOW = at("2026-12-02 10:00:00")
DATA = bytes(range(256)) * 40 + b"tail"  # 10244 bytes, every offset distinguishable
MESSAGE = b"RIFF-message-bytes" * 100
SECRET = b"root:x:0:0:secret outside the recordings directory"


@pytest.fixture
async def app(engine, db_url, tmp_path, clock, offload):
    clock.now = NOW
    rec, outside = tmp_path / "rec", tmp_path / "outside"
    rec.mkdir()
    outside.mkdir()
    (rec / "call-a.wav").write_bytes(DATA)
    (rec / "message-a-1.wav").write_bytes(MESSAGE)
    (outside / "secret.wav").write_bytes(SECRET)
    os.symlink(outside / "secret.wav", rec / "call-link.wav")
    (rec / "sub").mkdir()
    os.symlink(outside, rec / "sub" / "out")
    events = [
        {"call_uniqueid": "a", "at": at("2026-12-01 10:00:05"), "kind": "recorded",
         "data": {"purpose": "fault", "path": f"{ASTERISK_DIR}/message-a-1.wav", "seconds": 4.2}},
        {"call_uniqueid": "evil-msg", "at": at("2026-12-01 10:00:05"), "kind": "recorded",
         "data": {"purpose": "fault", "path": f"{ASTERISK_DIR}/../../../{outside.name}/secret.wav"}},
    ]  # fmt: skip
    rows = [
        call("a", "2026-12-01 10:00:00", recording_path=f"{ASTERISK_DIR}/call-a.wav"),
        call("passwd", "2026-12-01 10:00:00", recording_path=str(outside / "secret.wav")),
        call("dots", "2026-12-01 10:00:00", recording_path=f"{ASTERISK_DIR}/../../{outside}/secret.wav"),
        call("link", "2026-12-01 10:00:00", recording_path=f"{ASTERISK_DIR}/call-link.wav"),
        call("linkdir", "2026-12-01 10:00:00", recording_path=f"{ASTERISK_DIR}/sub/out/secret.wav"),
        call("gone", "2026-12-01 10:00:00", recording_path=f"{ASTERISK_DIR}/call-gone.wav"),
        call("old", "2026-08-01 10:00:00", recording_path=f"{ASTERISK_DIR}/call-a.wav",
             recording_deleted_at=at("2026-11-02 03:30:00"), recording_deleted_reason="retention"),
        call("none", "2026-12-01 10:00:00"),
        call("evil-msg", "2026-12-01 10:00:00", "message_left"),
    ]  # fmt: skip
    await add_accounts(engine)
    await insert_calls(engine, rows, events)
    return build(engine, site(db_url, tmp_path, rec), clock, offload)


async def test_the_whole_file_and_its_headers(app):
    async with client_as(app, "supervisor") as c:
        r = await c.get("/calls/a/recording")
    assert r.status_code == 200 and r.content == DATA
    assert r.headers["accept-ranges"] == "bytes" and r.headers["content-type"] == "audio/wav"
    assert r.headers["content-length"] == str(len(DATA)) and "no-store" in r.headers["cache-control"]


@pytest.mark.parametrize(
    ("range_", "start", "end"),
    [("bytes=0-99", 0, 100), ("bytes=100-", 100, len(DATA)), ("bytes=-50", len(DATA) - 50, len(DATA)),
     ("bytes=5000-5000", 5000, 5001), ("bytes=10000-99999", 10000, len(DATA))],
)  # fmt: skip
async def test_a_range_is_206_with_exactly_those_bytes(app, range_, start, end):
    async with client_as(app, "admin") as c:
        r = await c.get("/calls/a/recording", headers={"Range": range_})
    assert r.status_code == 206
    assert r.headers["content-range"] == f"bytes {start}-{end - 1}/{len(DATA)}"
    assert r.content == DATA[start:end] and r.headers["content-length"] == str(end - start)


@pytest.mark.parametrize("range_", [f"bytes={len(DATA)}-", f"bytes={len(DATA) + 10}-{len(DATA) + 20}"])
async def test_a_range_past_the_end_is_416(app, range_):
    async with client_as(app, "supervisor") as c:
        r = await c.get("/calls/a/recording", headers={"Range": range_})
    assert r.status_code == 416 and r.headers["content-range"] == f"bytes */{len(DATA)}"
    assert DATA[:50] not in r.content


async def test_a_message_is_played_by_its_number(app):
    async with client_as(app, "supervisor") as c:
        whole = await c.get("/calls/a/message/1")
        part = await c.get("/calls/a/message/1", headers={"Range": "bytes=18-35"})
        second = await c.get("/calls/a/message/2")
        page = await c.get("/calls/a")
    assert whole.content == MESSAGE and (part.status_code, part.content) == (206, MESSAGE[18:36])
    assert second.status_code == 404
    assert 'id="recording"' in page.text and 'src="http://t/calls/a/recording"' in page.text
    assert 'src="http://t/calls/a/message/1"' in page.text and "故障描述" in page.text


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/calls/passwd/recording", "录音不可用"),  # another directory
        ("/calls/dots/recording", "录音不可用"),  # '..' out of the directory
        ("/calls/link/recording", "录音不可用"),  # a symlink in the directory to a file outside
        ("/calls/linkdir/recording", "录音不可用"),  # a symlinked folder leading out
        ("/calls/evil-msg/message/1", "录音不可用"),  # a message event's path with '..'
        ("/calls/gone/recording", "录音不存在"),  # the file is not there
        ("/calls/none/recording", "录音不存在"),  # the call has no recording
        ("/calls/nosuch/recording", "录音不存在"),
    ],
)
async def test_a_file_outside_the_directory_or_missing_is_never_served(app, engine, path, title):
    async with client_as(app, "admin") as c:
        r = await c.get(path, headers={"Range": "bytes=0-"})
    assert r.status_code == 404 and title in r.text
    assert SECRET not in r.content
    assert await audit_rows(engine, "recording_play") == []


async def test_the_request_can_not_name_a_path(app):
    async with client_as(app, "admin") as c:
        for path in ("/calls/a/recording/../../etc/passwd", "/calls/a/recording?path=/etc/passwd"):
            r = await c.get(path)
            assert SECRET not in r.content and b"root:" not in r.content
    assert r.content == DATA  # a query parameter changes nothing: still the row's file


async def test_a_recording_deleted_by_retention_is_410(app):
    async with client_as(app, "supervisor") as c:
        r = await c.get("/calls/old/recording")
        page = await c.get("/calls/old")
    assert r.status_code == 410 and "2026-11-02 03:30" in r.text and DATA[:100] not in r.content
    assert "已超过保存期限删除" in page.text and "<audio" not in page.text


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("agent", 403)])
async def test_only_supervisors_and_admins_hear_recordings(app, engine, role, status):
    async with client_as(app, role) as c:
        r = await c.get("/calls/a/recording", headers={"accept": "*/*"})
        m = await c.get("/calls/a/message/1", headers={"accept": "*/*"})
    assert (r.status_code, m.status_code) == (status, status)
    assert DATA[:100] not in r.content and MESSAGE[:100] not in m.content


async def test_starting_a_playback_is_audited_once(app, engine, clock):
    clock.now = NOW + timedelta(minutes=1)
    async with client_as(app, "supervisor") as c:
        await c.get("/calls/a/recording", headers={"Range": "bytes=0-"})
        await c.get("/calls/a/recording", headers={"Range": "bytes=4096-"})  # the player seeking
        assert (await c.head("/calls/a/recording")).headers["content-length"] == str(len(DATA))
        await c.get("/calls/a/message/1")
    plays = await audit_rows(engine, "recording_play")
    assert [(p["user"], p["detail"]) for p in plays] == [
        ("supervisor", '{"call": "a", "recording": "call"}'),
        ("supervisor", '{"call": "a", "recording": "message 1"}'),
    ]
