"""A call's timeline, in the center's local time with Chinese labels: pure (rows in, entries out).

Sources: the calls row (start, end with its outcome, the agent's disposition when no
"disposition" event says it), the call's events in the order they were logged (menu steps with
the key pressed, queue, offers, rings, answer, survey, messages, the end of the talk), and the
work orders filed from the call. Entries are ordered by time; at the same instant the start comes
first, then the events in their logged order, then work orders, then the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hotline.recordings.sources import EventLike, messages_of
from hotline.web.calls.event_labels import EVENT_LABELS, Names
from hotline.web.calls.search import OUTCOME_LABELS

ORDER_KINDS = {"repair": "故障报修", "complaint": "投诉", "report": "举报"}
ORDER_STATUS = {"open": "待处理", "answered": "已答复", "closed": "已办结"}


@dataclass(frozen=True)
class Entry:
    at: datetime
    local: str  # "HH:MM:SS", with the date before it when not the call's first day
    kind: str  # the event kind (a CSS class)
    text: str
    message: int | None = None  # the message recording to play here (1-based), if any


def _sort_key(entry: tuple[datetime, int, int, Entry]) -> tuple[datetime, int, int]:
    return entry[0], entry[1], entry[2]


def _call_entries(call: Any) -> Iterable[tuple[datetime, int, str, str]]:
    """(at, rank, kind, text) from the calls row: rank 0 before the events, 3 after them."""
    if call.direction == "outbound":
        yield call.started_at, 0, "start", f"呼出开始：拨打 {call.dnid or '未知号码'}"
    else:
        trunk = f"（线路 {call.trunk}）" if call.trunk else ""
        yield call.started_at, 0, "start", f"来电：{call.caller_number or '未知号码'}{trunk}"
    if call.ended_at is not None:
        outcome = OUTCOME_LABELS.get(call.outcome or "", call.outcome or "进行中")
        yield call.ended_at, 3, "end", f"结束：{outcome}"


def _disposition(call: Any, names: Names) -> tuple[datetime, int, str, str] | None:
    if call.disposed_at is None:
        return None
    category = names.category(call.agent_category)
    note = f"：{call.disposition_note}" if call.disposition_note else ""
    return call.disposed_at, 1, "disposition", f"{names.agent(call.disposed_by)} 话后小结（{category}）{note}"


def _order_entries(orders: Iterable[Any]) -> Iterable[tuple[datetime, int, str, str]]:
    for o in orders:
        kind = ORDER_KINDS.get(o.kind, o.kind)
        status = ORDER_STATUS.get(o.status, o.status)
        yield o.created_at, 2, "work_order", f"创建工单 {o.number}（{kind}，{status}）由 {o.created_by}"
        if o.closed_at is not None:
            yield o.closed_at, 2, "work_order", f"工单 {o.number} 办结"


def _event_text(event: EventLike, names: Names) -> str:
    label: Callable[[Mapping[str, Any], Names], str] | None = EVENT_LABELS.get(event.kind)
    return label(event.data, names) if label is not None else f"事件 {event.kind}"


def timeline(
    call: Any, events: list[EventLike], orders: Iterable[Any], tz: ZoneInfo, names: Names
) -> list[Entry]:
    """The call's entries in order (see the module doc)."""
    first_day = call.started_at.astimezone(tz).date()
    numbered = {m.path: i for i, m in enumerate(messages_of(call, events), start=1)}

    def entry(at: datetime, kind: str, text: str, message: int | None = None) -> Entry:
        local = at.astimezone(tz)
        shown = f"{local:%H:%M:%S}" if local.date() == first_day else f"{local:%m-%d %H:%M:%S}"
        return Entry(at, shown, kind, text, message)

    items = [(at, rank, 0, entry(at, kind, text)) for at, rank, kind, text in _call_entries(call)]
    for seq, event in enumerate(events):
        path = event.data.get("path")
        message = numbered.get(path) if isinstance(path, str) else None
        items.append((event.at, 1, seq, entry(event.at, event.kind, _event_text(event, names), message)))
    if not any(e.kind == "disposition" for e in events) and (d := _disposition(call, names)) is not None:
        items.append((d[0], d[1], len(events), entry(d[0], d[2], d[3])))
    items += [(at, rank, 0, entry(at, kind, text)) for at, rank, kind, text in _order_entries(orders)]
    return [e for *_, e in sorted(items, key=_sort_key)]
