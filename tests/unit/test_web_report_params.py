"""The reports page's parameters (hotline/web/report_params.py): pure, no clock read."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import unquote

import pytest

from hotline.reports.period import day_period, month_period, year_period, zone
from hotline.web.report_params import (
    BadReportRequest,
    content_disposition,
    download_filename,
    parse_format,
    parse_report_period,
    picker_defaults,
)

SHANGHAI = zone("Asia/Shanghai")


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("day", "2026-12-02", day_period(datetime(2026, 12, 2).date(), SHANGHAI)),
        ("day", " 2026-12-02 ", day_period(datetime(2026, 12, 2).date(), SHANGHAI)),
        ("month", "2026-02", month_period(2026, 2, SHANGHAI)),
        ("year", "2026", year_period(2026, SHANGHAI)),
    ],
)
def test_a_period_is_the_one_hotline_report_uses(kind, value, expected):
    assert parse_report_period(kind, value, SHANGHAI) == expected


@pytest.mark.parametrize(
    ("kind", "value"),
    [(None, "2026"), ("Day", "2026-12-02"), ("day", None), ("day", "2026-02-29"), ("month", "2026-1"),
     ("year", "1969"), ("year", "３０２６"), ("month", "２０２６-１１"), ("day", "２０２６-１１-２３"),
     ("day", "2026-12-02" * 2)],
)  # fmt: skip
def test_a_bad_period_is_refused_in_chinese(kind, value):
    with pytest.raises(BadReportRequest, match="[报时]"):
        parse_report_period(kind, value, SHANGHAI)


def test_only_csv_and_json_download():
    assert [parse_format(f) for f in ("csv", "json")] == ["csv", "json"]
    for bad in (None, "html", "CSV", "text"):
        with pytest.raises(BadReportRequest, match="下载格式无效"):
            parse_format(bad)


def test_defaults_are_the_local_today_month_and_year():
    assert picker_defaults(datetime(2026, 12, 31, 16, 0, tzinfo=UTC), SHANGHAI) == {
        "day": "2027-01-01",
        "month": "2027-01",
        "year": "2027",
    }
    assert picker_defaults(datetime(2026, 12, 31, 15, 59, tzinfo=UTC), SHANGHAI)["year"] == "2026"
    with pytest.raises(ValueError, match="now"):
        picker_defaults(datetime(2026, 12, 31), SHANGHAI)


def test_the_file_name_is_chinese_in_utf8_with_an_ascii_fallback():
    period = month_period(2026, 12, SHANGHAI)
    header = content_disposition('平安/县"\r\n', period, "csv")
    fallback, _, encoded = header.partition("; filename*=UTF-8''")
    assert fallback == 'attachment; filename="95598-report-2026-12.csv"'
    assert (
        unquote(encoded)
        == download_filename('平安/县"\r\n', period, "csv")
        == "平安_县___95598话务统计_2026-12.csv"
    )
    assert header.isascii() and "\r" not in header and "\n" not in header
