"""The names live supervision shares between the rendered dialplan (dialplan/50-supervision.conf.j2,
through config_render) and the AMI Originate that uses it (hotline/asterisk/spy.py)."""

from __future__ import annotations

from acd.supervision import SpyMode

SPY_CONTEXT = "hotline-spy"  # only AMI sends a channel here: no endpoint's context includes it
SUPERVISOR_CONTEXT = "hotline-supervisor"  # the supervisors' phones' own context: dials nothing
SPY_VARIABLE = "HOTLINE_SPY_EXT"  # the agent's extension, on the supervisor's channel
# ChanSpy options: q no beep nor channel name, E hang up when the agent's call ends, S hang up if
# there is no such call (any more); w the supervisor talks to the agent only, B to both sides
SPY_OPTIONS: dict[SpyMode, str] = {"listen": "qES", "whisper": "qESw", "barge": "qESB"}
