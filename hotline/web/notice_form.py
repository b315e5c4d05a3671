"""The outage notice form of the console, checked field by field with Chinese messages (the store
checks again: hotline.selfservice.notices.check_notice). Pure: no I/O.

Times are what a `datetime-local` input sends ('2026-11-30T08:00'), in the call center's time
(Asia/Shanghai), like `hotline outage add --start`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.datastructures import FormData

from hotline.selfservice.local_time import LOCAL_TZ, check_range, to_local
from hotline.selfservice.notices import AREA_CODE, split_towns
from hotline.selfservice.records import Notice
from hotline.web.admin_kit import BadForm, text_field

KIND_LABELS = {"planned": "计划停电", "fault": "故障停电"}
REASON_MAX = 500
TOWNS_MAX = 1000


@dataclass(frozen=True)
class NoticeFields:
    kind: str
    area_code: str
    area_name: str
    towns: list[str]
    starts_at: datetime  # aware
    ends_at: datetime
    reason: str

    def store_args(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "area_code": self.area_code,
            "area_name": self.area_name,
            "towns": self.towns,
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "reason": self.reason,
        }


def local_input(value: datetime) -> str:
    """A stored time as a datetime-local input's value (the center's time)."""
    return to_local(value).strftime("%Y-%m-%dT%H:%M")


def _time(form: FormData, name: str, label: str) -> datetime:
    text = text_field(form, name, label, max_len=40)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise BadForm(f"{label}格式不对，应为 2026-11-30 08:00 这样的日期和时间。") from None
    value = value.replace(tzinfo=LOCAL_TZ) if value.tzinfo is None else value
    try:
        return check_range(value)
    except ValueError:
        raise BadForm(f"{label}超出范围（1970 至 2999 年）。") from None


def notice_fields(form: FormData) -> NoticeFields:
    """The notice the form describes; BadForm with the first problem found."""
    kind = text_field(form, "kind", "停电类型", max_len=10)
    if kind not in KIND_LABELS:
        raise BadForm("停电类型应为计划停电或故障停电。")
    area_code = text_field(form, "area_code", "地区编码", max_len=12)
    if not AREA_CODE.fullmatch(area_code):
        raise BadForm("地区编码应为 4 至 12 位数字（语音菜单请来电者输入 6 位）。")
    area_name = text_field(form, "area_name", "地区名称", max_len=80)
    towns = split_towns(text_field(form, "towns", "影响乡镇", max_len=TOWNS_MAX))
    if not towns:
        raise BadForm("请填写影响的乡镇（多个用逗号或顿号分隔）。")
    starts_at, ends_at = _time(form, "starts_at", "开始时间"), _time(form, "ends_at", "结束时间")
    if ends_at <= starts_at:
        raise BadForm("结束时间应晚于开始时间。")
    reason = text_field(form, "reason", "停电原因", max_len=REASON_MAX)
    return NoticeFields(kind, area_code, area_name, towns, starts_at, ends_at, reason)


def notice_detail(notice: Notice) -> dict[str, Any]:
    """A notice as the audit log keeps it."""
    return {
        "id": notice.id,
        "kind": notice.kind,
        "area_code": notice.area_code,
        "area_name": notice.area_name,
        "towns": list(notice.towns),
        "starts_at": notice.starts_at.isoformat(),
        "ends_at": notice.ends_at.isoformat(),
        "reason": notice.reason,
    }
