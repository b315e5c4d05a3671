"""The agent's disposition of a call (the desk's wrap-up form): the business category the agent
picked from the site's `categories.agent_categories` and an optional note, on the call's row.

    await save_disposition(engine, uniqueid=uid, agent_id="001", category="fault_repair",
                           note="10kV 线路跳闸", at=now, categories=settings.categories)

The columns: `agent_category`, `disposition_note`, `disposed_at`, `disposed_by` (the 工号). The
menu's `business_category` (the IVR function the caller used) is never touched; reports take the
agent category from here and fall back to the menu's when none was saved.

Saving again overwrites (the agent corrects it). Every save is also a `call_events` row of kind
`disposition`, data {"category", "note", "agent_id"}, at `at`, in the same transaction: the calls
row holds the latest, the events every one, so nothing recorded is lost.

Refused with `DispositionError` (a ValueError; the message, in Chinese, is for the agent's page),
nothing changed: a category that is not a configured agent category, a note over 500 characters
(after stripping) or with a line break or another control character, an agent number that is not
1-8 digits, an unknown call, a call an agent other than `agent_id` answered (the row's agent_id is
set when the call ends; while it is still going anyone at the desk may file it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.config_text import control_char
from hotline.settings.categories import Categories
from hotline.store.models import Call, CallEvent, table_of
from hotline.store.utc_datetime import require_aware

NOTE_MAX_LEN = 500
EVENT_KIND = "disposition"
UNIQUEID_MAX_LEN: int = Call.uniqueid.type.length  # a String(n) column
_calls = table_of(Call)
_events = table_of(CallEvent)


class DispositionError(ValueError):
    """A disposition the store refuses; the message says why (shown on the agent's page)."""


@dataclass(frozen=True)
class Disposition:
    uniqueid: str
    category: str  # a key of categories.agent_categories (when it was saved)
    note: str | None
    disposed_at: datetime
    disposed_by: str  # 工号
    corrected: bool = False  # it replaced an earlier disposition of the call


def _note(note: str | None) -> str | None:
    if note is None:
        return None
    if not isinstance(note, str):
        raise DispositionError(f"备注必须是文字(收到 {type(note).__name__})")
    text = note.strip()
    if len(text) > NOTE_MAX_LEN:
        raise DispositionError(f"备注最多{NOTE_MAX_LEN}字(现有{len(text)}字)")
    if (bad := control_char(text)) is not None:
        raise DispositionError(f"备注须为一行文字,不能含换行或控制字符({bad})")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise DispositionError("备注含有无效的字符") from None
    return text or None


def _checked(uniqueid: str, agent_id: str, category: str, categories: Categories) -> None:
    if not isinstance(uniqueid, str) or not 0 < len(uniqueid) <= UNIQUEID_MAX_LEN:
        raise DispositionError(f"无效的通话编号 {uniqueid!r}")
    if not isinstance(agent_id, str) or not re.fullmatch(r"[0-9]{1,8}", agent_id):
        raise DispositionError(f"无效的工号 {agent_id!r}(1-8位数字)")
    if category not in categories.agent_categories:
        offered = "、".join(f"{label}({key})" for key, label in categories.agent_categories.items())
        raise DispositionError(f"未配置的座席业务分类 {category!r};可选: {offered}")


async def _call_row(conn: AsyncConnection, uniqueid: str) -> sa.Row[tuple[str | None, datetime | None]]:
    stmt = (
        sa.select(_calls.c.agent_id, _calls.c.disposed_at)
        .where(_calls.c.uniqueid == uniqueid)
        .with_for_update()  # PostgreSQL: two saves of one call queue up; SQLite ignores it (one writer)
    )
    row = (await conn.execute(stmt)).first()
    if row is None:
        raise DispositionError(f"没有这通电话(通话编号 {uniqueid})")
    return row


async def save_disposition(
    engine: AsyncEngine,
    *,
    uniqueid: str,
    agent_id: str,
    category: str,
    note: str | None,
    at: datetime,
    categories: Categories,
) -> Disposition:
    """Store agent `agent_id`'s disposition of call `uniqueid` at `at` (aware; the caller's clock)
    and log it as a `disposition` event; returns what was stored. See the module doc for what is
    refused (DispositionError, nothing changed)."""
    require_aware(at, "at")
    _checked(uniqueid, agent_id, category, categories)
    text = _note(note)
    async with engine.begin() as conn:
        row = await _call_row(conn, uniqueid)
        if row.agent_id is not None and row.agent_id != agent_id:
            raise DispositionError(f"这通电话由座席{row.agent_id}接听,座席{agent_id}不能为它分类")
        values = {
            "agent_category": category,
            "disposition_note": text,
            "disposed_at": at,
            "disposed_by": agent_id,
        }
        await conn.execute(sa.update(_calls).where(_calls.c.uniqueid == uniqueid).values(values))
        data = {"category": category, "note": text, "agent_id": agent_id}
        await conn.execute(
            sa.insert(_events).values(call_uniqueid=uniqueid, at=at, kind=EVENT_KIND, data=data)
        )
    return Disposition(uniqueid, category, text, at, agent_id, corrected=row.disposed_at is not None)


async def disposition_of(engine: AsyncEngine, uniqueid: str) -> Disposition | None:
    """The call's current disposition (to fill the wrap-up form again), or None: none saved or no
    such call."""
    c = _calls.c
    stmt = sa.select(c.agent_category, c.disposition_note, c.disposed_at, c.disposed_by).where(
        c.uniqueid == uniqueid
    )
    async with engine.connect() as conn:
        row = (await conn.execute(stmt)).first()
    if row is None or row.agent_category is None or row.disposed_at is None:
        return None
    return Disposition(
        uniqueid, row.agent_category, row.disposition_note, row.disposed_at, row.disposed_by or ""
    )
