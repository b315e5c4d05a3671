"""Site configuration (`config/hotline.yaml`) as pydantic models.

Unknown keys are rejected; `load_settings` reports every error at once as `file:line: message`.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator

from hotline.dialer.config import Outbound
from hotline.settings.text import StrictSection
from ivr.yaml_source import Located, YamlSyntaxError, load_yaml

# characters that mean something in a dialplan line or an AGI argument (see `_dialplan_path`)
_DIALPLAN_SPECIAL = re.compile(r"""[\s,;&|()$\[\]{}"'`\\]""")


def _no_semicolon(secret: SecretStr) -> SecretStr:
    if ";" in secret.get_secret_value():
        raise ValueError("secret must not contain ';' (it starts a comment in Asterisk's config files)")
    return secret


def _dialplan_path(v: str) -> str:
    """An absolute path Asterisk reads, written into the dialplan and into AGI arguments."""
    if not v.startswith("/"):
        raise ValueError(f"must be an absolute path (got {v!r})")
    bad = _DIALPLAN_SPECIAL.search(v)
    if bad:
        raise ValueError(
            f"must not contain spaces or any of , ; & | ( ) $ [ ] {{ }} quotes \\ (found {bad.group()!r})"
        )
    return v


class PjsipTrunk(StrictSection):
    """An FXO gateway (or the lab's sipp carrier) speaking SIP."""

    gateway_match: str = Field("127.0.0.1", description="source IP/CIDR of the gateway's INVITEs")
    outbound_contact: str = Field("sip:127.0.0.1:5070", description="where outbound calls are sent")

    @field_validator("gateway_match")
    @classmethod
    def _ip(cls, v: str) -> str:
        ipaddress.ip_network(v, strict=False)
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
    tone_zone: str = Field("cn", description="DAHDI tone zone: a country code such as cn or us")

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
    inbound: int = Field(8, ge=1, le=1000, description="inbound lines: the 9th caller gets busy")
    outbound: int = Field(4, ge=0, le=1000, description="outbound lines: never more calls at once")
    pjsip: PjsipTrunk = PjsipTrunk()
    dahdi: DahdiTrunk = DahdiTrunk()
    audit_seconds: float = Field(
        30.0,
        ge=1,
        le=3600,
        description="how often held lines are checked against Asterisk's live channels (a leak is freed)",
    )
    audit_grace_seconds: float = Field(
        60.0, ge=0, le=3600, description="a line younger than this is never judged by the audit"
    )


class Agent(StrictSection):
    id: str = Field(description="工号 (agent number, read out as 座席{id}为您服务)")
    extension: str
    secret: SecretStr
    name: str = Field("", max_length=40)
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
        if not re.fullmatch(r"[0-9]{2,8}", v):
            raise ValueError("extension must be 2-8 digits")
        return v

    @field_validator("secret")
    @classmethod
    def _secret(cls, v: SecretStr) -> SecretStr:
        s = v.get_secret_value()
        if len(s) < 6 or len(s) > 128 or not re.fullmatch(r"[!-~]+", s):
            raise ValueError("secret must be 6-128 printable ASCII characters without spaces")
        return _no_semicolon(v)


class AnswerTarget(StrictSection):
    rings: int = Field(4, ge=1, le=20)
    ring_seconds: float = Field(3.0, gt=0, le=10)

    @property
    def seconds(self) -> float:
        return self.rings * self.ring_seconds


class AcdConfig(StrictSection):
    wrap_up_seconds: float = Field(15.0, ge=0, le=600, description="after a call, before the next offer")
    position_announce_seconds: float = Field(30.0, ge=5, le=600, description="您前面还有N位客户, this often")
    auto_login: bool = Field(True, description="an agent is logged in when the softphone registers")
    state_file: str = Field("var/agents.json", description="agent states kept across restarts")
    max_wait_seconds: float = Field(
        120.0, ge=10, le=3600, description="then the caller is offered message/callback"
    )
    vip_numbers: list[str] = Field(default_factory=list, description="key accounts: served first")
    vip_priority: int = Field(10, ge=1, le=1000, description="queue priority of a VIP caller (higher first)")


