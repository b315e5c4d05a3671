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
    # the libraries' own lines (the standard logging) leave as the daemon's lines do: one JSON
    # object each (or the console's format), never bare text between the JSON lines
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
            foreign_pre_chain=[
                structlog.stdlib.add_log_level,
                structlog.stdlib.add_logger_name,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(lvl)
    # chatty libraries: their INFO lines are not the daemon's story. aiosqlite logs every
    # statement at DEBUG from its own thread, unsynchronised with structlog's writes: at
    # --log-level DEBUG it glued its lines onto the daemon's JSON lines. uvicorn (the web
    # console) tells of its start and stop, which the daemon logs itself.
    for name in ("alembic", "panoramisk", "aiosqlite", "uvicorn"):
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
        # one write per line, its newline included (print() makes two: a library's line from
        # another thread could land between them)
        logger_factory=structlog.WriteLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
