"""The `security:` section: how the daemon answers SIP password guessing (hotline/services/auth_guard.py)."""

from __future__ import annotations

import ipaddress

from pydantic import Field, field_validator

from hotline.config_text import StrictSection, dialplan_path


class Security(StrictSection):
    """After `max_failures` failed SIP logins from one address within `window_seconds`, that
    address is refused by every SIP request for `block_seconds` (a PJSIP ACL in `blocklist_file`)."""

    max_failures: int = Field(default=5, ge=1, le=1000, description="failed logins that block an address")
    window_seconds: float = Field(
        default=60.0, gt=0, le=86400, description="the failures must fall within this many seconds"
    )
    block_seconds: float = Field(
        default=900.0, ge=1, le=30 * 86400, description="how long a blocked address is refused"
    )
    blocklist_file: str = Field(
        default="/etc/asterisk/hotline-blocklist.conf",
        description="where the daemon writes the blocked addresses (a pjsip.conf #tryinclude; "
        "the daemon's view of the path Asterisk reads)",
    )
    never_block: list[str] = Field(
        default_factory=list,
        description="addresses or networks never blocked (the trunk gateway's address is added)",
    )

    @field_validator("blocklist_file")
    @classmethod
    def _path(cls, v: str) -> str:
        return dialplan_path(v)

    @field_validator("never_block")
    @classmethod
    def _networks(cls, v: list[str]) -> list[str]:
        for item in v:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or network such as 10.0.0.0/8") from None
        return v
