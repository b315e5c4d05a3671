"""The agents and how calls reach them: `agents:`, `answer_target:`, `acd:` and `peak:`."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, field_validator

from hotline.config_text import StrictSection, no_semicolon, sip_extension


class Agent(StrictSection):
    id: str = Field(description="工号 (agent number, read out as 座席{id}为您服务)")
    extension: str
    secret: SecretStr
    name: str = Field(default="", max_length=40)
    skills: list[str] = Field(default_factory=list, description="business categories; empty = all")

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not re.fullmatch(r"[0-9]{1,8}", v):
            raise ValueError("工号 must be 1-8 digits")
        return v

    @field_validator("extension")
    @classmethod
    def _ext(cls, v: str) -> str:
        return sip_extension(v)

    @field_validator("secret")
    @classmethod
    def _secret(cls, v: SecretStr) -> SecretStr:
        return sip_secret(v)


def sip_secret(v: SecretStr) -> SecretStr:
    """A softphone's SIP password as pjsip.conf can hold it (the strength rules are
    secret_policy's)."""
    s = v.get_secret_value()
    if len(s) < 6 or len(s) > 128 or not re.fullmatch(r"[!-~]+", s):
        raise ValueError("secret must be 6-128 printable ASCII characters without spaces")
    return no_semicolon(v)


class AnswerTarget(StrictSection):
    rings: int = Field(default=4, ge=1, le=20)
    ring_seconds: float = Field(default=3.0, gt=0, le=10)

    @property
    def seconds(self) -> float:
        return self.rings * self.ring_seconds


class AcdConfig(StrictSection):
    wrap_up_seconds: float = Field(
        default=15.0, ge=0, le=600, description="after a call, before the next offer"
    )
    position_announce_seconds: float = Field(
        default=30.0, ge=5, le=600, description="您前面还有N位客户, this often"
    )
    auto_login: bool = Field(default=True, description="an agent is logged in when the softphone registers")
    state_file: str = Field(default="var/agents.json", description="agent states kept across restarts")
    max_wait_seconds: float = Field(
        default=120.0, ge=10, le=3600, description="then the caller is offered message/callback"
    )
    vip_numbers: list[str] = Field(default_factory=list, description="key accounts: served first")
    vip_priority: int = Field(
        default=10, ge=1, le=1000, description="queue priority of a VIP caller (higher first)"
    )


class Peak(StrictSection):
    flag_file: str = Field(default="var/peak_mode", description="exists = peak mode on (hotline peak on|off)")
    auto_towns: int = Field(
        default=2, ge=1, le=1000, description="an outage in force over this many towns = peak mode"
    )
