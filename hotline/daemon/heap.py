"""Once the daemon has started, what start built is kept out of the garbage collector's passes.

The daemon imports its libraries and builds its services once (some 140,000 objects: SQLAlchemy,
pydantic, the web console, the menus...), then runs for months. Each full collection walks every
tracked object: under load in the lab one came about every 200 calls and took about 100 ms, some
7 % of the daemon's CPU (bench/capacity.py, seen with perf). `gc.freeze()` moves every object that
exists now into a permanent generation the collector skips, CPython's documented way for a
long-lived server; what calls create afterwards is collected as before.
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> int:
    """Collect the garbage start left (frozen, it would never be freed), then freeze the rest;
    returns how many objects are frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
