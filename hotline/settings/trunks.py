"""The `trunks:` section: the phone lines (a SIP FXO gateway or an analog DAHDI card)."""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

from pydantic import Field, field_validator

from hotline.config_text import StrictSection
from hotline.settings.asterisk import WIDEST_PREFIX


class PjsipTrunk(StrictSection):
    """An FXO gateway (or the lab's sipp carrier) speaking SIP."""

    gateway_match: str = Field(default="127.0.0.1", description="source IP/CIDR of the gateway's INVITEs")
    outbound_contact: str = Field(default="sip:127.0.0.1:5070", description="where outbound calls are sent")

    @field_validator("gateway_match")
    @classmethod
    def _ip(cls, v: str) -> str:
        net = ipaddress.ip_network(v, strict=False)
        if net.prefixlen < WIDEST_PREFIX[net.version]:
            raise ValueError(
                f"{v} is wider than /{WIDEST_PREFIX[net.version]}: every address in it would be taken "
                "for the gateway, unauthenticated; give the gateway's address"
            )
        return v

    @field_validator("outbound_contact")
    @classmethod
    def _sip_uri(cls, v: str) -> str:
        if not re.fullmatch(r"sips?:[^\s;]+(;[^\s]*)?", v):
            raise ValueError("must be a SIP URI such as sip:192.0.2.10:5060")
        return v


class DahdiTrunk(StrictSection):
    """An analog FXO card: 8 inbound ports + 4 outbound ports by default."""

    inbound_channels: str = "1-8"
    outbound_channels: str = "9-12"
    signalling: Literal["fxs_ks", "fxs_ls"] = "fxs_ks"
    tone_zone: str = Field(default="cn", description="DAHDI tone zone: a country code such as cn or us")

    @field_validator("tone_zone")
    @classmethod
    def _zone(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9-]{1,15}", v):
            raise ValueError(f"tone_zone {v!r} must be a zone name such as cn, us or us-old")
        return v

    @field_validator("inbound_channels", "outbound_channels")
    @classmethod
    def _range(cls, v: str) -> str:
        if not re.fullmatch(r"\d+(-\d+)?(,\d+(-\d+)?)*", v):
            raise ValueError("must be a DAHDI channel list such as 1-8 or 1,2,5-8")
        return v


class Trunks(StrictSection):
    kind: Literal["pjsip", "dahdi"] = "pjsip"
    inbound: int = Field(default=8, ge=1, le=1000, description="inbound lines: the 9th caller gets busy")
    outbound: int = Field(default=4, ge=0, le=1000, description="outbound lines: never more calls at once")
    pjsip: PjsipTrunk = PjsipTrunk()
    dahdi: DahdiTrunk = DahdiTrunk()
    audit_seconds: float = Field(
        default=30.0,
        ge=1,
        le=3600,
        description="how often held lines are checked against Asterisk's live channels (a leak is freed)",
    )
    audit_grace_seconds: float = Field(
        default=60.0, ge=0, le=3600, description="a line younger than this is never judged by the audit"
    )
