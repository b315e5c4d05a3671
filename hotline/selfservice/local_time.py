"""The call center's local time (Asia/Shanghai): parsing what operators type, and reading out."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def parse_local(text: str, what: str = "time") -> datetime:
    """'2026-11-30 08:00' (local time) or with an offset ('2026-11-30T08:00+08:00') -> aware."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{what} {text!r} is not a date and time such as '2026-11-30 08:00' "
                         "(optionally with an offset: '2026-11-30 08:00+08:00')") from None
    return value.replace(tzinfo=LOCAL_TZ) if value.tzinfo is None else value


def to_local(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"refusing to convert the naive datetime {value!r} to local time")
    return value.astimezone(LOCAL_TZ)
