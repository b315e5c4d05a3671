"""The ACD on the real Asterisk: sipp agents answer, ring forever or are busy; sipp callers wait."""

from __future__ import annotations

import asyncio
import json

import pytest
from e2e_setup import VIP, rows_for
from polling import until

from hotline.settings import load_settings
from hotline.store.db import make_engine
from hotline.store.queries import fetch_events
from lab.agent_phone import AgentPhone
from lab.ami import AmiCredentials, RawAmi
from lab.caller_steps import Dtmf, Speak, Wait
from lab.rtp_pcap import wav_to_pcap
from lab.sipp import call, start_call

pytestmark = pytest.mark.e2e
TO_AGENT = [Wait(7.5), Dtmf("0")]  # after the greeting, 0 on the top menu


def to_agent_after(seconds: float) -> list:
    """Press 0 `seconds` after the call is answered (callers started together arrive in order)."""
    return [Wait(seconds), Dtmf("0")]


def db_url(hotline_lab) -> str:
    return load_settings(hotline_lab[1]).database.url


def agent_states(hotline_lab) -> dict:
    path = load_settings(hotline_lab[1]).acd.state_file
    return json.loads(open(path, encoding="utf-8").read())


async def events_of(hotline_lab, uniqueid: str):
    engine = make_engine(db_url(hotline_lab))
    try:
        return await fetch_events(engine, uniqueid)
    finally:
        await engine.dispose()


async def ami(hotline_lab) -> RawAmi:
    s = load_settings(hotline_lab[1])
    return await RawAmi.connect(
        AmiCredentials("127.0.0.1", s.ami.port, s.ami.username, s.ami.secret.get_secret_value())
    )


async def registered(daemon, ext: str) -> None:
    await until(
        lambda: any(
            e.get("event") == "ami.registration" and e.get("endpoint") == ext and e.get("registered")
            for e in daemon.events()
        ),
        10,
        f"{ext} registered",
    )


async def test_two_agents_three_callers_the_third_waits_with_music_then_connects(hotline_lab, daemon):
    conn = await ami(hotline_lab)
    try:
        async with (
            AgentPhone("1004", "pw1004-e2e", answer_after=1.0, talk_seconds=6.0),
            AgentPhone("1005", "pw1005-e2e", answer_after=1.0, talk_seconds=6.0),
        ):
            await registered(daemon, "1004")
            await registered(daemon, "1005")
            handles = [
                await start_call(
                    caller=f"1390000210{i}", steps=to_agent_after(7.5 + i) + [Wait(45.0 - i)], timeout=70
                )
                for i in range(3)
            ]
            results = await asyncio.gather(*(h.wait() for h in handles))
        assert all(r.ok for r in results), results
        rows = [(await rows_for(db_url(hotline_lab), f"1390000210{i}"))[0] for i in range(3)]
        assert [r.outcome for r in rows] == ["agent_answered"] * 3
        assert {rows[0].agent_id, rows[1].agent_id} == {"004", "005"}
        third = rows[2]
        waited = (third.talk_started_at - third.queued_at).total_seconds()
        assert waited > 8  # talk 6 s + wrap-up 3 s of the first agent to finish
        cmds = [
            e.get("Command", "")
            for e in conn.events
            if e.get("Event") == "AGIExecStart" and e.get("Uniqueid") == third.uniqueid
        ]
        assert any("StartMusicOnHold" in c for c in cmds)
        assert any("queue_before" in c for c in cmds)  # 您前面还有N位客户
        dial = next(c for c in cmds if c.startswith('EXEC "Dial"'))
        assert f"agent_intro_{third.agent_id}" in dial and "whisper" in dial  # 座席XXX为您服务
    finally:
        await conn.close()


async def test_an_agent_who_never_answers_is_released_after_12_s_and_paused(hotline_lab, daemon):
    async with AgentPhone("1006", "pw1006-e2e", mode="ring"):
        await registered(daemon, "1006")
        async with AgentPhone("1003", "pw1003-e2e", answer_after=1.0, talk_seconds=2.0):
            await registered(daemon, "1003")
            h = await start_call(caller="13900002201", steps=TO_AGENT + [Wait(30.0)], timeout=50)
            assert (await h.wait()).ok
    (row,) = await rows_for(db_url(hotline_lab), "13900002201")
    assert row.outcome == "agent_answered" and row.agent_id == "003"
    evs = await events_of(hotline_lab, row.uniqueid)
    offers = [e for e in evs if e.kind == "offer"]
    no_answer = next(e for e in evs if e.kind == "no_answer")
    assert [e.data["agent_id"] for e in offers] == ["006", "003"] and no_answer.data["agent_id"] == "006"
    assert 11.0 <= (offers[1].at - offers[0].at).total_seconds() <= 13.5  # 4 rings, then the next agent
    agents = agent_states(hotline_lab)["agents"]  # what a daemon restart would restore
    assert agents["006"]["state"] == "paused" and agents["006"]["reason"] == "no answer"


