"""What the daemon connects to or serves: `database:`, `ami:`, `fastagi:`, `mqtt:` and `metrics:`."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, field_validator

from hotline.config_text import StrictSection, no_semicolon


class Database(StrictSection):
    url: str = "sqlite+aiosqlite:///var/hotline.db"
    max_memory_items: int = Field(
        default=100_000,
        ge=1,
        le=10_000_000,
        description="call records held in memory while the database is away; the rest go to spill_file",
    )
    spill_file: str | None = Field(
        default=None,
        min_length=1,
        description="call records waiting for the database (JSON lines), "
        "written back in order when it returns and at the next "
        "start; default: next to the SQLite file, or "
        "var/hotline-spill.jsonl for PostgreSQL",
    )
    commit_linger_ms: int = Field(
        default=0,
        ge=0,
        le=1000,
        strict=True,  # a whole number of milliseconds: `true` or "250" is refused, not converted
        description="group commit window: the writer waits this long for more call records to "
        "share its transaction; a killed daemon loses up to this much of the newest "
        "records. 0 = commit at once whatever is queued (batches still grow under load)",
    )
    commit_busy_window_ms: int = Field(
        default=250,
        ge=0,
        le=1000,
        strict=True,
        description="group commit window under load only: while call records arrive faster than "
        "20 a second, the writer waits this long for more to share its transaction "
        "(a killed daemon loses up to this much of the newest). 0 = no window under load either",
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
    port: int = Field(default=5038, ge=1, le=65535)
    username: str = "hotline"
    secret: SecretStr = SecretStr("change-me-ami")
    reconnect_max_seconds: float = Field(default=10.0, gt=0, le=300)

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
        return no_semicolon(v)


class FastAgi(StrictSection):
    host: str = "127.0.0.1"
    port: int = Field(default=4573, ge=0, le=65535, description="0 = any free port (tests)")
    header_timeout: float = Field(
        default=5.0, gt=0, le=60, description="seconds to receive the AGI header block"
    )
    max_header_bytes: int = Field(default=16384, ge=1024, le=1_048_576)
    reply_timeout: float = Field(
        default=120.0,
        gt=0,
        le=3600,
        description="seconds Asterisk may take to "
        "answer one AGI command (prompts, digits...); then the call ends",
    )
    max_call_seconds: float = Field(
        default=14400.0,
        ge=60,
        le=86400,
        description="bound on a Dial: ringing plus the whole conversation with the agent",
    )


class Mqtt(StrictSection):
    host: str
    port: int = Field(default=1883, ge=1, le=65535)
    topic_prefix: str = "hotline"
    username: str | None = None
    password: SecretStr | None = None
    snapshot_seconds: float = Field(default=5.0, gt=0, le=300, description="retained queue snapshot interval")
    max_queued_events: int = Field(
        default=10000, ge=100, le=1_000_000, description="kept while the broker is away"
    )


class MetricsHttp(StrictSection):
    host: str = "127.0.0.1"
    port: int = Field(default=9598, ge=0, le=65535, description="GET /metrics; 0 = any free port (tests)")
