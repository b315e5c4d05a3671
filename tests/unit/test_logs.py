"""Logging setup: the daemon's JSON lines stay whole even at DEBUG."""
import logging

from hotline.logs import setup_logging


def test_debug_level_keeps_the_chatty_libraries_quiet():
    setup_logging("DEBUG", json=True)
    for name in ("aiosqlite", "alembic", "panoramisk"):  # aiosqlite writes from its own thread
        assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
