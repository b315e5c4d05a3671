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
