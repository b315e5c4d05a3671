"""Reading and writing `prompt_overrides` (hotline.store.prompt_models): which prompts a studio
recording overrides, who uploaded it and when. The writes take a connection, so the console can
hold the row's transaction open while it installs the files and commit only once they are in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.store.prompt_models import ORIGINAL_NAME_MAX, PromptOverrideRow
from hotline.store.statements import dialect_insert
from hotline.store.utc_datetime import require_aware


@dataclass(frozen=True)
class PromptOverride:
    prompt_id: str
    original_name: str
    sha256: str  # of the WAV Asterisk plays
    uploaded_at: datetime
    uploaded_by: str
    seconds: float


def original_name(filename: str | None) -> str:
    """The uploaded file's name as it is recorded: its last path part, printable, shortened."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:ORIGINAL_NAME_MAX] or "(无文件名)"


async def overrides(engine: AsyncEngine) -> dict[str, PromptOverride]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(PromptOverrideRow.__table__))).all()
    return {r.prompt_id: PromptOverride(*r) for r in rows}


async def record_override(conn: AsyncConnection, override: PromptOverride) -> None:
    """Insert or replace the row of `override.prompt_id` (in the caller's transaction)."""
    require_aware(override.uploaded_at, "uploaded_at")
    values = {
        "prompt_id": override.prompt_id,
        "original_name": original_name(override.original_name),
        "sha256": override.sha256,
        "uploaded_at": override.uploaded_at,
        "uploaded_by": override.uploaded_by[:64],
        "seconds": override.seconds,
    }
    stmt = dialect_insert(conn.dialect)(PromptOverrideRow).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[PromptOverrideRow.prompt_id],
        set_={k: stmt.excluded[k] for k in values if k != "prompt_id"},
    )
    await conn.execute(stmt)


async def forget_override(conn: AsyncConnection, prompt_id: str) -> bool:
    """Delete the row of `prompt_id` (in the caller's transaction); False if there was none."""
    done = await conn.execute(delete(PromptOverrideRow).where(PromptOverrideRow.prompt_id == prompt_id))
    return done.rowcount == 1
