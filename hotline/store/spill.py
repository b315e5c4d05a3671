"""The recorder's overflow: items it cannot keep in memory while the database is away, on disk.

One item per line, JSON, appended in order and fsync'd once per event-loop turn (every line
appended in one turn shares one fsync). The writer reads lines back in order from `offset`, the
first byte not yet in the database; after each committed batch the new offset is kept in
`<file>.offset` (written and fsync'd), so a crash re-reads at most the batch it was writing: its
events may be stored twice, its starts and ends are refused the second time. When every line is
in the database both files are removed.

A spill file found when the recorder starts is the previous run's: its lines (`leftover`) are
written before anything this run records. A line that cannot be read (torn by a crash mid-write)
is logged and skipped.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import structlog

from hotline.store.batch import End, Event, Item, Start

log = structlog.get_logger()
_ENCODE = json.JSONEncoder(ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode
_KINDS: dict[str, Callable[[dict[str, Any]], Item]] = {"start": Start, "event": Event}  # and "end"


def encode(item: Item) -> bytes:
    """One line: {"k": kind, "v": values, "dt": [names of ISO datetimes], "u": uniqueid (ends)}."""
    values = dict(item.values)
    stamps = [name for name, value in values.items() if isinstance(value, datetime)]
    for name in stamps:
        values[name] = values[name].isoformat()
    line: dict[str, Any] = {"k": type(item).__name__.lower(), "v": values, "dt": stamps}
    if isinstance(item, End):
        line["u"] = item.uniqueid
    return _ENCODE(line).encode("ascii") + b"\n"


def decode(line: bytes) -> Item:
    """The item of one line; ValueError if the line is not one `encode` wrote."""
    try:
        data = json.loads(line)
        values = dict(data["v"])
        for name in data["dt"]:
            values[name] = datetime.fromisoformat(values[name])
        kind = data["k"]
        if kind == "end":
            return End(str(data["u"]), values)
        return _KINDS[kind](values)
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"not a spilled item: {exc}") from None


class SpillFile:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._offset_path = self.path.with_name(self.path.name + ".offset")
        self._out: IO[bytes] | None = None
        self._sync_scheduled = False
        self.offset = self._load_offset()
        self.pending = self._count_lines()  # lines appended and not yet in the database
        self.leftover = self.pending  # of those, the lines a previous run left

    def _load_offset(self) -> int:
        if not self.path.exists():
            self._offset_path.unlink(missing_ok=True)
            return 0
        try:
            offset = int(self._offset_path.read_text(encoding="ascii"))
        except (FileNotFoundError, ValueError):
            return 0
        return offset if 0 <= offset <= self.path.stat().st_size else 0

    def _count_lines(self) -> int:
        if not self.path.exists():
            return 0
        with self.path.open("r+b") as f:
            if f.seek(0, os.SEEK_END) > 0:
                f.seek(-1, os.SEEK_END)
                if f.read(1) != b"\n":  # a line torn by a crash: end it, it will be skipped
                    f.write(b"\n")
            f.seek(self.offset)
            return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))

    def append(self, item: Item) -> None:
        """Write one item (durable at the end of this loop turn, see `sync`)."""
        line = encode(item)
        if self._out is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._out = self.path.open("ab")
        self._out.write(line)
        self.pending += 1
        if not self._sync_scheduled:
            try:
                asyncio.get_running_loop().call_soon(self.sync)
            except RuntimeError:  # no event loop: nothing to group with
                self.sync()
            else:
                self._sync_scheduled = True

    def sync(self) -> None:
        """Everything appended so far is on disk (an error is logged; the next sync retries)."""
        self._sync_scheduled = False
        if self._out is not None:
            try:
                self._out.flush()
                os.fsync(self._out.fileno())
            except OSError as exc:
                log.error("store.spill_sync_failed", file=str(self.path), error=str(exc))

    def read(self, max_lines: int) -> tuple[list[Item], int, int]:
        """Up to `max_lines` lines from `offset`: (items, lines read, offset after them)."""
        self.sync()
        items: list[Item] = []
        lines, offset = 0, self.offset
        with self.path.open("rb") as f:
            f.seek(offset)
            while lines < max_lines and (line := f.readline()).endswith(b"\n"):
                lines += 1
                try:
                    items.append(decode(line))
                except ValueError as exc:
                    log.error(
                        "store.spill_line_unreadable", file=str(self.path), offset=offset, error=str(exc)
                    )
                offset += len(line)
        return items, lines, offset

    def commit(self, lines: int, offset: int) -> int:
        """`lines` read up to `offset` are in the database; returns how many were this run's."""
        own = lines - min(lines, self.leftover)
        self.leftover -= lines - own
        self.pending -= lines
        self.offset = offset
        if self.pending == 0:
            self._remove()
        else:
            self._save_offset()
        return own

    def forget(self) -> int:
        """The file is gone (removed by hand, unreadable): count its lines as lost; returns how
        many of them were this run's."""
        own = self.pending - min(self.pending, self.leftover)
        self.close()
        self.pending = self.leftover = self.offset = 0
        self._offset_path.unlink(missing_ok=True)
        return own

    def _save_offset(self) -> None:
        tmp = self._offset_path.with_name(self._offset_path.name + ".tmp")
        with tmp.open("w", encoding="ascii") as f:
            f.write(str(self.offset))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self._offset_path)

    def _remove(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)
        self._offset_path.unlink(missing_ok=True)
        self.offset = 0

    def close(self) -> None:
        if self._out is not None:
            self.sync()
            self._out.close()
            self._out = None
