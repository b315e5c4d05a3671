"""The daemon's call flow over real FastAGI sockets, with scripted Asterisk ends and a real store."""

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from daemon_settings import daemon_settings
from fake_asterisk import FakeCall
from polling import until

from hotline.daemon.wiring import run_daemon
from hotline.selfservice.notices import add_notice
from hotline.services.peak_mode import switch
from hotline.store.db import make_engine
from hotline.store.queries import fetch_calls


async def calls_in(db_url):
    engine = make_engine(db_url)
    try:
        return await fetch_calls(engine)
    finally:
        await engine.dispose()


async def test_hangup_mid_greeting_is_one_ivr_only_row(daemon, db_url):
    evil = '"evil\nEXEC System ls"'
    call = FakeCall(
        daemon.server.port, "100.1", caller=evil, hang_up_on='STREAM FILE "/var/lib/hotline/prompts/greeting"'
    )
    await asyncio.wait_for(call.run(), 10)
    await daemon.ctx.recorder.flush()
    (row,) = await calls_in(db_url)
    assert row.uniqueid == "100.1" and row.outcome == "ivr_only"
    assert row.caller_number == evil  # verbatim
    assert row.started_at <= row.answered_at <= row.ended_at
    assert call.received[0] == "ANSWER" and call.received[1].startswith(
        'STREAM FILE "/var/lib/hotline/prompts/greeting"'
    )
    assert not any(c.startswith("EXEC System") for c in call.received)


async def test_ninth_caller_gets_busy_and_a_blocked_row(daemon, db_url):
    release = asyncio.Event()
    calls = [
        FakeCall(daemon.server.port, f"200.{i}", hang_up_on='STREAM FILE "/var/lib/hotline/prompts/greeting"')
        for i in range(8)
    ]
    tasks = [asyncio.create_task(c.run(release=release)) for c in calls]
    await until(lambda: sum(1 for c in calls if len(c.received) >= 2) == 8, 10, "8 calls in their greeting")
    ninth = FakeCall(daemon.server.port, "200.8")
    await asyncio.wait_for(ninth.run(), 10)
    assert ninth.received[:2] == ['SET VARIABLE "HOTLINE_DONE" "1"', 'EXEC "Busy" "5"']
    release.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 10)
    await daemon.ctx.recorder.flush()
    rows = {r.uniqueid: r for r in await calls_in(db_url)}
    assert len(rows) == 9
    assert rows["200.8"].outcome == "blocked"
    assert sorted(r.outcome for k, r in rows.items() if k != "200.8") == ["ivr_only"] * 8


async def test_agent_answers_then_survey_and_goodbye(daemon, db_url):
    call = FakeCall(
        daemon.server.port,
        "300.1",
        replies={
            'GET VARIABLE "DIALSTATUS"': b"200 result=1 (ANSWER)\n",
            'STREAM FILE "/var/lib/hotline/prompts/survey_agent"': b"200 result=52 endpos=100\n",  # key 4
        },
    )
    await asyncio.wait_for(call.run(), 10)
    await daemon.ctx.recorder.flush()
    (row,) = await calls_in(db_url)
    assert row.outcome == "agent_answered" and row.agent_id == "001" and row.survey_score == 4
    assert row.survey_source == "agent"  # the agent survey's scale, 1-5
    assert 0 <= row.talk_s < 1  # no AMI here: talk is counted from the Dial start
    assert row.recording_path == "/var/spool/asterisk/monitor/call-300.1.wav"
    assert 'EXEC "MixMonitor" "/var/spool/asterisk/monitor/call-300.1.wav"' in call.received
    p = "/var/lib/hotline/prompts"
    assert f'EXEC "Dial" "PJSIP/1001,12,gA({p}/whisper_consultation:{p}/agent_intro_001)"' in call.received
    assert call.received[-4:] == [
        f'STREAM FILE "{p}/survey_agent_thanks" ""',
        f'STREAM FILE "{p}/goodbye" ""',
        'SET VARIABLE "HOTLINE_DONE" "1"',
        "HANGUP",
    ]


