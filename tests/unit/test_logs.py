"""Logging setup: the daemon's JSON lines stay whole even at DEBUG."""

import logging

import structlog

from hotline.observability.logs import setup_logging


def test_debug_level_keeps_the_chatty_libraries_quiet():
    try:
        setup_logging("DEBUG", json=True)
        for name in ("aiosqlite", "alembic", "panoramisk"):  # aiosqlite writes from its own thread
            assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
    finally:
        structlog.reset_defaults()
        for name in ("aiosqlite", "alembic", "panoramisk"):
            logging.getLogger(name).setLevel(logging.NOTSET)
