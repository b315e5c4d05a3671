"""The store at start: migrate, replay a crash's spill file, close the calls a previous run left
open, and give the calls Asterisk handled while the daemon was away (its CDR ledger) their row."""

from __future__ import annotations

from pathlib import Path

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.clock import utcnow
from hotline.services.ledger_watch import LedgerWatch
from hotline.settings import Settings
from hotline.store.db import make_engine, upgrade
from hotline.store.recorder import CallRecorder

log = structlog.get_logger("daemon")


async def open_store(settings: Settings) -> tuple[AsyncEngine, CallRecorder]:
    await upgrade(settings.database.url)
    engine = make_engine(settings.database.url)
    recorder = CallRecorder(
        engine,
        max_memory_items=settings.database.max_memory_items,
        spill_path=Path(settings.database.spill_path),
        linger_s=settings.database.commit_linger_ms / 1000,
        busy_window_s=settings.database.commit_busy_window_ms / 1000,
    )
    # a spill file left by a crash is replayed first, then open calls are closed from their events
    closed = await recorder.recover_orphans(utcnow(), extensions={a.id: a.extension for a in settings.agents})
    if closed:
        log.warning("daemon.orphans_closed", calls=closed)
    await LedgerWatch(settings, engine, utcnow).once()
    return engine, recorder
