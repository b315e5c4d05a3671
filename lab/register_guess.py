"""A password guesser for the lab: one REGISTER try from another loopback address.

    outcome = await register_try("1009", "wrong-guess")   # from 127.0.0.5
    # "refused_password": challenged, and the credentials refused (a failed login)
    # "accepted": the credentials were right
    # "forbidden": 403 before any challenge: the address is blocked

sipp (lab/scenarios/register_guess.xml) sends from `source` (its `-i`, given after the lab's
own `-i 127.0.0.1`: sipp keeps the last one); all of 127.0.0.0/8 is local on Linux.
"""

from __future__ import annotations

import ipaddress
import shutil
import tempfile
from pathlib import Path

from lab.errors import LabError
from lab.sipp_process import SippProcess, scenario_path

GUESSER = "127.0.0.5"
OUTCOMES = ("refused_password", "accepted", "forbidden")
TIMEOUT = 10.0


async def register_try(
    user: str, password: str, *, source: str = GUESSER, registrar: str = "127.0.0.1:5060"
) -> str:
    """One REGISTER as `user` with `password` from `source`; its outcome (see OUTCOMES). LabError
    if sipp failed or saw something else (its work directory is then kept for inspection)."""
    if not ipaddress.ip_address(source).is_loopback:
        raise LabError(f"the lab's guesser sends from loopback addresses only, not {source!r}")
    workdir = Path(tempfile.mkdtemp(prefix=f"lab-guess-{user}-"))
    args = ["-m", "1", "-timeout", f"{round(TIMEOUT)}s", "-timeout_error"]
    args += ["-au", user, "-ap", password, "-key", "user", user, "-i", source]
    sipp = await SippProcess.start(
        scenario_path("register_guess.xml"), args, workdir=workdir, name="guess", remote=registrar
    )
    try:
        returncode = await sipp.wait(TIMEOUT + 5)
    finally:
        sipp.ports.release()
    outcome = next((event for event, _ in sipp.events() if event in OUTCOMES), None)
    if returncode != 0 or outcome is None:
        raise LabError(
            f"REGISTER try as {user} from {source} failed (sipp exit {returncode}, kept in {workdir}):\n"
            f"{sipp.stderr_tail()}"
        )
    shutil.rmtree(workdir, ignore_errors=True)
    return outcome
