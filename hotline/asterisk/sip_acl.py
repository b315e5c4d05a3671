"""Who may send SIP to the hotline's Asterisk: the networks of the rendered PJSIP ACL (pjsip.conf).

res_pjsip_acl checks every inbound SIP request (and the Contact of every REGISTER) before any
endpoint sees it and answers 403 to what it denies. The rendered ACL denies everything, then
permits the agents' networks (`sip.agents_network`) and the trunk gateway: its inbound match
(`trunks.pjsip.gateway_match`) and the host of `outbound_contact` when that is an IP address (the
gateway's BYEs and re-INVITEs on outbound calls come from there; a host name cannot go into an
ACL, so such a gateway must send from an address in gateway_match or agents_network).

Every value is parsed again here, so text that got past the config check some other way (a
Settings built in code) cannot add entries or lines to the ACL: RenderError names it instead.
"""

from __future__ import annotations

import ipaddress
import re

from hotline.settings import Settings
from hotline.settings.asterisk import agents_network

# sip:HOST[:PORT][;params] with HOST a name, an IPv4 address or [an IPv6 address]
_CONTACT_HOST = re.compile(r"sips?:(?:[^@;]*@)?(\[[0-9A-Fa-f:.]+\]|[^:;\[\]]+)")


class AclError(ValueError):
    """A value that cannot be written into the ACL; the message names the setting."""


def _contact_network(contact: str) -> str | None:
    """The host of a SIP URI as a one-address network, or None for a host name."""
    m = _CONTACT_HOST.match(contact)
    if m is None:
        raise AclError(f"trunks.pjsip.outbound_contact {contact!r} is not a SIP URI")
    host = m.group(1).strip("[]")
    try:
        return str(ipaddress.ip_network(host))
    except ValueError:
        return None


def permitted_networks(settings: Settings) -> list[str]:
    """The networks the ACL permits, each once, in Asterisk's notation (address/prefix)."""
    nets: list[str] = []
    for text in settings.sip.agents_network:
        try:
            nets.append(agents_network(text))
        except ValueError as exc:
            raise AclError(f"sip.agents_network: {exc}") from None
    if settings.trunks.kind == "pjsip":
        pjsip = settings.trunks.pjsip
        try:
            nets.append(str(ipaddress.ip_network(pjsip.gateway_match, strict=False)))
        except ValueError:
            raise AclError(
                f"trunks.pjsip.gateway_match {pjsip.gateway_match!r} is not an IP network"
            ) from None
        contact = _contact_network(pjsip.outbound_contact)
        if contact is not None:
            nets.append(contact)
    return list(dict.fromkeys(nets))
