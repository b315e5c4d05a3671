"""New orders' fields, the `orders:` settings, and how the pages print a history step."""

from __future__ import annotations

import pytest

from hotline.orders import ComplaintRequest, OrderInputError, RepairRequest
from hotline.orders.display import detail_text
from hotline.settings import Settings

REPAIR = {
    "area_code": "110105",
    "address": " 城关镇东街 1 号 ",
    "fault_type": "line",
    "fault_subtype": "断线",
    "description": "整条街停电\r\n电线落地",
}


def test_a_repair_is_kept_clean():
    r = RepairRequest.parse(
        {**REPAIR, "caller_number": "+86 138-0000-1111", "account_number": "", "call_uniqueid": " "}
    )
    assert r.address == "城关镇东街 1 号"
    assert r.description == "整条街停电\n电线落地"
    assert r.caller_number == "13800001111"
    assert r.account_number is None and r.call_uniqueid is None  # blank form inputs = missing


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("area_code", "11a", "地区编码: 应为 4-12 位数字"),
        ("address", "  ", "地址: 不能为空"),
        ("address", "东街\n1 号", "地址: 须为一行文字"),
        ("fault_type", "wind", "故障类型: 应为 'equipment', 'line' or 'other' 之一"),
        ("description", "停电\x07", "描述: 不能含控制字符（U+0007）"),
        ("description", "长" * 2001, "描述: 最多 2000 个字符"),
        ("caller_number", "138abc", "来电号码: 不是可用的电话号码"),
        ("account_number", "12345", "户号: 应为 6-20 位数字"),
        ("fault_recording", "fault-1.wav", "报修录音: 应为录音文件的绝对路径"),
        ("category", "故障报修", "业务分类: 应为业务分类的代码"),
        ("urgent", "1", "urgent: 不是此表单的字段"),
    ],
)
def test_bad_repair_fields_are_named_in_chinese(field, value, message):
    with pytest.raises(OrderInputError) as caught:
        RepairRequest.parse({**REPAIR, field: value})
    assert message in str(caught.value)


def test_every_problem_at_once_and_missing_fields():
    with pytest.raises(OrderInputError) as caught:
        RepairRequest.parse({"area_code": "1", "fault_type": "line"})
    assert str(caught.value) == ("地区编码: 应为 4-12 位数字; 地址: 必填; 故障子类: 必填; 描述: 必填")


def test_complaints_and_reports():
    c = ComplaintRequest.parse({"kind": "report", "description": "抄表员收钱", "address": ""})
    assert (c.kind, c.address, c.caller_number) == ("report", None, None)
    with pytest.raises(OrderInputError, match="工单类型: 应为 'complaint' or 'report' 之一"):
        ComplaintRequest.parse({"kind": "repair", "description": "x"})


def test_orders_settings():
    s = Settings.model_validate({"company": "X"})
    assert (s.orders.merge_window_minutes, s.orders.answer_working_days) == (240, 5)
    assert (s.orders.settle_working_days, s.orders.number_prefix) == (10, "GD")
    with pytest.raises(ValueError, match="must not be shorter than answer_working_days"):
        Settings.model_validate(
            {"company": "X", "orders": {"answer_working_days": 5, "settle_working_days": 3}}
        )
    with pytest.raises(ValueError, match="String should match pattern"):
        Settings.model_validate({"company": "X", "orders": {"number_prefix": "gd-1"}})
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        Settings.model_validate({"company": "X", "orders": {"merge_minutes": 10}})


def test_a_history_step_reads_as_one_line():
    detail = {
        "note": "已更换熔断器",
        "followup_job_id": None,
        "followup_refused": "号码 13800001111 在免打扰名单上，不回访 (do-not-call list)",
        "late": True,
        "closed_at": "2026-11-26T07:30:00+00:00",
    }
    assert detail_text(detail) == (
        "意见：已更换熔断器；办结时间：2026-11-26 15:30；"
        "未安排回访：号码 13800001111 在免打扰名单上，不回访 (do-not-call list)；超期"
    )
    published = {"since_created_s": 0.25, "since_call_end_s": 61.4, "within_norm": True}
    assert detail_text(published) == "挂机后 61 秒下发；受理后 0 秒下发"
    assert detail_text({"answer_due": "2026-12-03T16:00:00+00:00"}) == "答复期限：2026-12-03 24:00"
    assert detail_text({"late": False}) == ""
