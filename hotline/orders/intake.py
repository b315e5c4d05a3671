"""New orders as the desk hands them over, validated with pydantic: `RepairRequest` (故障报修)
and `ComplaintRequest` (投诉 / 举报). Build them with `RepairRequest.parse(fields)`: OrderInputError
(a ValueError) names every bad field in Chinese, and nothing is stored.

Blank optional fields (an empty form input) count as missing. The caller's number is kept in its
national form (hotline.phone_number); one that cannot be a number is refused, never rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError

from hotline.config_text import control_char
from hotline.orders.errors import OrderInputError
from hotline.phone_number import normalise

LABELS = {
    "area_code": "地区编码",
    "address": "地址",
    "fault_type": "故障类型",
    "fault_subtype": "故障子类",
    "description": "描述",
    "account_number": "户号",
    "caller_number": "来电号码",
    "call_uniqueid": "来电编号",
    "fault_recording": "报修录音",
    "category": "业务分类",
    "kind": "工单类型",
    "note": "处理意见",
}
MAX_TEXT = 2000


def _matching(pattern: str, message: str) -> AfterValidator:
    compiled = re.compile(pattern)

    def check(v: str) -> str:
        if not compiled.fullmatch(v):
            raise ValueError(message)
        return v

    return AfterValidator(check)


def _line(max_chars: int) -> AfterValidator:
    def check(v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("不能为空")
        if len(v) > max_chars:
            raise ValueError(f"最多 {max_chars} 个字符（现有 {len(v)} 个）")
        bad = control_char(v)
        if bad:
            raise ValueError(f"须为一行文字，不能含控制字符（{bad}）")
        return v

    return AfterValidator(check)


def text_block(v: str, max_chars: int = MAX_TEXT, *, required: bool = True) -> str:
    """Free text of several lines: line breaks kept (CRLF -> LF), other control characters refused."""
    v = v.replace("\r\n", "\n").strip()
    if required and not v:
        raise ValueError("不能为空")
    if len(v) > max_chars:
        raise ValueError(f"最多 {max_chars} 个字符（现有 {len(v)} 个）")
    bad = control_char(v.replace("\n", "").replace("\t", ""))
    if bad:
        raise ValueError(f"不能含控制字符（{bad}）")
    return v


def _blank_is_none(v: Any) -> Any:
    return None if isinstance(v, str) and not v.strip() else v


def _phone(v: str) -> str:
    try:
        return normalise(v, "来电号码")
    except ValueError as exc:
        raise ValueError(f"不是可用的电话号码: {exc}") from None


BlankIsNone = BeforeValidator(_blank_is_none)
AreaCode = Annotated[str, _matching(r"[0-9]{4,12}", "应为 4-12 位数字")]
Description = Annotated[str, AfterValidator(text_block)]
AccountNumber = Annotated[str, _matching(r"[0-9]{6,20}", "应为 6-20 位数字")]
Phone = Annotated[str, AfterValidator(_phone)]
CallId = Annotated[str, _matching(r"[A-Za-z0-9._-]{1,64}", "应为 1-64 个字母、数字或 . _ -")]
Recording = Annotated[str, _line(255), _matching(r"/\S+", "应为录音文件的绝对路径（不含空格）")]
Category = Annotated[str, _matching(r"[a-z][a-z0-9_]{0,39}", "应为业务分类的代码（如 fault_repair）")]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def parse(cls, data: Mapping[str, object]) -> Self:
        """Validated fields, or OrderInputError listing every problem (Chinese field names)."""
        try:
            return cls.model_validate(dict(data))
        except ValidationError as exc:
            raise OrderInputError(problems(exc)) from None


def problems(exc: ValidationError) -> str:
    """'地址: 不能为空; 户号: 应为 6-20 位数字' from a pydantic ValidationError."""
    out = []
    for e in exc.errors():
        name = str(e["loc"][0]) if e["loc"] else ""
        label = LABELS.get(name, name or "(表单)")
        msg = "必填" if e["type"] == "missing" else e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "不是此表单的字段"
        elif e["type"] == "literal_error":
            msg = f"应为 {e.get('ctx', {}).get('expected', '')} 之一"
        out.append(f"{label}: {msg}")
    return "; ".join(out)


class RepairRequest(_Request):
    """A fault repair (故障报修), from the desk."""

    area_code: AreaCode
    address: Annotated[str, _line(200)]
    fault_type: Literal["equipment", "line", "other"]
    fault_subtype: Annotated[str, _line(40)]
    description: Description
    account_number: Annotated[AccountNumber | None, BlankIsNone] = None
    caller_number: Annotated[Phone | None, BlankIsNone] = None
    call_uniqueid: Annotated[CallId | None, BlankIsNone] = None
    fault_recording: Annotated[Recording | None, BlankIsNone] = None  # the caller's recorded description
    category: Annotated[Category | None, BlankIsNone] = None  # the agent category it is filed under


class ComplaintRequest(_Request):
    """A complaint (投诉) or a report (举报), from the desk; due dates follow from `orders:`."""

    kind: Literal["complaint", "report"]
    description: Description
    address: Annotated[Annotated[str, _line(200)] | None, BlankIsNone] = None
    area_code: Annotated[AreaCode | None, BlankIsNone] = None
    account_number: Annotated[AccountNumber | None, BlankIsNone] = None
    caller_number: Annotated[Phone | None, BlankIsNone] = None
    call_uniqueid: Annotated[CallId | None, BlankIsNone] = None
    category: Annotated[Category | None, BlankIsNone] = None
