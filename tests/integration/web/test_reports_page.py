"""The reports page through HTTP (httpx on the composed console app, console_app.py), over the
hand-made report day (report_day.py): roles, the pickers' defaults, bad parameters, the HTML
report as `hotline report` renders it, CSV/JSON equal to `hotline report`'s exports."""

from __future__ import annotations

import asyncio
import gc
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import typer
from console_app import CountingExecutor, console_app, make_deps, write_config
from report_day import call
from sqlalchemy import insert
from typer.testing import CliRunner
from year_calls import write_year

from hotline.cli.report_cmd import report
from hotline.reports.html import render_html
from hotline.reports.period import year_period
from hotline.settings import Settings
from hotline.store.db import make_engine, upgrade
from hotline.store.models import Call
from hotline.web.report_offload import build_site_report
from hotline.web.reports_page import CENTER_TZ

NOW = datetime(2026, 12, 2, 5, 30, tzinfo=UTC)
HTML = {"accept": "text/html,application/xhtml+xml"}
PATHS = [
    "/reports",
    "/reports/view?kind=day&value=2026-11-23",
    "/reports/download?kind=day&value=2026-11-23&format=csv",
]
HOSTILE_CATEGORY = "<script>alert(1)</script>"
HOSTILE_NAME = "<img src=x onerror=alert(2)>"
cli = typer.Typer()
cli.command()(report)


@pytest.fixture
def offload():
    pool = CountingExecutor()
    yield pool
    pool.shutdown(wait=True)


@pytest.fixture
async def site(tmp_path, db_url, loaded_engine) -> tuple[Settings, Path]:
    """The report day plus one answered call filed under a hostile category; agent 001's name is
    hostile too. Returns the settings and the config file `hotline report` reads."""
    hostile = call("h1", "2026-11-23 11:00:00", "agent_answered", queued=30, wait=timedelta(seconds=5),
                   talk=60, agent="001", category=HOSTILE_CATEGORY)  # fmt: skip
    async with loaded_engine.begin() as conn:
        await conn.execute(insert(Call), [hostile])
    path = tmp_path / "hotline.yaml"
    return write_config(path, db_url, agent_name=HOSTILE_NAME), path


async def get(
    settings: Settings, offload, role: str | None, url: str, tmp_path: Path, now: datetime = NOW, **kw
) -> httpx.Response:
    app = console_app(make_deps(settings, offload, now), role, tmp_path)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        return await client.get(url, **kw)


async def cli_output(config: Path, *args: str) -> str:
    """What `hotline report ARGS` prints (run in a thread: it runs its own event loop)."""
    result = await asyncio.to_thread(CliRunner().invoke, cli, [*args, "--config", str(config)])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("role", ["supervisor", "admin"])
@pytest.mark.parametrize("path", PATHS)
async def test_supervisors_and_admins_get_the_pages(site, offload, tmp_path, role, path):
    r = await get(site[0], offload, role, path, tmp_path, headers=HTML)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("path", PATHS)
async def test_an_agent_is_refused_and_nothing_is_built(site, offload, tmp_path, path):
    r = await get(site[0], offload, "agent", path, tmp_path, headers=HTML)
    assert (r.status_code, offload.submitted) == (403, 0)
    assert "无权访问" in r.text


@pytest.mark.parametrize("path", PATHS)
async def test_a_logged_out_browser_goes_to_the_login_page(site, offload, tmp_path, path):
    r = await get(site[0], offload, None, path, tmp_path, headers=HTML)
    assert (r.status_code, r.headers["location"]) == (303, f"/login?next={quote(path, safe='')}")
    r = await get(site[0], offload, None, path, tmp_path)  # not a browser page load: 401
    assert (r.status_code, offload.submitted) == (401, 0)


