"""The call store: call detail records and call events in SQLite or PostgreSQL.

`make_engine(url)` + `await upgrade(url)` at start, one `CallRecorder` writing, `queries` to read.
"""

from hotline.store.db import make_engine, upgrade
from hotline.store.models import DIRECTIONS, OUTCOMES, Call, CallEvent
from hotline.store.queries import fetch_call, fetch_calls, fetch_events
from hotline.store.recorder import ORPHAN_REASON, CallRecorder
from hotline.store.rollup_models import RollupDay  # the rollup's tables join Base.metadata

__all__ = [
    "DIRECTIONS",
    "OUTCOMES",
    "ORPHAN_REASON",
    "RollupDay",
    "Call",
    "CallEvent",
    "CallRecorder",
    "fetch_call",
    "fetch_calls",
    "fetch_events",
    "make_engine",
    "upgrade",
]