async def test_a_busy_agent_is_skipped_at_once(hotline_lab, daemon):
    async with AgentPhone("1007", "pw1007-e2e", mode="busy"):
        await registered(daemon, "1007")
        async with AgentPhone("1008", "pw1008-e2e", answer_after=1.0, talk_seconds=2.0):
            await registered(daemon, "1008")
            h = await start_call(caller="13900002301", steps=TO_AGENT + [Wait(20.0)], timeout=40)
            assert (await h.wait()).ok
    (row,) = await rows_for(db_url(hotline_lab), "13900002301")
    assert row.outcome == "agent_answered" and row.agent_id == "008"
    offers = [e for e in await events_of(hotline_lab, row.uniqueid) if e.kind == "offer"]
    assert [e.data["agent_id"] for e in offers] == ["007", "008"]
    assert (offers[1].at - offers[0].at).total_seconds() < 1.0


async def test_the_survey_key_after_the_agent_hangs_up_is_stored(hotline_lab, daemon):
    async with AgentPhone("1002", "pw1002-e2e", answer_after=1.0, talk_seconds=6.0):
        await registered(daemon, "1002")
        h = await start_call(
            caller="13900002401", steps=TO_AGENT + [Wait(18.0), Dtmf("4"), Wait(5.0)], timeout=50
        )
        assert (await h.wait()).ok
    (row,) = await rows_for(db_url(hotline_lab), "13900002401")
    assert row.outcome == "agent_answered" and row.survey_score == 4
    assert row.recording_path == f"/var/spool/asterisk/monitor/call-{row.uniqueid}.wav"
    assert hotline_lab[0].host_path(row.recording_path).stat().st_size > 44  # more than a WAV header


async def test_a_vip_caller_who_arrives_later_is_served_first(hotline_lab, daemon):
    async with AgentPhone("1001", "pw1001-e2e", answer_after=1.0, talk_seconds=5.0):
        await registered(daemon, "1001")
        # the first caller takes the only agent; then a normal caller queues; then the VIP
        busy = await start_call(caller="13900002501", steps=to_agent_after(7.5) + [Wait(30.0)], timeout=70)
        normal = await start_call(caller="13900002502", steps=to_agent_after(9.5) + [Wait(45.0)], timeout=70)
        vip = await start_call(caller=VIP, steps=to_agent_after(11.5) + [Wait(43.0)], timeout=70)
        results = await asyncio.gather(busy.wait(), normal.wait(), vip.wait())
        assert all(r.ok for r in results), results
    (n,) = await rows_for(db_url(hotline_lab), "13900002502")
    (v,) = await rows_for(db_url(hotline_lab), VIP)
    assert v.priority > n.priority
    assert v.queued_at > n.queued_at and v.talk_started_at < n.talk_started_at


async def test_a_restarted_daemon_keeps_who_is_paused(hotline_lab, daemon):
    before = agent_states(hotline_lab)["agents"]
    assert before["006"]["state"] == "paused"  # from the no-answer test
    daemon.stop()
    daemon.start()
    restored = daemon.wait_log(
        lambda e: e.get("event") == "acd.restored", 10, offset=daemon.started_at_offset
    )
    assert "006" in restored["agents"]["paused"]
    assert agent_states(hotline_lab)["agents"]["006"] == before["006"]


async def test_feature_codes_log_in_pause_resume_and_log_out_from_a_softphone(hotline_lab, daemon):
    async with AgentPhone("1002", "pw1002-e2e"):
        await registered(daemon, "1002")

        async def dial(code: str) -> None:
            r = await call(code, caller="1002", auth=("1002", "pw1002-e2e"), steps=[Wait(6.0)], timeout=20)
            assert r.ok and r.remote_hangup, r  # answered with a short prompt, then hung up

        def state() -> tuple[str, str | None]:
            a = agent_states(hotline_lab)["agents"]["002"]
            return a["state"], a["reason"]

        await until(lambda: state()[0] == "ready", 5, "002 logged in on registration")
        await dial("*461")
        assert state() == ("paused", "break")
        await dial("*46")
        assert state() == ("ready", None)
        await dial("*45")
        assert state()[0] == "logged_out"
        await dial("*45")
        assert state()[0] == "ready"


async def test_a_waiting_caller_can_book_a_callback_or_leave_a_message(hotline_lab, daemon, e2e_dir):
    voice = e2e_dir / "queue-voice.pcap"
    wav_to_pcap(e2e_dir / "lab" / "prompts" / "menu_top.wav", voice)
    callback = await start_call(
        caller="13900002601", steps=TO_AGENT + [Wait(7.0), Dtmf("2"), Wait(6.0)], timeout=40
    )
    message = await start_call(
        caller="13900002602",
        steps=TO_AGENT + [Wait(7.0), Dtmf("1"), Wait(7.0), Speak(str(voice), 4.0), Dtmf("#"), Wait(5.0)],
        timeout=50,
    )
    assert all(r.ok for r in await asyncio.gather(callback.wait(), message.wait()))
    (cb,) = await rows_for(db_url(hotline_lab), "13900002601")
    (msg,) = await rows_for(db_url(hotline_lab), "13900002602")
    assert cb.outcome == "callback_requested" and msg.outcome == "message_left"
    assert any(e.kind == "callback_requested" for e in await events_of(hotline_lab, cb.uniqueid))
    assert msg.message_path and hotline_lab[0].host_path(msg.message_path).stat().st_size > 8000 * 2 * 2