async def test_pickers_default_to_today_in_the_centers_zone(site, offload, tmp_path):
    new_year = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)  # already 2027-01-01 01:30 in Shanghai
    r = await get(site[0], offload, "supervisor", "/reports", tmp_path, now=new_year)
    inputs = dict(
        re.findall(r'<input type="(date|month|number)" name="value" id="value-\w+" value="([^"]*)"', r.text)
    )
    assert inputs == {"date": "2027-01-01", "month": "2027-01", "number": "2027"}
    assert "<h1>话务报表</h1>" in r.text and "Asia/Shanghai" in r.text
    back = await get(
        site[0], offload, "supervisor", "/reports?kind=month&value=2026-11", tmp_path, now=new_year
    )
    assert (
        'id="value-month" value="2026-11"' in back.text and 'id="value-day" value="2027-01-01"' in back.text
    )
    assert offload.submitted == 0


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("/reports/view?kind=week&value=2026-11", "报表类型无效"),
        ("/reports/view?value=2026-11-23", "报表类型无效"),
        ("/reports/view?kind=day", "缺少日报的时间"),
        ("/reports/view?kind=day&value=2026-11-31", "日报的时间 “2026-11-31” 无效：应为日期"),
        ("/reports/view?kind=day&value=2026-11", "日报的时间 “2026-11” 无效"),
        ("/reports/view?kind=month&value=2026-13", "月报的时间 “2026-13” 无效：应为月份"),
        ("/reports/view?kind=year&value=0001", "年报的时间 “0001” 无效：应为四位数的年份（1970–2999）"),
        ("/reports/view?kind=year&value=20266", "年报的时间 “20266” 无效"),
        ("/reports/view?kind=day&value=" + "9" * 400, "日报的时间无效"),
        ("/reports/download?kind=day&value=2026-11-23&format=xml", "下载格式无效"),
        ("/reports/download?kind=day&value=2026-11-23", "下载格式无效"),
        ("/reports/download?kind=month&value=11/2026&format=csv", "月报的时间 “11/2026” 无效"),
    ],
)
async def test_bad_parameters_are_refused_in_chinese_and_nothing_is_built(
    site, offload, tmp_path, query, message
):
    r = await get(site[0], offload, "supervisor", query, tmp_path, headers=HTML)
    assert (r.status_code, offload.submitted) == (400, 0)
    assert "参数错误" in r.text and message in r.text
    assert "9" * 20 not in r.text  # an overlong value is not echoed


async def test_a_value_is_shown_in_the_message_as_text(site, offload, tmp_path):
    r = await get(site[0], offload, "supervisor", "/reports/view?kind=day&value=<b>x", tmp_path)
    assert r.status_code == 400 and "“&lt;b&gt;x”" in r.text and "<b>x" not in r.text


async def test_the_report_is_hotline_reports_page_with_a_bar_back(site, offload, tmp_path):
    settings, config = site
    r = await get(settings, offload, "supervisor", "/reports/view?kind=day&value=2026-11-23", tmp_path)
    assert r.status_code == 200 and offload.submitted == 1
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in r.headers["content-security-policy"]
    bar = re.search(r'<nav class="console-bar".*?</nav>\n?', r.text, re.S)
    assert bar is not None and r.text.index("<body>") + len("<body>") == bar.start()
    assert 'href="/reports?kind=day&amp;value=2026-11-23"' in bar[0]
    assert 'href="/reports/download?kind=day&amp;value=2026-11-23&amp;format=json"' in bar[0]
    expected = await cli_output(config, "--day", "2026-11-23", "--format", "html")
    assert r.text.replace(bar[0], "") == expected
    assert "<h1>国家电网平安县供电服务热线 2026年11月23日 话务统计分析</h1>" in r.text


