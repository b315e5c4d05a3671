"""The project's lab: Asterisk 22 in a Debian sid chroot, driven by sipp callers and agents.

    root = ensure_chroot()                        # build once (debootstrap), reuse after
    asterisk = await bring_up(rendered_dir, {"/var/lib/hotline/prompts": prompts_dir})
    result = await call("95598", steps=[Wait(1), Dtmf("1"), Wait(3)])
    async with AgentPhone("1001", "pw1001") as phone: ...
    asterisk.stop()

`python -m lab up|down|status|cli` does the same by hand. Needs root.
"""

from lab.asterisk import LabAsterisk
from lab.caller_steps import Dtmf, HangUp, Wait
from lab.chroot import asterisk_version, ensure_chroot
from lab.errors import LabError, LabTimeout
from lab.session import LabSession, bring_up
from lab.sipp import AgentPhone, CallHandle, CallResult, call, start_call

__all__ = [
    "AgentPhone",
    "CallHandle",
    "CallResult",
    "Dtmf",
    "HangUp",
    "LabAsterisk",
    "LabError",
    "LabSession",
    "LabTimeout",
    "Wait",
    "asterisk_version",
    "bring_up",
    "call",
    "ensure_chroot",
    "start_call",
]
