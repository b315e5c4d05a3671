"""`hotline orders list|show|answer|close` on a store holding a repair and two complaints (the
CLI reads the wall clock: the old complaint is long overdue, the new one not yet)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

from order_kit import QueueStandIn, order_settings, repair
from sqlalchemy import select
from typer.testing import CliRunner

from hotline.cli import app
from hotline.clock import utcnow
from hotline.dialer.models import OutboundJobRow
from hotline.orders import ComplaintRequest, create_complaint, create_repair
from hotline.store.db import make_engine, upgrade


def cli(config, *args: str):
    result = CliRunner().invoke(app, ["orders", *args, "--config", str(config)], env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def seed(db_url: str) -> tuple[str, str, str]:
    """(a repair, a complaint taken 40 days ago, one taken now)."""

    async def work() -> tuple[str, str, str]:
        await upgrade(db_url)
        engine = make_engine(db_url)
        now, s = utcnow(), order_settings(db_url)
        try:
            request = repair(description="[red]电线落地[/red]")
            fix, _ = await create_repair(
                engine, s, QueueStandIn(), request, "001", now - timedelta(minutes=1)
            )
            fields = {"kind": "complaint", "description": "抄表不准", "caller_number": "+86 139 0000 2222"}
            old = await create_complaint(
                engine, s, ComplaintRequest.parse(fields), "002", now - timedelta(days=40)
            )
            new = await create_complaint(engine, s, ComplaintRequest.parse(fields), "002", now)
            return fix.number, old.number, new.number
        finally:
            await engine.dispose()

    return asyncio.run(work())


def jobs(db_url: str) -> list[tuple[str, str]]:
    async def work() -> list[tuple[str, str]]:
        engine = make_engine(db_url)
        try:
            async with engine.connect() as conn:
                return [
                    tuple(r) for r in await conn.execute(select(OutboundJobRow.ref, OutboundJobRow.number))
                ]
        finally:
            await engine.dispose()

    return asyncio.run(work())


def numbers(config, *args: str) -> list[str]:
    return [o["number"] for o in json.loads(cli(config, "list", *args, "--format", "json").stdout)]


def test_list_show_answer_close(config, db_url):
    fix, old, complaint = seed(db_url)
    listed = json.loads(cli(config, "list", "--format", "json").stdout)
    assert [(o["number"], o["status"]) for o in listed] == [(complaint, "open"), (fix, "open"), (old, "open")]
    assert datetime.fromisoformat(listed[0]["answer_due"]) > utcnow()
    text = cli(config, "list", "--kind", "repair").stdout
    assert fix in text and complaint not in text and "[red]电线落地[/red]" in text  # never markup
    assert numbers(config, "--caller", "13900002222") == [complaint, old]
    assert numbers(config, "--overdue") == [old]
    assert "超期" in cli(config, "show", old).stdout
    r = cli(config, "answer", complaint.lower(), "--note", "已向客户说明")
    assert r.exit_code == 0 and f"order {complaint} answered" in r.stdout
    r = cli(config, "close", complaint, "--note", "已处理")
    assert r.exit_code == 0 and f"order {complaint} closed; follow-up job" in r.stdout, r.output
    assert jobs(db_url) == [(f"order-{complaint}", "13900002222")]
    shown = cli(config, "show", complaint).stdout
    assert "已办结" in shown and "已向客户说明" in shown and "已处理" in shown and "回访任务" in shown
    doc = json.loads(cli(config, "show", complaint, "--format", "json").stdout)
    assert [h["action"] for h in doc["history"]] == ["created", "answered", "closed"]
    assert doc["history"][1]["actor"].startswith("cli:")
    assert numbers(config) == [fix, old]
    assert numbers(config, "--status", "closed") == [complaint]


def test_an_order_is_closed_once(config, db_url):
    fix, _, _ = seed(db_url)
    assert cli(config, "close", fix).exit_code == 0
    r = cli(config, "close", fix)
    one_line_error(r, f"工单 {fix} 已办结")


def test_bad_input_is_one_line_and_exit_2(config, db_url):
    fix, _, complaint = seed(db_url)
    one_line_error(cli(config, "show", "GD202611269999"), "工单 GD202611269999 不存在")
    one_line_error(cli(config, "show", "12345"), "is not an order number")
    one_line_error(cli(config, "answer", fix, "--note", "x"), "故障报修，无需答复")
    one_line_error(cli(config, "answer", complaint, "--note", " "), "处理意见: 不能为空")
    one_line_error(cli(config, "list", "--caller", "138abc"), "--caller '138abc' has the character 'a'")
    r = cli(config, "list", "--status", "pending")
    assert r.exit_code == 2 and "Invalid value for '--status'" in r.output
    assert jobs(db_url) == []
