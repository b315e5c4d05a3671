"""The call search: the form's parameters checked (pure), then one indexed, paginated query.

Filters (all optional, ANDed): a phone number in any written form (the caller's number, or the
number an outbound call dialled), a range of local dates (default: the last 7 days; at most
366), the agent's 工号, the outcome (or 进行中: no outcome yet), the business category (the
agent's disposition if there is one, else the menu's, as the reports count it). Newest first,
PAGE_SIZE a page. Every filter has its index (calls: started_at, caller_number, dnid, agent_id,
outcome, agent_category, business_category).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.phone_number import LANDLINE, MOBILE, stored_forms
from hotline.reports.labels import INBOUND_OUTCOME, OUTBOUND_OUTCOME
from hotline.reports.period import FIRST_YEAR, LAST_YEAR
from hotline.store.models import OUTCOMES, Call

PAGE_SIZE = 50
DEFAULT_DAYS = 7
MAX_DAYS = 366
MAX_PAGE = 10_000
IN_PROGRESS = "in_progress"
OUTCOME_LABELS = {**OUTBOUND_OUTCOME, **INBOUND_OUTCOME}  # "failed"/"blocked": the inbound words
AGENT_ID = re.compile(r"[0-9A-Za-z]{1,16}")


class BadSearch(ValueError):
    """A search parameter that cannot be used; the message is for the supervisor (Chinese)."""


@dataclass(frozen=True)
class CallSearch:
    number: str = ""
    forms: tuple[str, ...] = ()
    first: date = date(1970, 1, 1)  # local dates, inclusive
    last: date = date(1970, 1, 1)
    agent: str = ""
    outcome: str = ""
    category: str = ""
    page: int = 1

    def query(self, page: int | None = None) -> dict[str, str]:
        """The parameters of this search (for links to other pages)."""
        values = {
            "number": self.number,
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "agent": self.agent,
            "outcome": self.outcome,
            "category": self.category,
            "page": str(page or self.page),
        }
        return {k: v for k, v in values.items() if v}


def search_forms(text: str) -> tuple[str, ...]:
    """The stored forms of a number (hotline.phone_number.stored_forms) and their '+86' forms
    (a SIP trunk may hand over E.164 caller IDs)."""
    forms = stored_forms(text)
    if not forms:
        return ()
    national = forms[0]
    if MOBILE.fullmatch(national):
        return (*forms, "+86" + national)
    if LANDLINE.fullmatch(national):
        return (*forms, "+86" + national[1:])
    return forms


def _date(value: str, what: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadSearch(f"{what} “{value[:20]}” 无效：应为日期，如 2026-12-01") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BadSearch(f"{what} “{value[:20]}” 超出范围（{FIRST_YEAR}–{LAST_YEAR} 年）")
    return day


def _choice(value: str, allowed: Mapping[str, str] | set[str], what: str) -> str:
    if value and value not in allowed:
        raise BadSearch(f"{what} “{value[:20]}” 无效")
    return value


def parse_search(params: Mapping[str, str], today: date, categories: Mapping[str, str]) -> CallSearch:
    """The search the query string asks for; BadSearch naming the first bad parameter."""
    number = params.get("number", "").strip()
    forms = search_forms(number) if number else ()
    if number and not forms:
        raise BadSearch(f"号码 “{number[:20]}” 无效：只能包含数字、空格、- ( ) . 和开头的 +86")
    last = _date(params["to"], "结束日期") if params.get("to") else today
    first = (
        _date(params["from"], "开始日期") if params.get("from") else last - timedelta(days=DEFAULT_DAYS - 1)
    )
    if first > last:
        raise BadSearch("开始日期晚于结束日期")
    if (last - first).days >= MAX_DAYS:
        raise BadSearch(f"日期范围最多 {MAX_DAYS} 天")
    agent = params.get("agent", "").strip()
    if agent and not AGENT_ID.fullmatch(agent):
        raise BadSearch(f"工号 “{agent[:20]}” 无效")
    outcome = _choice(params.get("outcome", ""), {*OUTCOMES, IN_PROGRESS}, "结果")
    category = _choice(params.get("category", ""), categories, "业务类别")
    page_text = params.get("page", "1")
    if not page_text.isascii() or not page_text.isdigit() or not 1 <= int(page_text) <= MAX_PAGE:
        raise BadSearch(f"页码 “{page_text[:20]}” 无效")
    return CallSearch(number, forms, first, last, agent, outcome, category, int(page_text))


def conditions(search: CallSearch, tz: ZoneInfo) -> list[ColumnElement[bool]]:
    start = datetime.combine(search.first, time(0), tzinfo=tz)
    end = datetime.combine(search.last + timedelta(days=1), time(0), tzinfo=tz)
    where: list[ColumnElement[bool]] = [Call.started_at >= start, Call.started_at < end]
    if search.forms:
        where.append(or_(Call.caller_number.in_(search.forms), Call.dnid.in_(search.forms)))
    if search.agent:
        where.append(Call.agent_id == search.agent)
    if search.outcome == IN_PROGRESS:
        where.append(Call.outcome.is_(None))
    elif search.outcome:
        where.append(Call.outcome == search.outcome)
    if search.category:
        mine = Call.agent_category == search.category
        menus = and_(Call.agent_category.is_(None), Call.business_category == search.category)
        where.append(or_(mine, menus))
    return where


@dataclass(frozen=True)
class Found:
    rows: list[Any]  # Call rows (columns of LISTED)
    total: int
    pages: int


LISTED = (
    Call.uniqueid,
    Call.direction,
    Call.started_at,
    Call.caller_number,
    Call.dnid,
    Call.agent_id,
    Call.outcome,
    Call.agent_category,
    Call.business_category,
    Call.talk_s,
    Call.recording_path,
    Call.recording_deleted_at,
)


async def run_search(engine: AsyncEngine, search: CallSearch, tz: ZoneInfo) -> Found:
    """One page of the matching calls, newest first, and how many match in all."""
    where = conditions(search, tz)
    page = (
        select(*LISTED)
        .where(*where)
        .order_by(Call.started_at.desc(), Call.id.desc())
        .limit(PAGE_SIZE)
        .offset((search.page - 1) * PAGE_SIZE)
    )
    async with engine.connect() as conn:
        total = int(await conn.scalar(select(func.count()).select_from(Call).where(*where)) or 0)
        rows = list((await conn.execute(page)).all())
    return Found(rows, total, max(1, -(-total // PAGE_SIZE)))