async def test_stored_and_configured_text_reaches_the_report_escaped(site, offload, tmp_path):
    r = await get(site[0], offload, "supervisor", "/reports/view?kind=day&value=2026-11-23", tmp_path)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text  # the category, as text
    assert "&lt;img src=x onerror=alert(2)&gt;" in r.text  # agent 001's name, as text
    assert "<script" not in r.text and "<img" not in r.text


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize(("kind", "value"), [("day", "2026-11-23"), ("month", "2026-11")])
async def test_downloads_equal_hotline_reports_exports(site, offload, tmp_path, fmt, kind, value):
    settings, config = site
    url = f"/reports/download?kind={kind}&value={value}&format={fmt}"
    r = await get(settings, offload, "admin", url, tmp_path)
    assert r.status_code == 200
    assert r.text == await cli_output(config, f"--{kind}", value, "--format", fmt)
    assert (
        r.headers["content-type"] == ("text/csv" if fmt == "csv" else "application/json") + "; charset=utf-8"
    )
    name = quote(f"平安县95598话务统计_{value}.{fmt}", safe="")
    assert r.headers["content-disposition"] == (
        f"attachment; filename=\"95598-report-{value}.{fmt}\"; filename*=UTF-8''{name}"
    )


async def test_an_unreadable_store_answers_503(tmp_path, offload):
    (tmp_path / "empty.db").write_bytes(b"")  # a file, but no tables in it
    settings = write_config(tmp_path / "hotline.yaml", f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    r = await get(settings, offload, "supervisor", "/reports/view?kind=day&value=2026-11-23", tmp_path)
    assert r.status_code == 503 and "报表暂时无法生成" in r.text


class LagMeter:
    """Ticks on the event loop every `interval` s and keeps how late the latest tick ever came."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval, self.max_lag, self.ticks = interval, 0.0, 0
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stop.is_set():
            due = loop.time() + self.interval
            await asyncio.sleep(self.interval)
            self.max_lag, self.ticks = max(self.max_lag, loop.time() - due), self.ticks + 1

    async def __aenter__(self) -> LagMeter:
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0)  # the ticker is running before the measured work starts
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._task is not None
        await self._task


@pytest.fixture
async def year_site(tmp_path) -> Settings:
    """A SQLite store holding a year (2025) of generated calls, 60 a day."""
    db = tmp_path / "year.db"
    await upgrade(f"sqlite+aiosqlite:///{db}")
    assert await asyncio.to_thread(write_year, db, 60) > 15_000
    return write_config(tmp_path / "hotline.yaml", f"sqlite+aiosqlite:///{db}")


@pytest.fixture
def frozen_heap():
    """The test process's heap (every module and fixture of the run) set aside from the garbage
    collector: a full collection stops EVERY thread for as long as that heap takes to walk, which
    is no work of the report's and would show up as loop lag in a long test run. (The daemon can do
    the same after start-up: gc.freeze().)"""
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


async def test_a_year_report_does_not_delay_the_event_loop(year_site, offload, tmp_path, frozen_heap):
    """The year report is built in the offload pool: the loop (which carries the calls) keeps
    ticking on time. Control: the same report built on the loop itself delays it visibly."""
    t0 = time.perf_counter()
    async with LagMeter() as meter:
        r = await get(year_site, offload, "supervisor", "/reports/view?kind=year&value=2025", tmp_path)
    took = time.perf_counter() - t0
    assert r.status_code == 200 and "2025年 话务统计分析" in r.text
    assert meter.ticks > took / meter.interval / 4, "the ticker hardly ran: the measurement is void"
    assert meter.max_lag < 0.1, f"the loop was held {meter.max_lag:.3f} s during a {took:.3f} s report"

    engine = make_engine(year_site.database.url)
    try:
        async with LagMeter() as on_loop:
            render_html(await build_site_report(engine, year_site, year_period(2025, CENTER_TZ), NOW))
    finally:
        await engine.dispose()
    # the control is also what shows the data is enough (not a time of its own: a faster machine
    # builds the report sooner, as CI's did in 0.47 s): on the loop, it holds the loop visibly
    assert on_loop.max_lag > 2 * meter.max_lag and on_loop.max_lag > 0.1, (
        f"built on the loop, the report held it {on_loop.max_lag:.3f} s (offloaded: {meter.max_lag:.3f} s)"
    )
