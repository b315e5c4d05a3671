"""Hand a caller to the agents: ring every registered softphone at once until one answers.

This is the pre-ACD behaviour the IVR's `agent` node uses; the ACD issue replaces it with
per-agent offers under the 4-ring rule. Never hangs up on the caller: while nobody can be rung
the caller hears "please hold" and music, and the ring starts again when an agent registers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import structlog

from .agi.channel import AgiChannel
from .agi.errors import AgiHangup
from .call_context import CallContext

log = structlog.get_logger("agent_ring")
WAIT_FOR_AGENT_S = 20.0


@dataclass
class RingResult:
    """Filled in as the ring goes on, so a hang-up at any point leaves a true record."""

    phase: str = "queued"  # queued | ringing | talking | done
    agents_rung: int = 0
    ring_time_s: float = 0.0
    agent_extension: str | None = None
    talk_started_at: datetime | None = None
    talk_s: float | None = None
    dial_statuses: list[str] = field(default_factory=list)


def _extension_of(peer: str | None) -> str | None:
    # DIALEDPEERNAME is like "PJSIP/1001-00000003"
    if not peer or "/" not in peer:
        return None
    return peer.split("/", 1)[1].rsplit("-", 1)[0]


async def ring_agents(chan: AgiChannel, ctx: CallContext, result: RingResult) -> None:
    """Returns once an agent answered and hung up; raises AgiHangup if the caller leaves."""
    agents = [a.extension for a in ctx.settings.agents]
    ring_s = max(1, round(ctx.settings.answer_target.seconds))
    while True:
        if ctx.ami is not None and ctx.ami.connected.is_set():
            targets = [ext for ext in agents if ext in ctx.ami.registered]
        else:
            targets = agents  # no AMI state: ring them all, Asterisk skips the unregistered
        if not targets:
            await _hold_until_agent(chan, ctx)
            continue
        result.phase = "ringing"
        started = ctx.clock()
        dial = "&".join(f"PJSIP/{ext}" for ext in targets)
        if ctx.ami is not None:
            ctx.ami.watch_dial(chan.uniqueid)
        ctx.bus.publish("offered", {"uniqueid": chan.uniqueid, "extensions": targets})
        rc = await chan.exec("Dial", f"{dial},{ring_s},g")
        end = ctx.clock()
        status = await chan.get_variable("DIALSTATUS") or ""
        result.dial_statuses.append(status)
        result.agents_rung += len(targets)
        agent_answered = ctx.ami.dial_answered_at(chan.uniqueid) if ctx.ami is not None else None
        if status == "ANSWER":
            # ANSWEREDTIME counts from the caller's own answer, so it cannot give the talk time;
            # the agent's answer instant comes from AMI's DialEnd (Dial start if AMI is down).
            if agent_answered is None:
                log.warning("ring.answer_time_unknown", reason="no AMI DialEnd; talk counted from Dial start")
            result.talk_started_at = agent_answered or started
            result.agent_extension = _extension_of(await chan.get_variable("DIALEDPEERNAME"))
            result.talk_s = round(max(0.0, (end - result.talk_started_at).total_seconds()), 3)
            result.ring_time_s += max(0.0, (result.talk_started_at - started).total_seconds())
            result.phase = "done"
            ctx.bus.publish("answered", {"uniqueid": chan.uniqueid, "extension": result.agent_extension,
                                         "ring_s": round(result.ring_time_s, 3)})
            if rc == -1:  # caller hung up during the talk
                chan.hung_up = True
            return
        result.ring_time_s += (end - started).total_seconds()
        if rc == -1 or status == "CANCEL":
            raise AgiHangup(f"caller hung up while agents rang ({status})")
        result.phase = "queued"
        await chan.stream_file(ctx.prompt("please_hold"))


async def _hold_until_agent(chan: AgiChannel, ctx: CallContext) -> None:
    await chan.stream_file(ctx.prompt("please_hold"))
    await chan.exec("StartMusicOnHold", "default")
    assert ctx.ami is not None
    try:
        await chan.until_hangup_or(ctx.ami.registration_changed.wait(), timeout=WAIT_FOR_AGENT_S)
    except TimeoutError:
        pass  # nobody registered yet: play the hold prompt again and keep waiting
    await chan.exec("StopMusicOnHold")
