"""`supervisors:`: the softphone each console supervisor listens on (live supervision).

A supervisor (or admin) of the web console clicks 监听 / 耳语 / 强插 on the wallboard; the daemon
rings this phone (AMI Originate) and, once answered, the phone hears the agent's call (ChanSpy).
The phone is a PJSIP endpoint rendered into pjsip.conf like an agent's (digest auth, one
registration, the same SIP ACL), but in a context that dials nothing: it is only ever rung.
"""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, field_validator

from hotline.config_text import StrictSection, sip_extension
from hotline.settings.acd import sip_secret

# the console's user names (hotline/web/auth/accounts.py USERNAME, `hotline users add`)
USER_NAME = re.compile(r"[A-Za-z0-9_.-]{1,32}")


class Supervisor(StrictSection):
    user: str = Field(description="the console account (hotline users add NAME --role supervisor|admin)")
    extension: str = Field(description="the softphone's PJSIP user: rung to listen, dials nothing")
    secret: SecretStr
    name: str = Field(default="", max_length=40)

    @field_validator("user")
    @classmethod
    def _user(cls, v: str) -> str:
        if not USER_NAME.fullmatch(v):
            raise ValueError("user must be a console user name: 1-32 of A-Z a-z 0-9 _ . -")
        return v

    @field_validator("extension")
    @classmethod
    def _ext(cls, v: str) -> str:
        return sip_extension(v)

    @field_validator("secret")
    @classmethod
    def _secret(cls, v: SecretStr) -> SecretStr:
        return sip_secret(v)