async def test_the_menus_survey_is_recorded_with_its_scale(daemon, db_url):
    p = "/var/lib/hotline/prompts"
    call = FakeCall(
        daemon.server.port,
        "301.1",
        replies={  # 6 = 满意度评价和留言, 1 = 满意度评价, 2 = 基本满意
            f'STREAM FILE "{p}/menu_top"': b"200 result=54 endpos=100\n",
            f'STREAM FILE "{p}/menu_feedback"': b"200 result=49 endpos=100\n",
            f'STREAM FILE "{p}/survey_satisfaction"': b"200 result=50 endpos=100\n",
        },
    )
    await asyncio.wait_for(call.run(), 10)
    await daemon.ctx.recorder.flush()
    (row,) = await calls_in(db_url)
    assert (row.outcome, row.survey_score, row.survey_source) == ("ivr_only", 2, "ivr")


async def test_sigterm_lets_calls_finish_then_flushes_the_store(db_url, tmp_path):
    stop = asyncio.Event()
    started = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        run_daemon(daemon_settings(db_url, tmp_path), stop, ami_enabled=False, started=started)
    )
    running = await asyncio.wait_for(started, 20)
    release = asyncio.Event()
    call = FakeCall(
        running.server.port, "400.1", hang_up_on='STREAM FILE "/var/lib/hotline/prompts/greeting"'
    )
    call_task = asyncio.create_task(call.run(release=release))
    await until(lambda: len(call.received) >= 2, 5, "call in its greeting")
    stop.set()  # what SIGTERM does
    await until(lambda: not running.server.accepting, 5, "listener closed")
    with pytest.raises(OSError, match="Connect call failed"):  # no new calls are accepted while draining
        await asyncio.open_connection("127.0.0.1", running.server.port)
    assert not task.done()  # still draining the call in progress
    release.set()
    await asyncio.wait_for(asyncio.gather(call_task, task), 10)
    (row,) = await calls_in(db_url)  # flushed before the daemon returned
    assert row.outcome == "ivr_only"


PEAK = 'STREAM FILE "/var/lib/hotline/prompts/peak_notice" ""'


async def test_peak_mode_by_hand_puts_the_outage_notice_first_and_alerts(daemon, db_url):
    quiet = FakeCall(
        daemon.server.port, "500.1", hang_up_on='STREAM FILE "/var/lib/hotline/prompts/greeting"'
    )
    await asyncio.wait_for(quiet.run(), 10)
    assert PEAK not in quiet.received
    switch(Path(daemon.ctx.settings.peak.flag_file), True)
    published = daemon.ctx.bus.published
    call = FakeCall(daemon.server.port, "500.2", hang_up_on='STREAM FILE "/var/lib/hotline/prompts/greeting"')
    await asyncio.wait_for(call.run(), 10)
    assert call.received[1] == PEAK and call.received[2].startswith(
        'STREAM FILE "/var/lib/hotline/prompts/greeting"'
    )
    assert daemon.ctx.peak.active_reason == "switched on by hand"
    assert daemon.ctx.bus.published > published  # the alert (and the call's own events)


async def test_peak_mode_follows_an_outage_over_two_towns(daemon, db_url):
    now = datetime.now(UTC)
    await add_notice(
        daemon.ctx.engine,
        area_code="320100",
        area_name="城关",
        towns=["城关镇", "东关镇"],
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        reason="线路故障",
        kind="fault",
        now=now,
    )
    call = FakeCall(daemon.server.port, "600.1", hang_up_on='STREAM FILE "/var/lib/hotline/prompts/greeting"')
    await asyncio.wait_for(call.run(), 10)
    assert call.received[1] == PEAK
    assert "covers 2 towns" in daemon.ctx.peak.active_reason
