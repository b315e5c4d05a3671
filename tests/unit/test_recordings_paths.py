"""A stored recording path is mapped into the recordings directory by its name, or refused."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from hotline.recordings.paths import RecordingPathError, RecordingsDir
from hotline.recordings.sources import all_paths, messages_of

DIR = RecordingsDir(
    PurePosixPath("/var/spool/asterisk/monitor"), Path("/srv/chroot/var/spool/asterisk/monitor")
)


def test_a_path_maps_into_the_host_dir():
    assert DIR.host_path("/var/spool/asterisk/monitor/call-1.2.wav") == Path(
        "/srv/chroot/var/spool/asterisk/monitor/call-1.2.wav"
    )
    assert DIR.host_path("/var/spool/asterisk/monitor//sub/./x.wav") == DIR.host_dir / "sub" / "x.wav"


@pytest.mark.parametrize(
    "stored",
    [
        "/etc/passwd",
        "/var/spool/asterisk/monitor/../../../etc/passwd",
        "/var/spool/asterisk/monitorx/a.wav",  # a sibling whose name starts the same
        "var/spool/asterisk/monitor/a.wav",
        "/var/spool/asterisk/monitor",
        "/var/spool/asterisk/monitor/a\n.wav",
        "/var/spool/asterisk/monitor/a\x00.wav",
        "",
    ],
)
def test_a_path_outside_is_refused(stored):
    with pytest.raises(RecordingPathError):
        DIR.host_path(stored)


class _Row:
    def __init__(self, recording_path, message_path):
        self.recording_path, self.message_path = recording_path, message_path


class _Event:
    def __init__(self, kind, data):
        from datetime import UTC, datetime

        self.kind, self.data, self.at = kind, data, datetime(2026, 1, 1, tzinfo=UTC)


def test_a_calls_recordings_each_once():
    events = [
        _Event("ivr_step", {"node": "x"}),
        _Event("recorded", {"purpose": "fault", "path": "/r/f-1.wav", "seconds": 3}),
        _Event("recorded", {"purpose": "fault", "path": "/r/f-1.wav"}),
        _Event("message_left", {"path": "/r/m-q.wav"}),
        _Event("recorded", {"purpose": "x"}),  # no path: nothing
    ]
    row = _Row("/r/call.wav", "/r/f-1.wav")
    assert [(m.path, m.label, m.seconds) for m in messages_of(row, events)] == [
        ("/r/f-1.wav", "故障描述", 3.0),
        ("/r/m-q.wav", "排队时留言", None),
    ]
    assert all_paths(row, events) == ["/r/call.wav", "/r/f-1.wav", "/r/m-q.wav"]
    assert all_paths(_Row(None, "/r/only.wav"), []) == ["/r/only.wav"]
