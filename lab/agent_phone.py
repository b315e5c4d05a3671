"""An agent's phone in the lab: a long-running sipp UAS plus a one-shot REGISTER.

A sipp UAS scenario cannot REGISTER and then take new INVITEs, so the UAS listens on its own
port and a separate one-shot sipp REGISTERs the extension with a Contact pointing at that port
(the lab's PJSIP config keeps the Contact as sent). Modes:
  answer  180, answers after `answer_after` s, then waits for Asterisk's BYE
          (with `talk_seconds`: hangs up itself that long after answering)
  ring    180 and never answers (Asterisk's CANCEL gets 200 + 487)
  busy    486 Busy Here
  listen  like answer, but its SDP sends the audio to `rtp_port` (a lab.rtp_sink.RtpSink counts
          it): the supervisor's phone of live supervision
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from types import TracebackType

from lab.errors import LabError
from lab.sipp_process import SippProcess, scenario_path

SCENARIOS = {
    "answer": "agent_uas.xml",
    "talk": "agent_talk.xml",
    "ring": "agent_ring.xml",
    "busy": "agent_busy.xml",
    "listen": "agent_listen.xml",
}
REGISTER_TIMEOUT = 10.0


class AgentPhone:
    """`async with AgentPhone("1001", "pw1001") as phone:` registers 1001 until the block ends."""

    def __init__(
        self,
        extension: str,
        secret: str,
        mode: str = "answer",
        answer_after: float = 2.0,
        talk_seconds: float | None = None,
        *,
        registrar: str = "127.0.0.1:5060",
        expires: int = 3600,
        rtp_port: int | None = None,
    ) -> None:
        if mode not in SCENARIOS or mode == "talk":
            raise ValueError(f"mode must be answer, ring, busy or listen, got {mode!r}")
        if mode == "listen" and not (rtp_port is not None and 0 < rtp_port < 65536):
            raise ValueError(f"mode='listen' needs rtp_port, a UDP port for its audio, got {rtp_port!r}")
        if mode != "listen" and rtp_port is not None:
            raise ValueError("rtp_port is for mode='listen' only")
        if talk_seconds is not None and (mode != "answer" or talk_seconds <= 0):
            raise ValueError("talk_seconds needs mode='answer' and a positive number of seconds")
        if answer_after < 0:
            raise ValueError(f"answer_after must be >= 0, got {answer_after!r}")
        self.extension = extension
        self.secret = secret
        self.mode = mode
        self.answer_after = answer_after
        self.talk_seconds = talk_seconds
        self.registrar = registrar
        self.expires = expires
        self.rtp_port = rtp_port
        self._uas: SippProcess | None = None
        self._workdir: Path | None = None
        self._registered = False
        self._registrations = 0

    @property
    def port(self) -> int:
        """The UAS's SIP port (the registered Contact)."""
        return self._running().ports.sip

    @property
    def events(self) -> list[tuple[str, str]]:
        """(event, call-id) pairs the phone logged, oldest first. Events: invite, answered,
        remote_hangup (Asterisk's BYE), local_hangup (talk time over), cancelled, busy."""
        return self._uas.events() if self._uas is not None else []

    @property
    def calls_received(self) -> int:
        """Number of INVITEs the phone has received so far."""
        return sum(1 for event, _ in self.events if event == "invite")

    def count(self, event: str) -> int:
        """How many times `event` (see `events`) happened."""
        return sum(1 for name, _ in self.events if name == event)

    async def __aenter__(self) -> AgentPhone:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close(raise_errors=exc is None, pending=exc)

    async def start(self) -> None:
        """Start the UAS and register the extension."""
        if self._uas is not None:
            raise LabError(f"agent phone {self.extension} is already started")
        self._workdir = Path(tempfile.mkdtemp(prefix=f"lab-agent-{self.extension}-"))
        kind = "talk" if self.talk_seconds is not None else self.mode
        args = ["-d", str(round(self.answer_after * 1000))]
        if self.talk_seconds is not None:
            args += ["-set", "talk_ms", str(round(self.talk_seconds * 1000))]
        if self.rtp_port is not None:
            args += ["-key", "rtp_port", str(self.rtp_port)]
        started = False
        try:
            self._uas = await SippProcess.start(
                scenario_path(SCENARIOS[kind]), args, workdir=self._workdir, name="uas"
            )
            self._uas.check_running()
            await self.re_register()
            started = True
        finally:
            if not started:
                await self.close(raise_errors=False)

    async def re_register(self) -> None:
        """REGISTER the extension again (Contact = this phone's UAS port)."""
        await self._register(self.expires)
        self._registered = True

    async def unregister(self) -> None:
        """REGISTER with Expires: 0 (the UAS keeps running)."""
        await self._register(0)
        self._registered = False

    async def close(self, *, raise_errors: bool = True, pending: BaseException | None = None) -> None:
        """Unregister, stop the UAS and remove its files (kept if something failed)."""
        errors: list[LabError] = []
        if self._registered and self._uas is not None:
            try:
                await self.unregister()
            except LabError as exc:
                errors.append(exc)
        if self._uas is not None:
            await self._uas.stop()
            self._uas = None
        if self._workdir is not None and not errors and pending is None:
            shutil.rmtree(self._workdir, ignore_errors=True)
        if errors and pending is not None:
            pending.add_note(f"while closing agent phone {self.extension}: {errors[0]}")
        elif errors and raise_errors:
            raise errors[0]

    def _running(self) -> SippProcess:
        if self._uas is None:
            raise LabError(f"agent phone {self.extension} is not started")
        self._uas.check_running()
        return self._uas

    async def _register(self, expires: int) -> None:
        uas = self._running()
        self._registrations += 1
        name = f"register{self._registrations}"
        args = [
            "-m",
            "1",
            "-timeout",
            f"{round(REGISTER_TIMEOUT)}s",
            "-timeout_error",
            "-au",
            self.extension,
            "-ap",
            self.secret,
            "-key",
            "user",
            self.extension,
            "-key",
            "contact_port",
            str(uas.ports.sip),
            "-key",
            "expires",
            str(expires),
        ]
        assert self._workdir is not None
        sipp = await SippProcess.start(
            scenario_path("agent_register.xml"), args, workdir=self._workdir, name=name, remote=self.registrar
        )
        returncode = await sipp.wait(REGISTER_TIMEOUT + 5)
        sipp.ports.release()
        if returncode != 0:
            action = "unregister" if expires == 0 else "register"
            raise LabError(
                f"agent {self.extension} could not {action} at {self.registrar} "
                f"(sipp exit {returncode}):\n{sipp.stderr_tail()}"
            )
