"""`hotline flags list|add|clear`: good input works and is audited, a repeat is a no-op that
says so, bad input is a one-line error (exit 2) and opens nothing. SQLite only."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from hotline.cli import app
from hotline.harassment.models import FlaggedNumberRow
from hotline.store.db import make_engine
from hotline.store.web_models import AuditRow


@pytest.fixture
def conf(tmp_path) -> Path:
    path = tmp_path / "hotline.yaml"
    path.write_text(
        f"company: X\ndatabase:\n  url: sqlite+aiosqlite:///{tmp_path / 'h.db'}\n", encoding="utf-8"
    )
    return path


def cli(conf: Path, *args: str):
    result = CliRunner().invoke(app, ["flags", *args, "--config", str(conf)], env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def rows(conf: Path, query) -> list:
    async def fetch() -> list:
        engine = make_engine(f"sqlite+aiosqlite:///{conf.parent / 'h.db'}")
        try:
            async with engine.connect() as c:
                return list((await c.execute(query)).all())
        finally:
            await engine.dispose()

    return asyncio.run(fetch())


def test_add_list_clear_and_the_audit_log(conf):
    added = cli(conf, "add", "+86 138-0000-1111", "--reason", "多次辱骂座席")
    assert added.exit_code == 0 and "number 13800001111 flagged" in added.stdout
    again = cli(conf, "add", "13800001111", "--reason", "又来了")
    assert again.exit_code == 0 and "was already flagged" in again.stdout and "多次辱骂座席" in again.stdout
    listed = cli(conf, "list")
    assert listed.exit_code == 0 and "13800001111" in listed.stdout and "多次辱骂座席" in listed.stdout
    cleared = cli(conf, "clear", "008613800001111")
    assert cleared.exit_code == 0 and "number 13800001111 cleared" in cleared.stdout
    assert "was not flagged" in cli(conf, "clear", "13800001111").stdout
    assert "no flagged numbers" in cli(conf, "list").stdout
    history = cli(conf, "list", "--all")
    assert "13800001111" in history.stdout and "cli:" in history.stdout
    (flag,) = rows(
        conf, select(FlaggedNumberRow.number, FlaggedNumberRow.flagged_by, FlaggedNumberRow.cleared_by)
    )
    assert (
        flag.number == "13800001111"
        and flag.flagged_by.startswith("cli:")
        and flag.cleared_by.startswith("cli:")
    )
    audits = rows(conf, select(AuditRow.action, AuditRow.username, AuditRow.detail).order_by(AuditRow.id))
    assert [a.action for a in audits] == ["flag_add", "flag_clear"]  # the no-ops are not changes
    assert json.loads(audits[0].detail)["number"] == "13800001111" and audits[0].username.startswith("cli:")


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["add", "138abc0000", "--reason", "x"], "character 'a'"),
        (["add", "", "--reason", "x"], "is empty"),
        (["add", "13800001111", "--reason", "  "], "原因不能为空"),
        (["add", "13800001111", "--reason", "x" * 201], "原因过长"),
        (["clear", "0551-123$4567"], "character '$'"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_creates_no_database(conf, args, fragment):
    result = cli(conf, *args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], result.stderr
    assert not (conf.parent / "h.db").exists()
