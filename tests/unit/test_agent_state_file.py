"""acd.state_file: a corrupt or unusable agent state file never stops the daemon. The agents
start logged out, acd.state_file_corrupt is logged with the reason, and the bad file is kept
aside under a timestamped name."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from structlog.testing import capture_logs

from acd import events as ev
from hotline.bus.event_bus import EventBus
from hotline.services.acd_driver import AcdRuntime
from hotline.settings import Settings

NOW = datetime(2026, 12, 2, 7, 15, 0, tzinfo=UTC)
ASIDE = "agents.json.corrupt-20261202T071500Z"
GOOD = {
    "version": 1,
    "agents": {
        "001": {"state": "paused", "reason": "break", "idle_since": None},
        "002": {"state": "ready", "reason": None, "idle_since": NOW.isoformat()},
    },
}


class Recorder:
    """Takes the runtime's state-change events (the store is not under test here)."""

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def event(self, *args) -> None:
        self.events.append(args)


def runtime(path) -> AcdRuntime:
    settings = Settings.model_validate(
        {
            "company": "X",
            "acd": {"state_file": str(path)},
            "agents": [
                {"id": "001", "extension": "1001", "secret": "pw1001-lab"},
                {"id": "002", "extension": "1002", "secret": "pw1002-lab"},
            ],
        }
    )
    return AcdRuntime(settings, Recorder(), EventBus(None), lambda: NOW, path)


def states(acd: AcdRuntime) -> dict[str, str]:
    return {a: acd.core.agent(a).state for a in ("001", "002")}


def test_a_good_file_restores_and_unknown_agent_ids_are_skipped(tmp_path):
    path = tmp_path / "agents.json"
    path.write_text(json.dumps({**GOOD, "agents": {**GOOD["agents"], "999": {"state": "ready"}}}))
    assert states(runtime(path)) == {"001": "paused", "002": "ready"}
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_no_file_starts_logged_out(tmp_path):
    assert states(runtime(tmp_path / "agents.json")) == {"001": "logged_out", "002": "logged_out"}


CORRUPT = {
    "truncated JSON": b'{"version": 1, "agents": {"001": {"state": "pau',
    "empty": b"",
    "not UTF-8": b'{"version": 1, "agents": {"\xff\xfe": {}}}',
    "a list": b"[]",
    "agents a list": b'{"version": 1, "agents": []}',
    "wrong version": b'{"version": "1", "agents": {}}',
    "record a string": b'{"version": 1, "agents": {"001": "ready"}}',
    "state a list": b'{"version": 1, "agents": {"001": {"state": ["ready"]}}}',
    "state a dict": b'{"version": 1, "agents": {"001": {"state": {"a": 1}}}}',
    "unknown state": b'{"version": 1, "agents": {"001": {"state": "dancing"}}}',
    "idle_since a number": b'{"version": 1, "agents": {"001": {"state": "ready", "idle_since": 5}}}',
    "idle_since naive": b'{"version": 1, "agents": {"001": {"state": "ready", '
    b'"idle_since": "2026-12-02T07:00:00"}}}',
    "deeply nested": b"[" * 100_000,
}


@pytest.mark.parametrize("content", CORRUPT.values(), ids=CORRUPT.keys())
def test_a_corrupt_file_is_set_aside_and_agents_start_logged_out(tmp_path, content):
    path = tmp_path / "agents.json"
    path.write_bytes(content)
    with capture_logs() as logs:
        acd = runtime(path)
    assert states(acd) == {"001": "logged_out", "002": "logged_out"}
    [entry] = [e for e in logs if e["event"] == "acd.state_file_corrupt"]
    assert entry["log_level"] == "error" and entry["reason"] and entry["moved_to"].endswith(ASIDE)
    assert not path.exists() and (tmp_path / ASIDE).read_bytes() == content
    acd.feed(ev.AgentLogin("001"))  # the daemon goes on and writes a fresh file
    assert json.loads(path.read_text())["agents"]["001"]["state"] == "ready"


def test_a_directory_in_place_of_the_file_is_set_aside(tmp_path):
    path = tmp_path / "agents.json"
    path.mkdir()
    (path / "inside").write_text("x")
    with capture_logs() as logs:
        acd = runtime(path)
    assert states(acd) == {"001": "logged_out", "002": "logged_out"}
    assert [e["event"] for e in logs if e["log_level"] == "error"] == ["acd.state_file_corrupt"]
    assert (tmp_path / ASIDE / "inside").read_text() == "x"
    acd.feed(ev.AgentLogin("002"))
    assert json.loads(path.read_text())["agents"]["002"]["state"] == "ready"


def test_an_earlier_corrupt_copy_is_not_overwritten(tmp_path):
    path = tmp_path / "agents.json"
    (tmp_path / ASIDE).write_text("first")
    path.write_text("second")
    runtime(path)
    assert (tmp_path / ASIDE).read_text() == "first"
    assert (tmp_path / f"{ASIDE}-1").read_text() == "second"


def test_a_state_file_that_cannot_be_written_is_logged_and_the_acd_goes_on(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the state file's folder should be")
    acd = runtime(blocker / "agents.json")
    with capture_logs() as logs:
        acd.feed(ev.AgentLogin("001"))
    assert acd.core.agent("001").state == "ready"
    assert [e["event"] for e in logs if e["log_level"] == "error"] == ["acd.state_file_unwritable"]
