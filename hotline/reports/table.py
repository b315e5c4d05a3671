"""One table of a report as plain text cells (rendered by text.py and html.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]
    note: str = ""  # what the table counts and its denominators, printed under it
