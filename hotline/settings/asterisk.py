"""How Asterisk is set up: `sip:` (dead-call timers, where agents may register from) and
`asterisk:` (paths as Asterisk sees them)."""

from __future__ import annotations

import ipaddress
import re

from pydantic import Field, field_validator, model_validator

from hotline.config_text import StrictSection, dialplan_path

# the private (RFC 1918) ranges and loopback: never the whole internet
PRIVATE_NETWORKS: tuple[str, ...] = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8")
WIDEST_PREFIX = {4: 8, 6: 7}  # 10.0.0.0/8 and fc00::/7 (unique local) are the widest private ranges


def agents_network(text: str) -> str:
    """One network agents may register from, in its canonical form ('10.10.0.0/16'); ValueError
    for anything else (a host part, the whole internet, a range wider than any private one)."""
    try:
        net = ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        if "host bits set" in str(exc):
            wide = ipaddress.ip_network(text, strict=False)
            raise ValueError(f"{text!r} has host bits set: did you mean {wide}?") from None
        raise ValueError(
            f"{text!r} is not an IPv4/IPv6 network such as 10.10.0.0/16 or 192.168.1.20"
        ) from None
    if net.prefixlen == 0:
        raise ValueError(f"{text} is the whole internet: list the networks the agents' softphones are on")
    if net.prefixlen < WIDEST_PREFIX[net.version]:
        raise ValueError(
            f"{net} is wider than /{WIDEST_PREFIX[net.version]}, wider than any private network: "
            "list the networks the agents' softphones are on"
        )
    if isinstance(net, ipaddress.IPv6Network):
        if net.network_address.scope_id is not None:
            raise ValueError(f"{text}: a zone index (%...) has no place in an ACL")
        if net.network_address.ipv4_mapped is not None:
            raise ValueError(f"{text} is an IPv4-mapped IPv6 network: write it as IPv4")
    return str(net)


class SipMedia(StrictSection):
    """Dead calls are hung up by Asterisk, so no agent stays "talking" to nobody; SIP requests are
    taken only from the agents' networks and the trunk gateway (a PJSIP ACL)."""

    rtp_timeout_seconds: int = Field(
        default=60, ge=0, le=3600, description="hang up a call whose media stopped this long (0 = off)"
    )
    session_expires_seconds: int = Field(
        default=1800,
        ge=90,
        le=86400,
        description="SIP session timers (RFC 4028): a peer that vanished without a BYE is cut",
    )
    agents_network: list[str] = Field(
        default_factory=lambda: list(PRIVATE_NETWORKS),
        description="networks the agents' softphones may send SIP from and register (IPv4/IPv6, CIDR)",
    )

    @field_validator("agents_network")
    @classmethod
    def _agents_network(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError(
                "must list at least one network (with none, no softphone could register), e.g. [10.10.0.0/16]"
            )
        return [agents_network(text) for text in v]


class AsteriskPaths(StrictSection):
    """Paths as Asterisk sees them (inside the lab chroot they are chroot-relative)."""

    prompts_dir: str = "/var/lib/hotline/prompts"
    recordings_dir: str = "/var/spool/asterisk/monitor"
    moh_dir: str = "/var/lib/hotline/moh"
    # Unlike recordings_dir, where the DAEMON finds those files (the console plays them, the
    # retention job deletes them): Asterisk in a chroot or a container writes
    # /var/spool/asterisk/monitor/x.wav, the daemon reads <root>/var/spool/asterisk/monitor/x.wav.
    recordings_host_dir: str | None = Field(
        default=None,
        description="recordings_dir as the daemon sees it; unset = the same path (Asterisk on this host)",
    )
    fastagi_url: str = "agi://127.0.0.1:4573"
    # With the daemon down the fallback can still read today's outage notices to callers with
    # agi_scripts/outage_notice.py (needs Python + pyst2 where Asterisk runs, and the database
    # reachable from there). Both unset = the fallback goes straight to the agents.
    fallback_agi: str | None = Field(
        default=None, description="absolute path of outage_notice.py for Asterisk"
    )
    fallback_db_url: str | None = Field(
        default=None, description="sqlite:////ABS/PATH.db or postgresql://ro-user:pw@host/db"
    )
    # Unlike the paths above, where the DAEMON finds prompts_dir: the console's prompts page plays,
    # uploads and re-renders the files there. None = prompts_dir itself (daemon and Asterisk on one
    # filesystem); in the lab the chroot's copy (LabAsterisk.host_path(prompts_dir)).
    prompts_host_dir: str | None = Field(
        default=None,
        description="prompts_dir as the daemon sees it (None = the same path), e.g. the chroot's copy",
    )
    # Unlike the paths above, where the DAEMON reads Asterisk's CDR ledger (cdr_custom.conf writes
    # it to <astlogdir>/cdr-custom/hotline-cdr). Set: at start the daemon records every call
    # the ledger holds and the store lacks (the fallback's calls while it was down), and again every
    # cdr_reconcile_seconds while it runs. None = off.
    cdr_file: str | None = Field(
        default=None,
        description="the CDR ledger as the daemon sees it, e.g. /var/log/asterisk/cdr-custom/hotline-cdr",
    )
    cdr_reconcile_seconds: float = Field(
        default=60.0,
        gt=0,
        le=86_400,
        description="how often the running daemon reconciles the ledger too (calls the fallback took "
        "after a crash or a watchdog restart, ending while the daemon runs again)",
    )

    @field_validator("prompts_dir", "recordings_dir", "moh_dir", "fallback_agi", "recordings_host_dir")
    @classmethod
    def _path(cls, v: str | None) -> str | None:
        return None if v is None else dialplan_path(v)

    @field_validator("prompts_host_dir")
    @classmethod
    def _host_dir(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith("/"):
            raise ValueError(f"must be an absolute path, got {v!r}")
        return v

    def prompts_dir_on_host(self) -> str:
        """Where the daemon reads and writes the prompt files Asterisk plays from prompts_dir."""
        return self.prompts_host_dir or self.prompts_dir

    @field_validator("fastagi_url")
    @classmethod
    def _agi_url(cls, v: str) -> str:
        if not re.fullmatch(r"agi://[A-Za-z0-9.\-]+(:[0-9]{1,5})?|agi://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?", v):
            raise ValueError(f"must look like agi://127.0.0.1:4573 (host and port only), got {v!r}")
        return v

    @field_validator("fallback_db_url")
    @classmethod
    def _db_url(cls, v: str | None) -> str | None:
        if v is not None and re.search(r"[\s,;$\\\"()]", v):
            raise ValueError(
                'fallback_db_url must not contain spaces or any of , ; $ \\ " ( ) '
                "(it is an AGI argument in the dialplan)"
            )
        return v

    @model_validator(mode="after")
    def _fallback_pair(self) -> AsteriskPaths:
        if (self.fallback_agi is None) != (self.fallback_db_url is None):
            raise ValueError("set both fallback_agi and fallback_db_url, or neither")
        return self

    @property
    def recordings_on_host(self) -> str:
        """The recordings directory as the daemon sees it."""
        return self.recordings_host_dir or self.recordings_dir
