"""Live events of a lab call on a real MQTT broker, and calls that do not care when it dies."""

from __future__ import annotations

import asyncio
import json
import urllib.request

import aiomqtt
import pytest
import yaml
from daemon_proc import DaemonProc
from e2e_setup import AGENTS, rows_for, write_config
from mqtt_broker import MosquittoBroker, free_port
from polling import until

from lab.caller_steps import Dtmf, Wait
from lab.sipp import call

pytestmark = pytest.mark.e2e
PREFIX = "e2e/hotline"


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        return r.read().decode()


async def test_a_calls_events_arrive_in_order_and_a_dead_broker_blocks_nothing(hotline_lab, daemon, e2e_dir):
    broker = MosquittoBroker()
    broker.start()
    db = f"sqlite+aiosqlite:///{e2e_dir / 'events.db'}"
    cfg = write_config(e2e_dir / "hotline-events.yaml", db)
    metrics_port = free_port()
    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    data.update(
        mqtt={"host": broker.host, "port": broker.port, "topic_prefix": PREFIX},
        metrics={"host": "127.0.0.1", "port": metrics_port},
    )
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    daemon.stop()
    d = DaemonProc(cfg, e2e_dir / "daemon-events.log")
    got: list[dict] = []
    try:
        d.start()
        async with aiomqtt.Client(broker.host, broker.port) as client:
            await client.subscribe(f"{PREFIX}/events/#", qos=1)

            async def pump():
                async for m in client.messages:
                    got.append(json.loads(m.payload.decode()))

            pump_task = asyncio.create_task(pump())
            try:
                result = await call(
                    caller="13900001001", steps=[Wait(7.5), Dtmf("4"), Wait(1.0), Dtmf("*"), Wait(1.0)]
                )
                assert result.ok
                await until(lambda: any(e["kind"] == "call_ended" for e in got), 10, "call_ended event")
            finally:
                pump_task.cancel()
                await asyncio.wait({pump_task})
        mine = [e for e in got if e.get("uniqueid") == got[0]["uniqueid"]]
        assert [e["kind"] for e in mine][0] == "call_started" and mine[-1]["kind"] == "call_ended"
        assert [(e["node"], e["key"]) for e in mine if e["kind"] == "ivr_step"][:3] == [
            ("top", ""),
            ("guide", "4"),
            ("top", "*"),
        ]
        assert [e["seq"] for e in mine] == sorted(e["seq"] for e in mine)
        assert mine[-1]["outcome"] == "ivr_only"
        # the broker dies: calls go on exactly as before
        broker.stop()
        result = await call(caller="13900001002", steps=[Wait(3.0)])
        assert result.ok
        (row,) = await rows_for(db, "13900001002")
        assert row.outcome == "ivr_only" and 2.0 < (row.ended_at - row.answered_at).total_seconds() < 5.0
        text = await asyncio.to_thread(scrape, metrics_port)
        line = next(
            ln
            for ln in text.splitlines()
            if ln.startswith("hotline_calls_total{")
            and 'outcome="ivr_only"' in ln
            and 'direction="inbound"' in ln
        )
        assert float(line.rsplit(" ", 1)[1]) == 2.0
        gauge = next(ln for ln in text.splitlines() if ln.startswith('hotline_agents{state="logged_out"}'))
        assert float(gauge.rsplit(" ", 1)[1]) == len(AGENTS)  # the ACD feeds the agent gauges
    finally:
        d.stop()
        broker.cleanup()
        daemon.start()
