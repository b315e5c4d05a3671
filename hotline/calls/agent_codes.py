"""Agents' feature codes from their softphones (FastAGI route `agent`, see dialplan/30-agents).

The code's meaning is `acd.feature_codes` (pure); this flow finds the agent by the endpoint that
dialled, feeds the event and answers with a short prompt. A code the agent's state does not allow
is refused with "当前状态不能执行此操作" and changes nothing.
"""

from __future__ import annotations

import structlog

from acd.feature_codes import code_event
from acd.rules import AcdError
from hotline.asterisk.fastagi.channel import AgiChannel
from hotline.calls.context import CallContext
from hotline.calls.fields import endpoint_of

log = structlog.get_logger("agent_codes")


async def handle_agent_code(chan: AgiChannel, ctx: CallContext) -> None:
    await chan.set_variable("HOTLINE_DONE", "1")
    await chan.answer()
    ext = endpoint_of(chan.headers.get("agi_channel", ""))
    agent_id = ctx.acd.agent_for_extension(ext)
    action, args = (chan.args[0], chan.args[1:]) if chan.args else ("", [])
    found = code_event(agent_id, ctx.acd.agent(agent_id).state, action, args) if agent_id else None
    prompt = "agent_code_refused"
    if found is not None:
        event, prompt = found
        try:
            ctx.acd.feed(event)
        except AcdError as exc:
            log.info("agent_code.refused", agent=agent_id, action=action, reason=str(exc))
            prompt = "agent_code_refused"
    else:
        log.info("agent_code.unknown", extension=ext, action=action, args=chan.args)
    await chan.stream_file(ctx.prompt(prompt))
    await chan.hangup()
