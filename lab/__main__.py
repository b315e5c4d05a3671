"""`python -m lab up|down|status|cli "<command>"`: the lab Asterisk by hand (as root).

up [--config DIR] [--file DEST=SRC ...]   build/reuse the chroot, install DIR (a rendered
                                          config) and files if given, start, wait for AMI
up --smoke                                the same with the lab's own smoke config
up --hotline [-c FILE] [--public]         the hotline's own config, prompts and music (--public:
                                          SIP on all interfaces, from this machine's networks only)
down                                      stop Asterisk (by pid file)
(up and down take the lab lock while they run: they fail at once while a test session uses the lab)
status                                    running or not, pid, version, endpoints
cli "core show channels"                  one Asterisk CLI command
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from lab.asterisk import LabAsterisk
from lab.chroot import asterisk_version, ensure_chroot
from lab.errors import LabError
from lab.lab_lock import take_lab
from lab.session import bring_up, start_and_wait
from lab.smoke_config import write_smoke_config


def _files(pairs: list[str]) -> dict[str, Path]:
    files = {}
    for pair in pairs:
        dest, sep, src = pair.partition("=")
        if not sep or not dest.startswith("/"):
            raise LabError(f"--file wants DEST=SRC with DEST absolute inside the chroot, got {pair!r}")
        files[dest] = Path(src)
    return files


async def _up(args: argparse.Namespace) -> None:
    asterisk = LabAsterisk(ensure_chroot())
    if args.hotline:
        await _hotline_up(args, asterisk)
        return
    if args.smoke:
        with tempfile.TemporaryDirectory(prefix="lab-smoke-") as tmp:
            await bring_up(
                write_smoke_config(tmp, asterisk.modules_dir()), _files(args.file), asterisk=asterisk
            )
    elif args.config:
        await bring_up(args.config, _files(args.file), asterisk=asterisk)
    else:
        for dest, src in _files(args.file).items():
            asterisk.install_files(src, dest)
        await start_and_wait(asterisk)
    print(
        f"Asterisk running, pid {asterisk.pid()}; log {asterisk.log_file}; "
        f"full log {asterisk.full_log_path()}"
    )


async def _hotline_up(args: argparse.Namespace, asterisk: LabAsterisk) -> None:
    from hotline.settings import ConfigError, load_settings
    from lab.host_networks import host_networks, with_agents_network
    from lab.hotline_stack import hotline_up
    from lab.session import LabSession

    try:
        settings = load_settings(args.hotline_config)
    except ConfigError as exc:
        raise LabError("\n".join(exc.errors)) from None
    if args.public:  # SIP on every interface: softphones of this machine's networks may register
        settings = with_agents_network(settings, host_networks())
    await hotline_up(settings, Path("var/lab"), public=args.public, session=LabSession(asterisk))
    where = _addresses() if args.public else ["127.0.0.1"]
    print(f"Asterisk running (pid {asterisk.pid()}), SIP on UDP 5060. Register a softphone:")
    for a in settings.agents:
        print(
            f"  agent 工号 {a.id}: user {a.extension}, password {a.secret.get_secret_value()}, "
            f"registrar {' or '.join(where)}:5060"
        )
    print("  dial 95598 from a registered softphone to call the hotline as a customer")
    print(f"  SIP is accepted from {', '.join(settings.sip.agents_network)} only (sip.agents_network)")


def _addresses() -> list[str]:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing address
            return [s.getsockname()[0]]
        except OSError:
            return ["127.0.0.1"]


def _status() -> int:
    asterisk = LabAsterisk()
    pid = asterisk.pid()
    if pid is None:
        print(f"Asterisk not running (chroot {asterisk.root})")
        return 3
    print(f"Asterisk running, pid {pid}: {asterisk_version(asterisk.root)}")
    print(asterisk.cli("pjsip show endpoints").rstrip())
    return 0


def _change(args: argparse.Namespace) -> None:
    if args.command == "up":
        asyncio.run(_up(args))
    else:
        LabAsterisk().stop()
        print("Asterisk stopped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the lab Asterisk")
    up.add_argument("--config", type=Path, help="rendered Asterisk config directory to install first")
    up.add_argument("--smoke", action="store_true", help="use the lab's own smoke config")
    up.add_argument("--hotline", action="store_true", help="the hotline's config, prompts and music on hold")
    up.add_argument("-c", "--hotline-config", type=Path, default=Path("config/hotline.yaml"))
    up.add_argument(
        "--public",
        action="store_true",
        help="SIP and RTP on all interfaces, for softphones on this machine's networks",
    )
    up.add_argument(
        "--file", action="append", default=[], metavar="DEST=SRC", help="also install SRC at DEST"
    )
    sub.add_parser("down", help="stop the lab Asterisk")
    sub.add_parser("status", help="is it running?")
    cli = sub.add_parser("cli", help="run one Asterisk CLI command")
    cli.add_argument("cli_command")
    args = parser.parse_args(argv)
    try:
        if args.command in ("up", "down"):  # they change the lab: one user at a time
            with take_lab(f"python -m lab {args.command}"):
                _change(args)
        elif args.command == "status":
            return _status()
        else:
            print(LabAsterisk().cli(args.cli_command), end="")
    except LabError as exc:
        print(f"lab: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
