"""Live supervision from the wallboard (supervisors and admins), every change audited.

  POST /supervise/spy    agent_id, mode = listen | whisper | barge: the user's phone (its
                         `supervisors:` entry) is rung and, answered, hears the agent's call
  POST /supervise/agent  agent_id, action = pause | logout: forced, as the agent's feature codes
                         would (pause reason "supervisor")
  POST /supervise/peak   state = on | off, reason: peak mode by hand
  GET  /supervise/phone  the user's phone: its extension, registered or not

What is allowed is `acd.supervision`'s decision (pure) from the ACD's view of the agent, the
mode and the phone's registration; the AMI action is built from the config's extensions only
(hotline.asterisk.spy), never from the request's text. Bad input is 400, an unknown 工号 404,
a state that does not allow it 409, AMI away 503; a refused request changes nothing and writes
no audit row.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from hotline.asterisk.spy import SpyAmi
from hotline.web.deps import WebDeps
from hotline.web.supervise_agent import agent_route
from hotline.web.supervise_common import SupervisedAcd
from hotline.web.supervise_peak import PeakSwitch, peak_route
from hotline.web.supervise_spy import phone_route, spy_route


def supervise_routes(
    deps: WebDeps, acd: SupervisedAcd, ami: SpyAmi | None, peak: PeakSwitch
) -> list[BaseRoute]:
    """The daemon passes its AcdRuntime, AmiClient (None when it runs without AMI: listening is
    then refused with 503) and PeakMode."""
    return [
        spy_route(deps.settings, acd, ami),
        agent_route(deps.settings, acd),
        peak_route(deps, peak),
        phone_route(deps.settings, ami),
    ]
