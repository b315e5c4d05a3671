"""Logging setup: the daemon's JSON lines stay whole even at DEBUG."""

import json
import logging

import structlog

from hotline.observability.logs import setup_logging


def test_debug_level_keeps_the_chatty_libraries_quiet():
    try:
        setup_logging("DEBUG", json=True)
        for name in ("aiosqlite", "alembic", "panoramisk", "uvicorn"):  # aiosqlite: from its own thread
            assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
    finally:
        structlog.reset_defaults()
        logging.getLogger().handlers.clear()
        for name in ("aiosqlite", "alembic", "panoramisk", "uvicorn"):
            logging.getLogger(name).setLevel(logging.NOTSET)


def test_a_librarys_own_log_line_is_a_json_line_too(capsys):
    """uvicorn (the console's server) and other libraries log through the standard logging: their
    lines go out as the daemon's JSON lines, never as bare text among them."""
    try:
        setup_logging("INFO", json=True)
        logging.getLogger("uvicorn.error").warning("Cancel %d running task(s)", 2)
        logging.getLogger("uvicorn.error").info("Shutting down")  # a library's INFO: not our story
        structlog.get_logger("daemon").info("daemon.stopped")
    finally:
        structlog.reset_defaults()
        logging.getLogger().handlers.clear()
        logging.getLogger("uvicorn").setLevel(logging.NOTSET)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(x["event"], x["level"]) for x in lines] == [
        ("Cancel 2 running task(s)", "warning"),
        ("daemon.stopped", "info"),
    ]
    assert lines[0]["logger"] == "uvicorn.error" and "timestamp" in lines[0]


class Writes:
    """A stream that keeps each write() as it came."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def test_a_line_leaves_in_one_write(monkeypatch):
    """One write per line, its newline included: the standard logging's handler (another thread's
    library line) writes to the same stderr without structlog's lock, so a line written in two
    pieces could get another line between its text and its newline; and each write is a system
    call on the daemon's loop (a few a call)."""
    stream = Writes()
    monkeypatch.setattr("sys.stderr", stream)
    try:
        setup_logging("INFO", json=True)
        structlog.get_logger("inbound").info("call.started", caller="13800005000")
        structlog.get_logger("inbound").info("call.ended", outcome="ivr_only")
    finally:
        structlog.reset_defaults()
        logging.getLogger().handlers.clear()
    assert len(stream.writes) == 2
    assert all(w.endswith("\n") and w.count("\n") == 1 for w in stream.writes)
    assert [json.loads(w)["event"] for w in stream.writes] == ["call.started", "call.ended"]
