"""Every menu that has run: one `menu_versions` row per menu published from the web console, rolled
back to, reloaded from the file (`hotline menu reload` / SIGHUP), or found running when none of
those had recorded it yet (the menu of the first daemon start, a file edited before a restart).

`version` is the string the calls store (`calls.menu_version`: the menu's version + a prefix of
the SHA-256 of its bytes); `sha256` is the whole hash of `yaml`, the exact bytes (UTF-8) that ran.
The table lives in the call store's `Base.metadata`; the schema is created by migration
0009_menu_versions. Rows are never changed or deleted: the list is the menu's history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.store.models import Base, Call
from hotline.store.utc_datetime import UTCDateTime

VERSION_LEN: int = Call.menu_version.type.length
BY_LEN = 64
NOTE_MAX = 200


class MenuVersionRow(Base):
    """One menu that ran: who put it in (a console user's name, or one of menu_history.BY_*), when."""

    __tablename__ = "menu_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(VERSION_LEN))
    sha256: Mapped[str] = mapped_column(String(64))
    yaml: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by: Mapped[str] = mapped_column(String(BY_LEN))
    note: Mapped[str | None] = mapped_column(String(NOTE_MAX))
    rolled_back_from: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("menu_versions.id", ondelete="RESTRICT")
    )
