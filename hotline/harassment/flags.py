"""Flagging harassment numbers (seed 000 §27), clearing a flag, and asking whether a number is flagged.

Numbers are stored in their national form (hotline.phone_number.normalise): `+86 138 0000 1111`,
`008613800001111` and `13800001111` are one number. Bad input raises HarassmentError (a
ValueError; the message is the one to show) before the store is touched.

Both changes are idempotent, so a double click or two people acting at once do no harm:
- flagging a number already flagged changes nothing and returns the flag in force
  (`Flagged.created` False: its reason, time and author are the first flag's);
- clearing a number that is not flagged changes nothing and returns no flag.
A cleared flag stays in the table (cleared_at, cleared_by): the history of who flagged and who
cleared is kept; flagging the number again adds a new row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hotline.harassment.models import FlaggedNumberRow
from hotline.phone_number import PhoneNumberError, normalise, stored_forms
from hotline.store.utc_datetime import require_aware

REASON_MAX = 200  # characters
ACTOR_MAX = 64  # the flagged_by / cleared_by columns
UNIQUEID_MAX = 64


class HarassmentError(ValueError):
    """Input a flag cannot be made or cleared with; the message says what is wrong (中文)."""


@dataclass(frozen=True)
class Flag:
    id: int
    number: str  # national form
    reason: str
    flagged_at: datetime
    flagged_by: str
    call_uniqueid: str | None
    cleared_at: datetime | None
    cleared_by: str | None

    @property
    def active(self) -> bool:
        return self.cleared_at is None

    @classmethod
    def of(cls, row: FlaggedNumberRow) -> Flag:
        return cls(
            row.id,
            row.number,
            row.reason,
            row.flagged_at,
            row.flagged_by,
            row.call_uniqueid,
            row.cleared_at,
            row.cleared_by,
        )


@dataclass(frozen=True)
class Flagged:
    """What flag_number did: `flag` is the flag in force; `created` False when it already was."""

    flag: Flag
    created: bool


def national(number: str) -> str:
    """The national form of `number`; HarassmentError for an empty number or one with letters or
    other symbols."""
    try:
        return normalise(number, "号码 (number)")
    except PhoneNumberError as exc:
        raise HarassmentError(str(exc)) from None


def _text(value: object, what: tuple[str, str], limit: int) -> str:
    """`value` stripped; HarassmentError when it is empty, too long or has control characters.
    `what`: the field's name in Chinese and in English."""
    zh, en = what
    if not isinstance(value, str) or not value.strip():
        raise HarassmentError(f"{zh}不能为空 ({en} is required)")
    value = value.strip()
    if len(value) > limit:
        raise HarassmentError(f"{zh}过长：最多 {limit} 个字符，现有 {len(value)} 个 ({en} is too long)")
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in value):
        raise HarassmentError(f"{zh}含有控制字符 ({en} has control characters)")
    return value


def check_flag(
    number: str, reason: str, by: str, call_uniqueid: str | None = None
) -> tuple[str, str, str, str | None]:
    """flag_number's input checked (HarassmentError) and cleaned: (national number, reason, by,
    call_uniqueid). For callers that check before they open the store (the CLI)."""
    nat = national(number)
    text = _text(reason, ("原因", "reason"), REASON_MAX)
    actor = _text(by, ("标记人", "by"), ACTOR_MAX)
    uid = None if call_uniqueid is None else _text(call_uniqueid, ("通话编号", "call_uniqueid"), UNIQUEID_MAX)
    return nat, text, actor, uid


def _active(forms: tuple[str, ...]) -> Select[tuple[FlaggedNumberRow]]:
    """The flags in force on a number stored under any of `forms`."""
    row = FlaggedNumberRow
    return select(row).where(row.number.in_(forms), row.cleared_at.is_(None))


async def flag_number(
    engine: AsyncEngine,
    number: str,
    reason: str,
    by: str,
    call_uniqueid: str | None,
    now: datetime,
) -> Flagged:
    """Flag `number` as harassing: `by` is who flagged it (工号 or user name), `call_uniqueid`
    the call it was flagged on (None from the CLI). A number already flagged is left as it is."""
    nat, text, actor, uid = check_flag(number, reason, by, call_uniqueid)
    require_aware(now, "now")
    async with AsyncSession(engine) as session, session.begin():
        existing = (await session.scalars(_active(stored_forms(nat)).order_by(FlaggedNumberRow.id))).first()
        if existing is not None:
            return Flagged(Flag.of(existing), created=False)
        row = FlaggedNumberRow(number=nat, reason=text, flagged_at=now, flagged_by=actor, call_uniqueid=uid)
        session.add(row)
        await session.flush()
        return Flagged(Flag.of(row), created=True)


async def clear_flag(engine: AsyncEngine, number: str, by: str, now: datetime) -> list[Flag]:
    """Clear the flag on `number` (`by`: who cleared it); the flags cleared, none if it was not
    flagged."""
    nat = national(number)
    actor = _text(by, ("解除人", "by"), ACTOR_MAX)
    require_aware(now, "now")
    row = FlaggedNumberRow
    async with AsyncSession(engine) as session, session.begin():
        ids = list((await session.scalars(_active(stored_forms(nat)).with_only_columns(row.id))).all())
        if not ids:
            return []
        await session.execute(update(row).where(row.id.in_(ids)).values(cleared_at=now, cleared_by=actor))
        rows = (await session.scalars(select(row).where(row.id.in_(ids)).order_by(row.id))).all()
        return [Flag.of(r) for r in rows]


async def is_flagged(engine: AsyncEngine, number: str) -> bool:
    """Whether `number`, in any written form, is flagged now. A number that cannot be a phone
    number (anonymous, junk) is not flagged."""
    forms = stored_forms(number)
    if not forms:
        return False
    async with AsyncSession(engine) as session:
        found = await session.scalars(_active(forms).with_only_columns(FlaggedNumberRow.id).limit(1))
        return found.first() is not None


async def list_flags(
    engine: AsyncEngine, include_cleared: bool = False, limit: int | None = None
) -> list[Flag]:
    """The flags in force (and the cleared ones with `include_cleared`), newest first; at most
    `limit` of them."""
    row = FlaggedNumberRow
    stmt = select(row).order_by(row.flagged_at.desc(), row.id.desc())
    if not include_cleared:
        stmt = stmt.where(row.cleared_at.is_(None))
    if limit is not None:
        stmt = stmt.limit(limit)
    async with AsyncSession(engine) as session:
        return [Flag.of(r) for r in (await session.scalars(stmt)).all()]
