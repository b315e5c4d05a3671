"""Many identical lab calls from one sipp process: the load of the capacity bench.

One sipp per call (lab.sipp.start_call) costs a process each; at a few hundred calls the callers
would take the CPU the bench wants to measure. Here one sipp places `count` calls of the same
caller scenario (lab/scenarios/caller.xml with the steps filled in) at `rate` new calls per
second, all allowed at once (-l count), and each call's outcome is read from the scenario's
"LAB <event> <call-id>" log lines:

    batch = await call_many(400, rate=40, steps=[Wait(2), Dtmf("4"), Wait(30)])
    batch.ok, batch.failed, batch.rejected   # e.g. 400, 0, {}

Every call shares the one media port, which is fine for Asterisk (each channel has its own) and
for play_dtmf (it sends to each call's own remote port). DTMF steps need root (raw sockets).
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from lab.caller_steps import Step, caller_scenario, steps_duration
from lab.sipp import DEFAULT_TARGET, SLACK, caller_args, check_call
from lab.sipp_process import SippProcess

START_SLACK_S = 30.0  # on top of the ramp and the steps: answer, BYE, a slow start


@dataclass(frozen=True)
class BatchResult:
    """How the calls of one `call_many` ended. ok: answered, every step ran, ended by a BYE."""

    placed: int
    ok: int
    rejected: Counter[int] = field(default_factory=Counter)  # SIP status -> calls refused with it
    returncode: int = 0
    errors: str = ""  # sipp's stderr / unexpected messages, when some call failed

    @property
    def failed(self) -> int:
        return self.placed - self.ok


def outcomes(log_lines: list[tuple[str, str]], placed: int, returncode: int, errors: str) -> BatchResult:
    """The batch's result from sipp's LAB lines (event, "<code> <call-id>" or "<call-id>")."""
    events: dict[str, set[str]] = {}
    rejected: Counter[int] = Counter()
    for event, rest in log_lines:
        parts = rest.split()
        if not parts:
            continue
        events.setdefault(event, set()).add(parts[-1])
        if event == "rejected" and len(parts) == 2 and parts[0].isdigit():
            rejected[int(parts[0])] += 1
    ended = events.get("local_hangup", set()) | events.get("remote_hangup", set())
    ok = len(events.get("answered", set()) & ended)
    return BatchResult(placed, ok, rejected, returncode, errors if ok < placed else "")


async def call_many(
    count: int,
    *,
    rate: float,
    steps: list[Step] | tuple[Step, ...],
    caller: str = "13800138000",
    number: str = "95598",
    target: str = DEFAULT_TARGET,
) -> BatchResult:
    """Place `count` calls, `rate` new ones per second, and wait until every one has ended."""
    steps = tuple(steps)
    if count < 1 or rate <= 0:
        raise ValueError(f"count must be >= 1 and rate > 0, got {count} and {rate}")
    timeout = count / rate + steps_duration(steps) + START_SLACK_S
    check_call(number, caller, "", steps, timeout)
    workdir = Path(tempfile.mkdtemp(prefix=f"lab-calls-{count}-"))
    scenario = workdir / "caller.xml"
    scenario.write_text(caller_scenario(steps), encoding="iso-8859-1", errors="strict")
    args = caller_args(number, caller, "", timeout, None, calls=count)
    args += ["-l", str(count), "-r", f"{rate:g}", "-rp", "1000"]  # all at once, `rate` new per second
    sipp = await SippProcess.start(scenario, args, workdir=workdir, name="callers", remote=target)
    try:
        returncode = await sipp.wait(timeout + SLACK)
    finally:
        sipp.ports.release()
    result = outcomes(sipp.events(), count, returncode, sipp.stderr_tail())
    if result.failed == 0:
        shutil.rmtree(workdir, ignore_errors=True)
    return result
