"""Every prompt the dialer's call flow plays is in the catalog (rendered by `make prompts`)."""

from datetime import UTC, datetime

from hotline.calls.dialer_call import notice_items
from hotline.dialer.jobs import FOLLOWUP_KINDS
from ivr.say_zh import render_items
from prompts.catalog import load_catalog

CATALOG = load_catalog(company="X")
FLOW = (
    "dialer_followup_intro",
    "dialer_followup_ask",
    "dialer_callback_intro",
    "dialer_thanks",
    "invalid_input",
)


def test_the_flow_prompts_and_one_per_follow_up_kind_exist():
    needed = [*FLOW, *(f"dialer_kind_{k}" for k in FOLLOWUP_KINDS)]
    assert [p for p in needed if p not in CATALOG] == []


def test_a_notice_reads_date_time_and_area_with_catalog_prompts():
    payload = {
        "starts_at": datetime(2026, 12, 3, 0, 0, tzinfo=UTC).isoformat(),
        "ends_at": datetime(2026, 12, 3, 10, 0, tzinfo=UTC).isoformat(),
        "area_code": "320101",
    }
    ids = render_items(notice_items(payload))
    assert [p for p in ids if p not in CATALOG] == []
    assert ids[0] == "dialer_notice_intro" and ids[-1] == "dialer_notice_confirm"
    assert "d3" in ids and "outage_until" in ids  # 十二月三日八点整 至 十八点整 (local time)