class Peak(StrictSection):
    flag_file: str = Field("var/peak_mode", description="exists = peak mode on (hotline peak on|off)")
    auto_towns: int = Field(
        2, ge=1, le=1000, description="an outage in force over this many towns = peak mode"
    )


class Database(StrictSection):
    url: str = "sqlite+aiosqlite:///var/hotline.db"
    max_memory_items: int = Field(
        100_000,
        ge=1,
        le=10_000_000,
        description="call records held in memory while the database is away; the rest go to spill_file",
    )
    spill_file: str | None = Field(
        None,
        min_length=1,
        description="call records waiting for the database (JSON lines), "
        "written back in order when it returns and at the next "
        "start; default: next to the SQLite file, or "
        "var/hotline-spill.jsonl for PostgreSQL",
    )

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not (v.startswith("sqlite+aiosqlite://") or v.startswith("postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///FILE or postgresql+asyncpg://USER:PW@HOST/DB")
        return v

    @property
    def spill_path(self) -> str:
        """Where records wait while the database is away: one file per database by default."""
        if self.spill_file is not None:
            return self.spill_file
        prefix = "sqlite+aiosqlite:///"
        if self.url.startswith(prefix) and self.url != prefix + ":memory:":
            return self.url.removeprefix(prefix) + ".spill.jsonl"
        return "var/hotline-spill.jsonl"


class Ami(StrictSection):
    host: str = "127.0.0.1"
    port: int = Field(5038, ge=1, le=65535)
    username: str = "hotline"
    secret: SecretStr = SecretStr("change-me-ami")
    reconnect_max_seconds: float = Field(10.0, gt=0, le=300)

    @field_validator("username")
    @classmethod
    def _username(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", v):
            raise ValueError(
                "username must be 1-64 letters, digits, '_', '.' or '-' (a manager.conf section)"
            )
        return v

    @field_validator("secret")
    @classmethod
    def _secret(cls, v: SecretStr) -> SecretStr:
        if not re.fullmatch(r"[!-~]{1,128}", v.get_secret_value()):
            raise ValueError("secret must be 1-128 printable ASCII characters without spaces")
        return _no_semicolon(v)


class FastAgi(StrictSection):
    host: str = "127.0.0.1"
    port: int = Field(4573, ge=0, le=65535, description="0 = any free port (tests)")
    header_timeout: float = Field(5.0, gt=0, le=60, description="seconds to receive the AGI header block")
    max_header_bytes: int = Field(16384, ge=1024, le=1_048_576)
    reply_timeout: float = Field(
        120.0,
        gt=0,
        le=3600,
        description="seconds Asterisk may take to "
        "answer one AGI command (prompts, digits...); then the call ends",
    )
    max_call_seconds: float = Field(
        14400.0,
        ge=60,
        le=86400,
        description="bound on a Dial: ringing plus the whole conversation with the agent",
    )


class Mqtt(StrictSection):
    host: str
    port: int = Field(1883, ge=1, le=65535)
    topic_prefix: str = "hotline"
    username: str | None = None
    password: SecretStr | None = None
    snapshot_seconds: float = Field(5.0, gt=0, le=300, description="retained queue snapshot interval")
    max_queued_events: int = Field(10000, ge=100, le=1_000_000, description="kept while the broker is away")


class MetricsHttp(StrictSection):
    host: str = "127.0.0.1"
    port: int = Field(9598, ge=0, le=65535, description="GET /metrics; 0 = any free port (tests)")


class SipMedia(StrictSection):
    """Dead calls are hung up by Asterisk, so no agent stays "talking" to nobody."""

    rtp_timeout_seconds: int = Field(
        60, ge=0, le=3600, description="hang up a call whose media stopped this long (0 = off)"
    )
    session_expires_seconds: int = Field(
        1800,
        ge=90,
        le=86400,
        description="SIP session timers (RFC 4028): a peer that vanished without a BYE is cut",
    )


class AsteriskPaths(StrictSection):
    """Paths as Asterisk sees them (inside the lab chroot they are chroot-relative)."""

    prompts_dir: str = "/var/lib/hotline/prompts"
    recordings_dir: str = "/var/spool/asterisk/monitor"
    moh_dir: str = "/var/lib/hotline/moh"
    fastagi_url: str = "agi://127.0.0.1:4573"
    # With the daemon down the fallback can still read today's outage notices to callers with
    # agi_scripts/outage_notice.py (needs Python + pyst2 where Asterisk runs, and the database
    # reachable from there). Both unset = the fallback goes straight to the agents.
    fallback_agi: str | None = Field(None, description="absolute path of outage_notice.py for Asterisk")
    fallback_db_url: str | None = Field(
        None, description="sqlite:////ABS/PATH.db or postgresql://ro-user:pw@host/db"
    )
    # Unlike the paths above, where the DAEMON reads Asterisk's CDR ledger (cdr_custom.conf writes
    # it to <astlogdir>/cdr-custom/hotline-cdr). Set: at start the daemon records every call
    # the ledger holds and the store lacks (the fallback's calls while it was down). None = off.
    cdr_file: str | None = Field(
        None,
        description="the CDR ledger as the daemon sees it, e.g. /var/log/asterisk/cdr-custom/hotline-cdr",
    )

    @field_validator("prompts_dir", "recordings_dir", "moh_dir", "fallback_agi")
    @classmethod
    def _path(cls, v: str | None) -> str | None:
        return None if v is None else _dialplan_path(v)

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


class Settings(StrictSection):
    company: str = Field(min_length=1, max_length=40, description="{company} in the greeting")
    trunks: Trunks = Trunks()
    agents: list[Agent] = Field(default_factory=list)
    answer_target: AnswerTarget = AnswerTarget()
    acd: AcdConfig = AcdConfig()
    peak: Peak = Peak()
    database: Database = Database()
    ami: Ami = Ami()
    fastagi: FastAgi = FastAgi()
    mqtt: Mqtt | None = None
    metrics: MetricsHttp | None = None
    asterisk: AsteriskPaths = AsteriskPaths()
    sip: SipMedia = SipMedia()
    outbound: Outbound = Outbound()
    shutdown_grace_seconds: float = Field(30.0, ge=0, le=3600)
    menu_file: str = Field("config/menu.yaml", description="the voice menu (hot-reloaded on SIGHUP)")
    pid_file: str = Field("var/hotline.pid", description="where `hotline run` writes its pid")

    @model_validator(mode="after")
    def _unique_agents(self) -> Settings:
        seen_id: set[str] = set()
        seen_ext: set[str] = set()
        for a in self.agents:
            if a.id in seen_id:
                raise ValueError(f"agent id {a.id} is used twice")
            if a.extension in seen_ext:
                raise ValueError(f"extension {a.extension} is used twice")
            seen_id.add(a.id)
            seen_ext.add(a.extension)
        return self

    def agent_by_extension(self, ext: str) -> Agent | None:
        return next((a for a in self.agents if a.extension == ext), None)


class ConfigError(ValueError):
    """Every problem of a config file, each as `file:line: message`."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


def settings_from(doc: Located) -> Settings:
    if not isinstance(doc.data, dict):
        raise ConfigError([f"{doc.path}:1: the file must be a mapping of settings"])
    try:
        return Settings.model_validate(doc.data)
    except ValidationError as exc:
        errors = []
        for e in exc.errors():
            loc = tuple(e["loc"])
            name = ".".join(str(p) for p in loc) or "(file)"
            msg = e["msg"].removeprefix("Value error, ")
            errors.append(f"{doc.where(loc)}: {name}: {msg}")
        raise ConfigError(errors) from None


def load_settings(path: str | Path) -> Settings:
    try:
        doc = load_yaml(path)
    except YamlSyntaxError as exc:
        raise ConfigError([str(exc)]) from None
    return settings_from(doc)


DEFAULT_CONFIG = Path("config/hotline.yaml")
