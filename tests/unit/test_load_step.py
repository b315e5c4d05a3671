"""The capacity bench's figures from sipp's LAB lines and Asterisk's AMI events (pure parts)."""

from __future__ import annotations

import math
import os
import threading

import pytest

from lab.caller_steps import Dtmf, Wait, steps_duration
from lab.load_step import (
    StepFigures,
    key_latencies,
    loop_waits,
    merged,
    peak_channels,
    voluntary_switches,
    walk,
)
from lab.sipp_many import outcomes


def agi(kind: str, uid: str, ts: float, command: str) -> dict[str, str]:
    return {"Event": kind, "Uniqueid": uid, "Timestamp": f"{ts:.6f}", "Command": command}


def stream(prompt: str) -> str:
    return f'STREAM FILE "/var/lib/hotline/prompts/{prompt}" "0123456789*#"'


def test_a_batch_counts_calls_answered_and_ended_and_the_refusals():
    lines = [
        ("answered", "a@x"),
        ("local_hangup", "a@x"),
        ("answered", "b@x"),
        ("remote_hangup", "b@x"),
        ("answered", "c@x"),  # never ended: sipp timed it out
        ("rejected", "486 d@x"),
        ("rejected", "503 e@x"),
        ("rejected", "486 f@x"),
    ]
    result = outcomes(lines, 6, 1, "timeout")
    assert (result.ok, result.failed, dict(result.rejected)) == (2, 4, {486: 2, 503: 1})
    assert result.errors == "timeout"
    assert outcomes(lines[:4], 2, 0, "noise").errors == ""


def test_the_latency_runs_from_the_key_taking_command_to_the_prompt_it_led_to():
    events = [
        agi("AGIExecStart", "c1", 10.0, stream("menu_top")),
        agi("AGIExecEnd", "c1", 11.0, stream("menu_top")),  # the caller pressed 4
        agi("AGIExecStart", "c1", 11.002, 'SET VARIABLE "X" "y"'),
        agi("AGIExecEnd", "c1", 11.003, 'SET VARIABLE "X" "y"'),
        agi("AGIExecStart", "c2", 11.004, stream("menu_top")),  # another channel: no key yet
        agi("AGIExecStart", "c1", 11.005, stream("menu_guide")),
        agi("AGIExecEnd", "c1", 13.0, stream("menu_guide")),
        agi("AGIExecStart", "c1", 13.0, "WAIT FOR DIGIT 5000"),
        agi("AGIExecEnd", "c1", 14.0, "WAIT FOR DIGIT 5000"),  # the key came while waiting
        agi("AGIExecStart", "c1", 14.02, stream("menu_business")),
        agi("AGIExecStart", "c1", 20.0, stream("menu_business")),  # no key since: not counted
        agi("AGIExecEnd", "c1", 30.0, stream("info_capacity_change")),  # the announcement ended
        agi("AGIExecStart", "c1", 30.01, stream("menu_business")),  # played again: not a key's
        agi("AGIExecEnd", "c2", 40.0, stream("menu_top")),
        agi("AGIExecStart", "c2", 40.003, stream("menu_business")),  # the first on c2: counted
        {"Event": "AGIExecStart", "Uniqueid": "c1", "Command": stream("menu_guide")},  # no time
    ]
    found = key_latencies(events)
    assert [round(x, 6) for x in found] == [0.005, 0.02, 0.003]


def test_the_peak_counts_channels_up_at_once_and_ignores_hangups_of_older_ones():
    events = [
        {"Event": "Hangup", "Uniqueid": "old"},
        {"Event": "Newchannel", "Uniqueid": "a"},
        {"Event": "Newchannel", "Uniqueid": "b"},
        {"Event": "Hangup", "Uniqueid": "a"},
        {"Event": "Newchannel", "Uniqueid": "c"},
        {"Event": "Newchannel", "Uniqueid": "d"},
        {"Event": "Hangup", "Uniqueid": "b"},
    ]
    assert peak_channels(events) == 3


def test_percentiles_are_nearest_rank_and_the_ratio_guards_a_zero():
    figures = StepFigures(4, 3, 4, 0.5, 5.0, 0.4, tuple(i / 1000 for i in range(1, 101)))
    assert (figures.failed, figures.ratio) == (1, 0.1)
    assert (figures.latency_ms(50), figures.latency_ms(99), figures.latency_ms(100)) == (50, 99, 100)
    assert math.isnan(StepFigures(1, 1, 1, 0.0, 0.0, 0.0, ()).latency_ms(99))
    assert StepFigures(1, 1, 1, 0.2, 0.0, 0.0, ()).ratio == 0.0


def test_the_walk_presses_the_three_keys_after_the_greeting_then_holds():
    steps = walk(12.0)
    assert steps[0] == Wait(7.5) and steps[-1] == Wait(12.0)
    assert "".join(s.digits for s in steps if isinstance(s, Dtmf)) == "422"
    assert steps_duration(steps) > 7.5 + 2.0 + 12.0


def test_runs_of_one_step_merge_into_one_figure_per_call():
    a = StepFigures(50, 50, 50, 0.25, 2.5, 0.2, (0.001,), loop_waits=600)
    b = StepFigures(50, 49, 52, 0.35, 3.5, 0.4, (0.002, 0.003), loop_waits=500)
    m = merged([a, b])
    assert (m.calls, m.runs, m.placed, m.ok, m.failed, m.peak_channels) == (50, 2, 100, 99, 1, 52)
    assert (m.loop_waits, m.loop_waits_per_call) == (1100, 11.0)
    assert (m.daemon_cpu_s, m.asterisk_cpu_s, m.ratio) == pytest.approx((0.6, 6.0, 0.1))
    assert (m.daemon_s_per_call, m.asterisk_s_per_call) == pytest.approx((0.006, 0.06))
    assert m.machine_busy == pytest.approx(0.3) and m.latencies_s == (0.001, 0.002, 0.003)
    assert merged([m, a]).runs == 3
    with pytest.raises(ValueError, match="runs of one step"):
        merged([a, StepFigures(100, 100, 100, 0.5, 5.0, 0.3, ())])
    with pytest.raises(ValueError, match="runs of one step"):
        merged([])


def test_the_loop_waits_are_the_threads_voluntary_context_switches():
    status = "Name:\tpython\nvoluntary_ctxt_switches:\t1234\nnonvoluntary_ctxt_switches:\t56\n"
    assert voluntary_switches(status) == 1234
    with pytest.raises(ValueError, match="no voluntary_ctxt_switches"):
        voluntary_switches("Name:\tpython\nnonvoluntary_ctxt_switches:\t56\n")


def test_a_thread_that_sleeps_counts_its_waits():
    before = loop_waits(os.getpid())
    for _ in range(3):
        threading.Event().wait(0.001)  # each times out: the main thread sleeps, so it waits
    assert loop_waits(os.getpid()) >= before + 3
