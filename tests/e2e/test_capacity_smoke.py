"""bench/capacity.py's step, small: a few callers walk the menu into an announcement at once on
the session's lab and daemon, and every figure the bench prints comes out (keeps the bench
working in CI; the figures themselves are the bench's, not asserted as timings)."""

from __future__ import annotations

import pytest

from hotline.settings import load_settings
from lab.ami import AmiCredentials
from lab.load_step import KEYS, run_step

pytestmark = pytest.mark.e2e
CALLERS = 4


async def test_a_small_capacity_step_reports_every_figure(hotline_lab, daemon):
    asterisk, cfg = hotline_lab
    ami = load_settings(cfg).ami
    creds = AmiCredentials("127.0.0.1", ami.port, ami.username, ami.secret.get_secret_value())
    pid = asterisk.pid()
    assert pid is not None and daemon.proc is not None
    figures = await run_step(CALLERS, 4.0, pid, daemon.proc.pid, creds, caller="13900009901")
    assert (figures.calls, figures.ok, figures.failed) == (CALLERS, CALLERS, 0)
    assert figures.peak_channels >= CALLERS  # every caller was on the line at once
    assert len(figures.latencies_s) == CALLERS * len(KEYS)  # each key led to its prompt
    assert all(0 < s < 2 for s in figures.latencies_s)
    assert figures.asterisk_cpu_s > 0 and figures.daemon_cpu_s > 0 and 0 < figures.machine_busy <= 1
    assert figures.loop_waits >= CALLERS  # the loop slept between calls (each call wakes it)
