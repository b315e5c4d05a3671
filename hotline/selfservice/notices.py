"""Publishing outage notices (planned outages and known faults) for an area."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hotline.selfservice.local_time import check_range
from hotline.selfservice.models import NOTICE_KINDS, OutageNoticeRow
from hotline.selfservice.records import Notice
from hotline.store.utc_datetime import require_aware

AREA_CODE = re.compile(r"[0-9]{4,12}")


class NoticeError(ValueError):
    """A notice that cannot be published; the message says why."""


def check_area_code(code: str) -> str:
    if not AREA_CODE.fullmatch(code):
        raise NoticeError(f"area code {code!r} must be 4 to 12 digits (the IVR menu asks for 6)")
    return code


def split_towns(text: str) -> list[str]:
    """'城关镇,东关镇' (also ，or 、 between names) -> ['城关镇', '东关镇']."""
    return [t.strip() for t in re.split(r"[,，、]", text) if t.strip()]


def _check_text(what: str, value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise NoticeError(f"the {what} {value!r} is not valid UTF-8 text") from None


def check_notice(
    area_code: str,
    area_name: str,
    towns: Sequence[str],
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    kind: str,
) -> list[str]:
    """Every field of a notice checked (NoticeError says what is wrong); the towns, stripped."""
    check_area_code(area_code)
    for what, text in (("area name", area_name), ("reason", reason), *(("town", t) for t in towns)):
        _check_text(what, text)
    if not area_name.strip():
        raise NoticeError("the area name is empty")
    if len(area_name) > 80:
        raise NoticeError(f"the area name has {len(area_name)} characters, at most 80")
    if kind not in NOTICE_KINDS:
        raise NoticeError(f"kind {kind!r} must be one of {', '.join(NOTICE_KINDS)}")
    if not reason.strip():
        raise NoticeError("the reason is empty")
    town_list = [t.strip() for t in towns]
    if not town_list or not all(town_list):
        raise NoticeError(f"towns must be a list of non-empty town names, got {list(towns)!r}")
    for what, value in (("start", starts_at), ("end", ends_at)):
        try:
            check_range(require_aware(value, what), f"the {what}")
        except (TypeError, ValueError) as exc:
            raise NoticeError(str(exc)) from None
    if ends_at <= starts_at:
        raise NoticeError(
            f"the end ({ends_at.isoformat()}) must be after the start ({starts_at.isoformat()})"
        )
    return town_list


async def add_notice(
    engine: AsyncEngine,
    *,
    area_code: str,
    area_name: str,
    towns: Sequence[str],
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    kind: str,
    now: datetime,
    published_at: datetime | None = None,
) -> Notice:
    """Store a notice (published at `published_at`, default `now`) and return it."""
    town_list = check_notice(area_code, area_name, towns, starts_at, ends_at, reason, kind)
    require_aware(now, "now")
    row = OutageNoticeRow(
        area_code=area_code,
        area_name=area_name.strip(),
        towns=town_list,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip(),
        kind=kind,
        published_at=published_at or now,
        created_at=now,
    )
    async with AsyncSession(engine, expire_on_commit=False) as session:
        async with session.begin():
            session.add(row)
        await session.refresh(row)
    return Notice.of(row)
