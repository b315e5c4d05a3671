"""structlog setup: JSON lines when not on a terminal, readable console output on one.

Every log line of a call carries its `uniqueid` (bound with structlog's contextvars).
"""

from __future__ import annotations

import logging
import sys

import structlog


def setup_logging(level: str = "INFO", *, json: bool | None = None) -> None:
    if json is None:
        json = not sys.stderr.isatty()
    renderer = (
        structlog.processors.JSONRenderer(ensure_ascii=False) if json else structlog.dev.ConsoleRenderer()
    )
    lvl = logging.getLevelName(level.upper())
    logging.basicConfig(level=lvl, stream=sys.stderr, format="%(message)s")
    # chatty libraries: their INFO lines are not the daemon's story (and are not JSON).
    # aiosqlite logs every statement at DEBUG from its own thread, unsynchronised with
    # structlog's writes: at --log-level DEBUG it glued its lines onto the daemon's JSON lines.
    for name in ("alembic", "panoramisk", "aiosqlite"):
        logging.getLogger(name).setLevel(max(lvl, logging.WARNING))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(lvl),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
