"""The lab machine's own networks: where `python -m lab up --hotline --public` (`make run`) lets
softphones register from (`sip.agents_network`, rendered as the PJSIP ACL).

The networks of the machine's global addresses (from `ip -j addr`: address and prefix of each
interface, so a softphone on the same LAN can register) plus loopback. Nothing else: a softphone
elsewhere on the internet gets 403 even though SIP listens on every interface.
"""

from __future__ import annotations

import ipaddress
import json
import shutil
import subprocess

from pydantic import ValidationError

from hotline.settings import Settings, SipMedia
from lab.errors import LabError

LOOPBACK = ("127.0.0.0/8", "::1/128")


def networks_from_ip_json(text: str) -> list[str]:
    """The networks of the global-scope IPv4/IPv6 addresses in `ip -j addr show` output, each once,
    then loopback."""
    try:
        interfaces = json.loads(text)
        nets = [
            str(ipaddress.ip_interface(f"{a['local']}/{a['prefixlen']}").network)
            for iface in interfaces
            for a in iface.get("addr_info", [])
            if a.get("scope") == "global" and a.get("family") in ("inet", "inet6")
        ]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LabError(f"cannot read the interfaces from `ip -j addr show`: {exc}") from None
    return list(dict.fromkeys([*nets, *LOOPBACK]))


def host_networks() -> list[str]:
    """This machine's networks (see the module doc)."""
    ip = shutil.which("ip")
    if ip is None:
        raise LabError("`ip` (iproute2) is needed to find this machine's networks: apt-get install iproute2")
    try:
        done = subprocess.run([ip, "-j", "addr", "show"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LabError(f"`ip -j addr show` failed: {exc}") from None
    if done.returncode != 0:
        raise LabError(f"`ip -j addr show` exited with {done.returncode}: {done.stderr.strip()}")
    return networks_from_ip_json(done.stdout)


def with_agents_network(settings: Settings, networks: list[str]) -> Settings:
    """`settings` whose `sip.agents_network` is `networks` (checked like the config file's)."""
    try:
        sip = SipMedia.model_validate({**settings.sip.model_dump(), "agents_network": networks})
    except ValidationError as exc:
        problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        raise LabError(f"this machine's networks cannot be sip.agents_network: {problems}") from None
    return settings.model_copy(update={"sip": sip})
