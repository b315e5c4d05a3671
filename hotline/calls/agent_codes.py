"""Agents' feature codes from their softphones (FastAGI route `agent`, see dialplan/30-agents).

  *45      log in / log out (toggle)      *46<r>  pause with reason r (1-4)
  *46      resume                          *47     end wrap-up now
Each is answered with a short prompt; a code the agent's state does not allow is refused with
"当前状态不能执行此操作" and changes nothing.
"""

from __future__ import annotations

import structlog

from acd import events as ev
from acd.rules import AcdError
from hotline.asterisk.fastagi.channel import AgiChannel
from hotline.calls.context import CallContext

log = structlog.get_logger("agent_codes")
PAUSE_REASONS = {"1": "break", "2": "meeting", "3": "training", "4": "other"}


def _extension(chan: AgiChannel) -> str:
    # agi_channel is like "PJSIP/1001-0000002a": the endpoint that dialled the code
    channel = chan.headers.get("agi_channel", "")
    return channel.split("/", 1)[-1].rsplit("-", 1)[0]


async def handle_agent_code(chan: AgiChannel, ctx: CallContext) -> None:
    await chan.set_variable("HOTLINE_DONE", "1")
    await chan.answer()
    ext = _extension(chan)
    agent_id = ctx.acd.by_extension.get(ext)
    action = chan.args[0] if chan.args else ""
    event, prompt = None, "agent_code_refused"
    if agent_id is not None:
        state = ctx.acd.core.agent(agent_id).state
        if action == "login_toggle":
            event, prompt = (
                (ev.AgentLogout(agent_id), "agent_logged_out")
                if state != "logged_out"
                else (ev.AgentLogin(agent_id), "agent_logged_in")
            )
        elif action == "pause" and len(chan.args) > 1 and chan.args[1] in PAUSE_REASONS:
            event, prompt = ev.AgentPause(agent_id, PAUSE_REASONS[chan.args[1]]), "agent_paused"
        elif action == "resume":
            event, prompt = ev.AgentResume(agent_id), "agent_resumed"
        elif action == "wrapup_done":
            event, prompt = ev.WrapUpDone(agent_id), "agent_wrapup_done"
    if event is not None:
        try:
            ctx.acd.feed(event)
        except AcdError as exc:
            log.info("agent_code.refused", agent=agent_id, action=action, reason=str(exc))
            prompt = "agent_code_refused"
    else:
        log.info("agent_code.unknown", extension=ext, action=action, args=chan.args)
    await chan.stream_file(ctx.prompt(prompt))
    await chan.hangup()
