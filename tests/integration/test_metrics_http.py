"""Prometheus metrics scraped over real HTTP (urllib in a thread, like a Prometheus server)."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import AsyncIterator

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from hotline.observability.metrics import Metrics


@pytest.fixture
async def metrics() -> AsyncIterator[Metrics]:
    m = Metrics()
    await m.serve("127.0.0.1", 0)
    try:
        yield m
    finally:
        await m.close()


def _get(url: str, method: str = "GET", accept: str | None = None) -> tuple[int, str, bytes]:
    req = urllib.request.Request(url, method=method, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


async def scrape(m: Metrics) -> dict[tuple[str, tuple], float]:
    status, ctype, body = await asyncio.to_thread(_get, f"http://127.0.0.1:{m.port}/metrics")
    assert status == 200 and ctype.startswith("text/plain; version=0.0.4")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for fam in text_string_to_metric_families(body.decode())
        for s in fam.samples
    }


async def test_counters_and_gauges_with_labels(metrics):
    for _ in range(3):
        metrics.call_ended("agent_answered", "inbound")
    metrics.call_ended("blocked", "inbound")
    metrics.call_ended("no_answer", "outbound")
    metrics.agi_error()
    metrics.ami_error()
    metrics.ami_error()
    metrics.ami_reconnect()
    metrics.mqtt_dropped(40)
    metrics.mqtt_dropped()
    metrics.set_waiting(2)
    metrics.set_agents({"ready": 1, "talking": 2, "paused": 1})
    metrics.set_trunks(inbound=7, outbound=1)
    metrics.set_trunk_capacity(8, 4)
    metrics.set_calls_in_progress(8)
    got = await scrape(metrics)

    assert got[("hotline_calls_total", (("direction", "inbound"), ("outcome", "agent_answered")))] == 3
    assert got[("hotline_calls_total", (("direction", "inbound"), ("outcome", "blocked")))] == 1
    assert got[("hotline_calls_total", (("direction", "outbound"), ("outcome", "no_answer")))] == 1
    assert got[("hotline_calls_total", (("direction", "inbound"), ("outcome", "ivr_only")))] == 0
    assert got[("hotline_agi_errors_total", ())] == 1
    assert got[("hotline_ami_errors_total", ())] == 2
    assert got[("hotline_ami_reconnects_total", ())] == 1
    assert got[("hotline_mqtt_dropped_total", ())] == 41
    assert got[("hotline_waiting_calls", ())] == 2
    assert got[("hotline_agents", (("state", "talking"),))] == 2
    assert got[("hotline_agents", (("state", "wrap_up"),))] == 0
    assert got[("hotline_trunk_lines_in_use", (("direction", "inbound"),))] == 7
    assert got[("hotline_trunk_lines_in_use", (("direction", "outbound"),))] == 1
    assert got[("hotline_trunk_lines", (("direction", "inbound"),))] == 8
    assert got[("hotline_calls_in_progress", ())] == 8

    metrics.set_agents({"ready": 3})  # states left out drop back to 0
    metrics.set_waiting(0)
    got = await scrape(metrics)
    assert got[("hotline_agents", (("state", "talking"),))] == 0
    assert got[("hotline_agents", (("state", "ready"),))] == 3
    assert got[("hotline_waiting_calls", ())] == 0
    # its own registry: nothing of ours leaks into prometheus_client's global one
    assert REGISTRY.get_sample_value("hotline_agi_errors_total") is None


async def test_on_scrape_hooks_sample_state_and_a_failing_hook_does_not_break_scrapes(metrics):
    lines = {"inbound": 0}

    def sample() -> None:
        metrics.set_trunks(lines["inbound"], 0)

    def broken() -> None:
        raise RuntimeError("hook bug")

    metrics.on_scrape(broken)
    metrics.on_scrape(sample)
    lines["inbound"] = 5
    assert (await scrape(metrics))[("hotline_trunk_lines_in_use", (("direction", "inbound"),))] == 5
    lines["inbound"] = 2
    assert (await scrape(metrics))[("hotline_trunk_lines_in_use", (("direction", "inbound"),))] == 2


async def test_other_paths_methods_and_garbage_get_http_errors(metrics):
    base = f"http://127.0.0.1:{metrics.port}"
    assert (await asyncio.to_thread(_get, f"{base}/"))[0] == 404
    assert (await asyncio.to_thread(_get, f"{base}/metrics", "POST"))[0] == 405
    status, _, body = await asyncio.to_thread(_get, f"{base}/metrics", "HEAD")
    assert status == 200 and body == b""
    # what a Prometheus server asks for first: OpenMetrics
    prom_accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
    status, ctype, body = await asyncio.to_thread(_get, f"{base}/metrics", "GET", prom_accept)
    assert status == 200 and ctype.startswith("application/openmetrics-text; version=1.0.0")
    assert body.endswith(b"# EOF\n") and b"hotline_calls_total{" in body
    reader, writer = await asyncio.open_connection("127.0.0.1", metrics.port)
    writer.write(b"hello\r\n\r\n")
    assert (await reader.read()).startswith(b"HTTP/1.0 400 ")
    writer.close()
    reader, writer = await asyncio.open_connection("127.0.0.1", metrics.port)
    writer.write(b"GET /metrics HTTP/1.0\r\n")
    writer.write_eof()  # the head never ends
    assert (await reader.read()).startswith(b"HTTP/1.0 400 ")
    writer.close()
    assert (await scrape(metrics))[("hotline_agi_errors_total", ())] == 0  # still serving


def test_bad_labels_are_refused_with_clear_messages():
    m = Metrics()
    with pytest.raises(ValueError, match="unknown call outcome 'answred'"):
        m.call_ended("answred", "inbound")
    with pytest.raises(ValueError, match="unknown direction 'in'"):
        m.call_ended("blocked", "in")
    with pytest.raises(ValueError, match=r"unknown agent states \['idle'\]"):
        m.set_agents({"idle": 1})


async def test_serve_twice_is_an_error_and_close_frees_the_port():
    m = Metrics()
    port = await m.serve("127.0.0.1", 0)
    with pytest.raises(RuntimeError, match=f"already served on port {port}"):
        await m.serve("127.0.0.1", 0)
    await m.close()
    with pytest.raises(ConnectionError, match="Connect call failed"):
        await asyncio.open_connection("127.0.0.1", port)
