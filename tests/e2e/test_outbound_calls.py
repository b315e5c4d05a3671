"""The dialer on the real Asterisk: sipp plays the customers behind the outbound trunk.

Carrier numbers (lab/carrier.py): second-to-last digit 1 = answers and presses the last digit,
2 = busy (486), 3 = rings and never answers. The daemon's e2e config lets the dialer call at any
hour and retries 3 s apart (tests/e2e/conftest.py).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from e2e_setup import rows_for
from polling import until
from test_acd_calls import TO_AGENT, ami, registered

from hotline.clock import utcnow
from hotline.dialer import store
from hotline.dialer.jobs import followup_job
from hotline.selfservice import add_notice, upsert_accounts
from hotline.settings import load_settings
from hotline.store.db import make_engine
from hotline.store.queries import fetch_calls
from lab.agent_phone import AgentPhone
from lab.caller_steps import Dtmf, Wait
from lab.carrier import Carrier
from lab.load_step import peak_channels
from lab.sipp import start_call

pytestmark = pytest.mark.e2e
CARRIER_PORT = 5070  # the outbound trunk's contact in the rendered pjsip.conf
ANSWER = {"13800000111": "1", "13800000112": "2", "13800000113": "3", "13800001111": "1"}
BUSY = ["13800000120", "13800001120", "13800002120"]
NO_ANSWER = ["13800000130", "13800001130", "13800002130"]
ON_DNC = "13800009111"
TRUNK_CHANNEL = "PJSIP/outbound-trunk-"


async def test_ten_follow_ups_never_more_than_four_lines_keys_stored_retries_given_up(hotline_lab, daemon):
    settings = load_settings(hotline_lab[1])
    engine = make_engine(settings.database.url)
    conn = await ami(hotline_lab)
    now = utcnow()
    try:
        await store.dnc_add(engine, ON_DNC, "customer asked", now)
        numbers = [*ANSWER, *BUSY, *NO_ANSWER, ON_DNC]
        jobs = [
            followup_job(
                settings,
                order=f"E2E-{n}",
                kind="repair",
                number=n,
                completed_at=now - timedelta(hours=2),
                now=now,
            )
            for n in numbers
        ]
        by_number = {j.number: j.id for j in jobs}
        async with Carrier(port=CARRIER_PORT, key_after=4.0) as carrier:
            assert len(await store.insert_jobs(engine, jobs)) == 11  # the daemon polls them up

            async def all_finished() -> bool:
                rows = await store.jobs_for_status(engine, finished_limit=100)
                mine = {r.id: r for r in rows if r.id in by_number.values()}
                return len(mine) == 11 and all(r.status not in store.OPEN for r in mine.values())

            await until(all_finished, 120, "all 11 jobs finished")
        rows = {
            r.number: r
            for r in await store.jobs_for_status(engine, finished_limit=200)
            if r.id in by_number.values()
        }
        peak = peak_channels(e for e in conn.events if e.get("Channel", "").startswith(TRUNK_CHANNEL))
        assert 2 <= peak <= 4, f"peak outbound channels {peak}"
        for number, key in ANSWER.items():
            job = rows[number]
            assert (job.status, job.key) == ("done", key), job
            (attempt,) = await store.attempts_of(engine, job.id)
            assert (attempt.result, attempt.key) == ("answered", key)
            assert attempt.answered_at is not None and "回访" in attempt.content
        for number, result in [*((n, "busy") for n in BUSY), *((n, "no_answer") for n in NO_ANSWER)]:
            job = rows[number]
            assert job.status == "given_up" and result in job.reason, job
            attempts = await store.attempts_of(engine, job.id)
            assert [a.result for a in attempts] == [result, result]  # max_attempts 2 in e2e
            gap = (attempts[1].started_at - attempts[0].ended_at).total_seconds()
            assert gap >= 2.5  # retry_minutes 0.05 = 3 s
        dnc = rows[ON_DNC]
        assert dnc.status == "given_up" and "dnc" in dnc.reason
        assert [a.result for a in await store.attempts_of(engine, dnc.id)] == ["dnc"]
        assert not any(ON_DNC in d for _, _, d in carrier.events)  # never dialled
    finally:
        await conn.close()
        await engine.dispose()


async def test_a_caller_who_booked_a_callback_is_called_back_and_reaches_an_agent(hotline_lab, daemon):
    settings = load_settings(hotline_lab[1])
    engine = make_engine(settings.database.url)
    caller = "13800003119"  # the carrier answers this number (and presses 9: ignored in the queue)
    try:
        async with Carrier(port=CARRIER_PORT, key_after=4.0, hangup_after=60.0) as carrier:
            booked = await start_call(
                caller=caller, steps=TO_AGENT + [Wait(7.0), Dtmf("2"), Wait(6.0)], timeout=40
            )
            assert (await booked.wait()).ok
            (first,) = await rows_for(settings.database.url, caller)
            assert first.outcome == "callback_requested"
            await carrier.wait_for("answered", 1, timeout=20)  # the dialer rang the caller back
            # 009: an agent no other test pauses (auto-login on register makes it ready)
            async with AgentPhone("1009", "pw1009-e2e", answer_after=1.0, talk_seconds=4.0):
                await registered(daemon, "1009")

                async def done() -> bool:
                    rows = await store.jobs_for_status(engine, finished_limit=50)
                    return any(
                        r.purpose == "callback" and r.number == caller and r.status == "done" for r in rows
                    )

                await until(done, 60, "the callback job done")
        job = next(
            r
            for r in await store.jobs_for_status(engine, finished_limit=50)
            if r.purpose == "callback" and r.number == caller
        )
        assert job.payload["call"] == first.uniqueid
        (attempt,) = await store.attempts_of(engine, job.id)
        assert attempt.result == "answered" and attempt.uniqueid
        back_rows: list = []

        async def recorded() -> bool:
            back_rows[:] = [
                r for r in await fetch_calls(engine) if r.uniqueid == attempt.uniqueid and r.outcome
            ]
            return bool(back_rows)

        await until(recorded, 10, "the callback's call record")
        (back,) = back_rows
        assert (back.direction, back.outcome, back.agent_id) == ("outbound", "answered", "009")
        assert back.talk_s is not None and back.talk_s > 0 and back.talk_started_at is not None
    finally:
        await engine.dispose()


async def test_a_planned_outage_calls_the_area_and_stores_the_confirmations(hotline_lab, daemon):
    settings = load_settings(hotline_lab[1])
    engine = make_engine(settings.database.url)
    now = utcnow()
    phones = {"13800004111": "1", "13800004113": None}  # confirms with 1 / presses 3 (no answer key)
    try:
        async with Carrier(port=CARRIER_PORT, key_after=4.0):
            await upsert_accounts(
                engine,
                [
                    dict(
                        account_number=f"99000000{i:02d}",
                        area_code="990001",
                        masked_name="王*",
                        phone=phone,
                        balance=Decimal("0"),
                        last_bill_amount=Decimal("0"),
                        last_bill_month="2026-10",
                        last_usage_kwh=Decimal("0"),
                    )
                    for i, phone in enumerate(phones)
                ],
                now=now,
            )
            notice = await add_notice(
                engine,
                area_code="990001",
                area_name="试验区",
                towns=["试验镇"],
                starts_at=now + timedelta(days=9),
                ends_at=now + timedelta(days=9, hours=6),
                reason="线路检修",
                kind="planned",
                now=now,
            )

            async def called() -> bool:
                rows = await store.jobs_for_status(engine, finished_limit=100)
                mine = [r for r in rows if r.payload.get("notice_id") == str(notice.id)]
                return len(mine) == 2 and all(r.status not in store.OPEN for r in mine)

            await until(called, 90, "both notice calls finished")
        rows = {
            r.number: r
            for r in await store.jobs_for_status(engine, finished_limit=100)
            if r.payload.get("notice_id") == str(notice.id)
        }
        assert (rows["13800004111"].status, rows["13800004111"].key) == ("done", "1")
        attempts = await store.attempts_of(engine, rows["13800004111"].id)
        assert attempts[0].result == "answered" and "停电通知 地区 990001" in attempts[0].content
        assert rows["13800004111"].deadline == notice.starts_at - timedelta(days=7)
        # 3 is not an answer to "确认收到请按1": asked again, then the call ends unconfirmed
        assert rows["13800004113"].status == "done" and rows["13800004113"].key is None
    finally:
        await engine.dispose()
