"""Drive lab calls with sipp (asyncio): a carrier caller with steps, and agent phones.

    result = await call("95598", caller="13800138000", steps=[Wait(1), Dtmf("1"), Wait(3)])
    handles = [await start_call(steps=[Dtmf(d), Wait(2)]) for d in "123"]
    results = [await h.wait() for h in handles]
    async with AgentPhone("1001", "pw1001", mode="answer", answer_after=1.0) as agent: ...

Each sipp runs on its own free ports, so many calls can run at once. DTMF (`play_dtmf`) uses
raw sockets, so calls with `Dtmf` steps need root.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from lab.agent_phone import AgentPhone
from lab.caller_steps import Dtmf, HangUp, Speak, Step, Wait, caller_scenario, steps_duration
from lab.errors import LabError
from lab.ports import PortBlock
from lab.sipp_process import SippProcess

__all__ = ["AgentPhone", "CallHandle", "CallResult", "Dtmf", "HangUp", "Speak", "Wait", "call", "start_call"]

DEFAULT_TARGET = "127.0.0.1:5060"
# digits, or any URI user part with %-escapes (e.g. "evil%0AEXEC" to test hostile caller IDs)
CALLER = re.compile(r"\+?[0-9A-Za-z%._~-]{1,96}")
SLACK = 10.0  # seconds on top of sipp's own -timeout before the driver kills it
ONE_SECOND: tuple[Step, ...] = (Wait(1.0),)  # the default steps: stay on the line a second


@dataclass(frozen=True)
class CallResult:
    """How a lab call ended.

    ok: answered, every step ran, the call ended with a BYE from either side, sipp exited 0.
    busy: the INVITE was refused with 486. status: the refusal code (401/403/404/407/480/486/488/
    500/503/603; 401/407 only for a call without `auth`: a challenge it cannot answer), None if
    answered. remote_hangup: Asterisk sent BYE first.
    """

    ok: bool
    busy: bool
    remote_hangup: bool
    returncode: int
    stderr: str
    call_id: str | None
    answered: bool = False
    status: int | None = None
    duration: float = 0.0
    workdir: Path | None = None  # kept for inspection when sipp failed


class CallHandle:
    """A call in progress (from `start_call`); `await handle.wait()` gives its CallResult."""

    def __init__(self, sipp: SippProcess, timeout: float, started: float) -> None:
        self._sipp = sipp
        self._timeout = timeout
        self._started = started
        self._result: CallResult | None = None

    @property
    def ports(self) -> PortBlock:
        """The SIP/control/media ports this caller's sipp uses."""
        return self._sipp.ports

    async def wait(self) -> CallResult:
        if self._result is None:
            try:
                returncode = await self._sipp.wait(self._timeout + SLACK)
            finally:
                self._sipp.ports.release()
            self._result = self._collect(returncode)
        return self._result

    async def kill(self) -> CallResult:
        """Stop the caller's sipp at once (no BYE is sent); for cleanup after a failed test."""
        returncode = await self._sipp.stop()
        self._result = self._collect(returncode)
        return self._result

    def _collect(self, returncode: int) -> CallResult:
        events = dict(self._sipp.events())
        answered = "answered" in events
        status = None
        call_id = next((rest.split()[-1] for rest in events.values() if rest), None)
        if "rejected" in events:
            status = int(events["rejected"].split()[0])
        remote = "remote_hangup" in events
        ended = remote or "local_hangup" in events
        ok = returncode == 0 and answered and ended
        workdir = None
        if returncode == 0:
            shutil.rmtree(self._sipp.workdir, ignore_errors=True)
        else:
            workdir = self._sipp.workdir
        return CallResult(
            ok=ok,
            busy=status == 486,
            remote_hangup=remote,
            returncode=returncode,
            stderr=self._sipp.stderr_tail() if returncode != 0 else "",
            call_id=call_id,
            answered=answered,
            status=status,
            duration=round(time.monotonic() - self._started, 3),
            workdir=workdir,
        )


