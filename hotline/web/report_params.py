"""What the reports page accepts (pure: no I/O, no clock): kind day|month|year and its value, the
download format, the pickers' defaults, the download's file name.

A bad parameter is a `BadReportRequest` whose message is Chinese and names what was expected; the
page answers 400 with it and nothing else happens.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from hotline.reports.period import FIRST_YEAR, LAST_YEAR, Period, parse_period
from hotline.store.utc_datetime import require_aware

KINDS = {"day": "日报", "month": "月报", "year": "年报"}
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}
_EXPECTED = {
    "day": "日期，格式为 年-月-日，例如 2026-12-02",
    "month": "月份，格式为 年-月，例如 2026-12",
    "year": f"四位数的年份（{FIRST_YEAR}–{LAST_YEAR}），例如 2026",
}
_MAX_VALUE = 16  # longer than any valid value: refused before any parsing, never echoed whole
_UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


class BadReportRequest(ValueError):
    """A parameter of the reports page that is not one we accept (message in Chinese)."""


def parse_kind(kind: str | None) -> str:
    if kind not in KINDS:
        raise BadReportRequest("报表类型无效：请选择 日报（day）、月报（month）或 年报（year）。")
    return kind


def parse_report_period(kind: str | None, value: str | None, tz: ZoneInfo) -> Period:
    """(kind, value) from the query string -> the local Period `hotline report` would report."""
    k = parse_kind(kind)
    text = (value or "").strip()
    if not text:
        raise BadReportRequest(f"缺少{KINDS[k]}的时间：请填写{_EXPECTED[k]}。")
    if len(text) > _MAX_VALUE:
        raise BadReportRequest(f"{KINDS[k]}的时间无效：应为{_EXPECTED[k]}。")
    try:
        if k == "day":
            return parse_period(day=text, tz=tz)
        return parse_period(month=text, tz=tz) if k == "month" else parse_period(year=text, tz=tz)
    except ValueError:
        raise BadReportRequest(f"{KINDS[k]}的时间 “{text}” 无效：应为{_EXPECTED[k]}。") from None


def parse_format(fmt: str | None) -> str:
    if fmt not in FORMATS:
        raise BadReportRequest("下载格式无效：请选择 CSV 或 JSON。")
    return fmt


def picker_defaults(now: datetime, tz: ZoneInfo) -> dict[str, str]:
    """Today, this month and this year in the center's zone (what the pickers show first)."""
    require_aware(now, "now")
    local = now.astimezone(tz)
    return {"day": local.date().isoformat(), "month": f"{local:%Y-%m}", "year": f"{local:%Y}"}


def download_filename(company: str, period: Period, fmt: str) -> str:
    """'平安县95598话务统计_2026-12.csv': no path separator or control character in it."""
    name = f"{company}95598话务统计_{period.label}.{parse_format(fmt)}"
    return _UNSAFE_IN_FILENAME.sub("_", name)


def content_disposition(company: str, period: Period, fmt: str) -> str:
    """`attachment` with the Chinese name in UTF-8 (RFC 6266 / RFC 5987 `filename*`) and an ASCII
    name for old clients ('95598-report-2026-12.csv')."""
    name = download_filename(company, period, fmt)
    fallback = f"95598-report-{period.label}.{fmt}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
