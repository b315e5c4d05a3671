"""Asterisk's AMI security events (class `security`) that tell of a failed SIP login.

res_pjsip reports, with `Service: PJSIP` and `RemoteAddress: IPV4/UDP/192.0.2.7/5060`:
- `ChallengeResponseFailed`: a wrong password (digest response) for an account, or any
  credentials for an account that does not exist (AccountID `<unknown>`);
- `InvalidAccountID`: a request for an unknown account (sent once the address has made
  res_pjsip's `unidentified_request_count` such requests within its period);
- `FailedACL`: an endpoint's ACL refused the source or Contact address.
`InvalidPassword` is the same failure as other services report it. `ChallengeSent` and
`SuccessfulAuth` come with every good registration and are not read (nor subscribed to).
Events of other services (`AMI`: the daemon's own logins) are not SIP logins and are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hotline.asterisk.ami_protocol import header

AUTH_FAILURE_EVENTS = ("ChallengeResponseFailed", "InvalidAccountID", "InvalidPassword", "FailedACL")
SIP_SERVICE = "PJSIP"
MAX_ACCOUNT = 64  # the account id is the caller's From user: kept short in logs and events


def sip_failure(event: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """(kind, remote IP address, account) of a failed SIP login event; None for any other event,
    another service's, or one whose RemoteAddress cannot be read."""
    kind = header(event, "Event")
    if kind not in AUTH_FAILURE_EVENTS or header(event, "Service").upper() != SIP_SERVICE:
        return None
    address = remote_ip(header(event, "RemoteAddress"))
    if address is None:
        return None
    return kind, address, header(event, "AccountID")[:MAX_ACCOUNT]


def remote_ip(value: str) -> str | None:
    """The IP address of an AMI address header: `IPV4/UDP/192.0.2.7/5060` -> 192.0.2.7,
    `IPV6/TCP/2001:db8::1/5061` -> 2001:db8::1, `IPV4/192.0.2.7/5060` (no transport) ->
    192.0.2.7; None if it has not that form."""
    parts = value.strip().split("/")
    if len(parts) not in (3, 4) or parts[0].upper() not in ("IPV4", "IPV6"):
        return None
    return parts[-2].strip("[]") or None
