"""One batch of the spill file written back to the database (the recorder's writer and its
start-up replay both call it, one at a time under the recorder's lock)."""

from __future__ import annotations

import asyncio

import structlog

from hotline.store.committer import Committer
from hotline.store.spill import SpillFile

log = structlog.get_logger()


async def write_spill_batch(
    spill: SpillFile, committer: Committer, lock: asyncio.Lock, max_items: int, *, leftover_only: bool
) -> int:
    """Write up to `max_items` of the oldest items in `spill` (only those a previous run left,
    with `leftover_only`); returns how many items are done with: committed, or lost with a log
    when the file cannot be read. 0 when there was nothing to write or the file is short."""
    async with lock:
        wanted = spill.leftover if leftover_only else spill.pending
        if not wanted:
            return 0  # the other reader wrote them
        try:
            items, lines, offset = spill.read(min(wanted, max_items))
        except OSError as exc:  # the file was removed or cannot be read: never fatal to calls
            log.error("store.spill_lost", file=str(spill.path), items=spill.pending, error=str(exc))
            return spill.forget()
        if not lines:  # the file holds less than it should (it could not be written): wait, retry
            log.error("store.spill_short", file=str(spill.path), expected=spill.pending)
            await asyncio.sleep(committer.retry_max_s)
            return 0
        if items:  # still counted in spill.pending until committed
            await committer.write(items)
        return spill.commit(lines, offset)
