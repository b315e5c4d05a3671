"""An accounts import from the console, wholly off the daemon's event loop (like report_offload):
decode, check every line (hotline.selfservice.account_import.parse_accounts, all or nothing), then
write in one transaction through an engine of the worker thread's own, so neither the parsing of
a large export nor the building of its statement holds up the calls' loop."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from hotline.selfservice.account_import import AccountImportError, parse_accounts, upsert_accounts
from hotline.store.db import make_engine
from hotline.store.utc_datetime import require_aware


def checked_rows(data: bytes, source: str) -> list[dict[str, Any]]:
    """Every row of the upload checked; AccountImportError lists every bad line (file:line: why)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AccountImportError(
            [f"{source}: 不是 UTF-8 编码的文本（第 {exc.start + 1} 个字节起），请另存为 UTF-8 后再上传"]
        ) from None
    return parse_accounts(text, source)


async def _write(db_url: str, rows: list[dict[str, Any]], now: datetime) -> int:
    engine = make_engine(db_url)
    try:
        return await upsert_accounts(engine, rows, now=now)
    finally:
        await engine.dispose()


def import_blocking(db_url: str, data: bytes, source: str, now: datetime) -> int:
    """Check, then write (nothing at all if any line is bad); the number of accounts written."""
    require_aware(now, "now")
    rows = checked_rows(data, source)
    return asyncio.run(_write(db_url, rows, now))
