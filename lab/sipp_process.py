"""Start one sipp process on its own ports and read what it reports.

Every sipp gets its own SIP, control and media ports (lab.ports), runs in its own work
directory with stdout discarded (sipp redraws its screen there every second), and writes:
  <name>.log      the scenario's <log> lines ("LAB <event> <call-id>"), flushed as they happen
  <name>.errors   unexpected messages (-trace_err)
  <name>.stderr   sipp's own errors
sipp exits with 254 when a socket cannot be bound; the start is then retried on new ports.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
from importlib import resources
from pathlib import Path

from lab import ports
from lab.errors import LabError, LabTimeout
from lab.locations import tail
from lab.procs import POLL

EXIT_BIND_FAILED = 254
ATTEMPTS = 4


def scenario_path(name: str) -> Path:
    """A sipp scenario shipped in lab/scenarios (e.g. 'agent_uas.xml')."""
    path = Path(str(resources.files("lab.scenarios").joinpath(name)))
    if not path.is_file():
        raise LabError(f"no sipp scenario {name} in the lab package")
    return path


def sipp_binary() -> str:
    found = shutil.which("sipp")
    if found is None:
        raise LabError("sipp is not installed: apt-get install sip-tester")
    return found


class SippProcess:
    """A running sipp; `events()` reads its LAB log lines."""

    def __init__(self, proc: asyncio.subprocess.Process, block: ports.PortBlock, workdir: Path, name: str):
        self.proc = proc
        self.ports = block
        self.workdir = workdir
        self.name = name

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}.log"

    @classmethod
    async def start(
        cls,
        scenario: Path,
        args: list[str],
        *,
        workdir: Path,
        name: str,
        remote: str | None = None,
        sip_port: int | None = None,
        local_ip: str = "127.0.0.1",
    ) -> SippProcess:
        """Spawn sipp (retrying on new ports if a port was taken meanwhile).

        `sip_port` forces the SIP port (control and media ports still come from a free block);
        `local_ip` is the address its SIP and media sockets bind (another loopback address such
        as 127.0.0.7 plays a stranger). Returns once all its ports are bound (or it has exited).
        """
        binary = sipp_binary()
        workdir.mkdir(parents=True, exist_ok=True)
        for _attempt in range(ATTEMPTS):
            block = ports.allocate(host=local_ip, sip_port=sip_port)
            command = [
                binary,
                *([remote] if remote else []),
                *_options(scenario, block, workdir, name, local_ip),
                *args,
            ]
            with (workdir / f"{name}.stderr").open("wb") as err:
                proc = await asyncio.create_subprocess_exec(
                    *command,
                    cwd=workdir,
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=err,
                    start_new_session=True,
                )
            sipp = cls(proc, block, workdir, name)
            if not await sipp._bind_failed():
                return sipp
            block.release()
        raise LabError(f"sipp {name} could not bind its ports in {ATTEMPTS} attempts:\n{sipp.stderr_tail()}")

    async def _bind_failed(self) -> bool:
        """True if sipp exited because a port was taken; else return once all its ports are bound."""
        wanted = (self.ports.sip, self.ports.control, self.ports.media, self.ports.media + 2)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while self.proc.returncode is None and not all(map(_udp_bound, wanted)):
            if loop.time() > deadline:
                await self.stop()
                raise LabTimeout(f"sipp {self.name} did not bind UDP {wanted} within 10 s")
            try:
                async with asyncio.timeout(POLL):
                    await self.proc.wait()
            except TimeoutError:
                pass
        return self.proc.returncode == EXIT_BIND_FAILED and "Unable to bind" in self.stderr_tail()

    def check_running(self) -> None:
        """Raise LabError (with sipp's errors) if this long-running sipp has exited."""
        if self.proc.returncode is not None:
            raise LabError(f"sipp {self.name} exited with {self.proc.returncode}:\n{self.stderr_tail()}")

    async def wait(self, timeout: float) -> int:
        """Wait for sipp to exit; on the deadline kill it and raise LabTimeout."""
        try:
            async with asyncio.timeout(timeout):
                return await self.proc.wait()
        except TimeoutError:
            await self.stop()
            raise LabTimeout(
                f"sipp {self.name} still running after {timeout} s, killed:\n{self.stderr_tail()}"
            ) from None

    async def stop(self, timeout: float = 5) -> int:
        """SIGTERM (SIGKILL after `timeout`) this sipp and release its ports."""
        try:
            for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
                if self.proc.returncode is not None:
                    break
                self.proc.send_signal(sig)
                try:
                    async with asyncio.timeout(wait):
                        await self.proc.wait()
                except TimeoutError:
                    continue
        finally:
            self.ports.release()
        if self.proc.returncode is None:
            raise LabError(f"sipp {self.name} (pid {self.proc.pid}) survived SIGKILL")
        return self.proc.returncode

    def events(self) -> list[tuple[str, str]]:
        """The LAB lines logged so far, as (event, rest) pairs, e.g. ('rejected', '486 <call-id>')."""
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return []
        found = []
        for line in text.splitlines():
            if line.startswith("LAB "):
                event, _, rest = line[4:].partition(" ")
                found.append((event, rest.strip()))
        return found

    def stderr_tail(self, lines: int = 15) -> str:
        """The end of sipp's stderr and of its unexpected-messages file."""
        text = "\n".join(
            tail(self.workdir / f"{self.name}.{suffix}", lines) for suffix in ("stderr", "errors")
        )
        return "\n".join(
            line
            for line in text.splitlines()
            if line.strip() and not line.startswith("Resolving remote host")
        )


def _options(
    scenario: Path, block: ports.PortBlock, workdir: Path, name: str, local_ip: str = "127.0.0.1"
) -> list[str]:
    """sipp's options for one run: the scenario, its SIP and media ports on `local_ip` (control
    on 127.0.0.1), its log files."""
    return [
        "-sf",
        str(scenario),
        "-i",
        local_ip,
        "-mi",
        local_ip,
        "-p",
        str(block.sip),
        "-cp",
        str(block.control),
        "-ci",
        "127.0.0.1",
        "-mp",
        str(block.media),
        "-nostdin",
        # answer in-dialog INFO/NOTIFY/OPTIONS/UPDATE with 200 instead of aborting the call
        "-aa",
        "-trace_err",
        "-error_file",
        str(workdir / f"{name}.errors"),
        "-trace_logs",
        "-log_file",
        str(workdir / f"{name}.log"),
    ]


def _udp_bound(port: int) -> bool:
    """Whether any socket is bound to UDP `port` (IPv4)."""
    suffix = f":{port:04X}"
    try:
        lines = Path("/proc/net/udp").read_text().splitlines()[1:]
    except FileNotFoundError:
        return False
    return any(line.split()[1].endswith(suffix) for line in lines)