async def start_call(
    number: str = "95598",
    *,
    caller: str = "13800138000",
    caller_name: str = "",
    steps: list[Step] | tuple[Step, ...] = ONE_SECOND,
    local_port: int | None = None,
    timeout: float = 60,
    target: str = DEFAULT_TARGET,
    auth: tuple[str, str] | None = None,
    local_ip: str = "127.0.0.1",
) -> CallHandle:
    """Place a call from the carrier side and return at once (the call runs in sipp).

    With `auth=(extension, secret)` the call comes from an agent's softphone instead (digest
    authentication; `caller` must then be the extension). `local_ip` is the address the call
    comes from: another loopback address (127.0.0.7) is neither the gateway nor an agent."""
    steps = tuple(steps)
    check_call(number, caller, caller_name, steps, timeout)
    if not ipaddress.ip_address(local_ip).is_loopback:
        raise ValueError(f"local_ip must be a loopback address such as 127.0.0.7, got {local_ip!r}")
    workdir = Path(tempfile.mkdtemp(prefix=f"lab-call-{number}-"))
    scenario = workdir / "caller.xml"
    template = "agent_dial.xml" if auth else "caller.xml"
    scenario.write_text(caller_scenario(steps, template), encoding="iso-8859-1", errors="strict")
    args = caller_args(number, caller, caller_name, timeout, auth)
    started = time.monotonic()
    try:
        sipp = await SippProcess.start(
            scenario,
            args,
            workdir=workdir,
            name="caller",
            remote=target,
            sip_port=local_port,
            local_ip=local_ip,
        )
    except LabError:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return CallHandle(sipp, timeout, started)


def caller_args(
    number: str, caller: str, caller_name: str, timeout: float, auth: tuple[str, str] | None, calls: int = 1
) -> list[str]:
    """sipp's arguments for `calls` calls (the scenario's keys, how many, the timeout, credentials)."""
    args = ["-s", number, "-m", str(calls), "-timeout", f"{round(timeout)}s", "-timeout_error"]
    args += ["-key", "caller", caller, "-key", "caller_name", caller_name]
    return args + (["-au", auth[0], "-ap", auth[1]] if auth else [])


def check_call(number: str, caller: str, caller_name: str, steps: tuple[Step, ...], timeout: float) -> None:
    """ValueError (LabError: DTMF without root) for a call `start_call` (or `call_many`) cannot place."""
    if not CALLER.fullmatch(caller):
        raise ValueError(f"caller must be a SIP URI user part (digits, letters, %-escapes), got {caller!r}")
    if any(ch in caller_name for ch in '"\\\r\n'):
        raise ValueError(f"caller_name must not contain quotes, backslashes or newlines: {caller_name!r}")
    if not re.fullmatch(r"[0-9A-Za-z*#+_.-]+", number):
        raise ValueError(f"not a dialable number: {number!r}")
    if steps_duration(steps) + 5 > timeout:
        raise ValueError(f"steps take {steps_duration(steps)} s, more than timeout={timeout} s allows")
    if any(isinstance(s, (Dtmf, Speak)) for s in steps) and os.geteuid() != 0:
        raise LabError("DTMF steps need root: sipp's play_dtmf sends RTP through raw sockets")


async def call(
    number: str = "95598",
    *,
    caller: str = "13800138000",
    caller_name: str = "",
    steps: list[Step] | tuple[Step, ...] = ONE_SECOND,
    local_port: int | None = None,
    timeout: float = 60,
    target: str = DEFAULT_TARGET,
    auth: tuple[str, str] | None = None,
    local_ip: str = "127.0.0.1",
) -> CallResult:
    """Place a call and wait for it to end (see `start_call`)."""
    handle = await start_call(
        number,
        caller=caller,
        caller_name=caller_name,
        steps=steps,
        local_port=local_port,
        timeout=timeout,
        target=target,
        auth=auth,
        local_ip=local_ip,
    )
    return await handle.wait()
