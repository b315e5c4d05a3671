"""The whole config file: the `Settings` model and loading it with `file:line: message` errors."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from hotline.config_text import StrictSection
from hotline.dialer.config import Outbound
from hotline.settings.acd import AcdConfig, Agent, AnswerTarget, Peak
from hotline.settings.asterisk import AsteriskPaths, SipMedia
from hotline.settings.categories import Categories
from hotline.settings.connections import Ami, Database, FastAgi, MetricsHttp, Mqtt
from hotline.settings.liveness import Liveness
from hotline.settings.orders import Orders
from hotline.settings.prompts import PromptFiles
from hotline.settings.security import Security
from hotline.settings.supervisors import Supervisor
from hotline.settings.trunks import Trunks
from hotline.settings.upkeep import Quality, Retention
from hotline.settings.web import WebConsole
from ivr.yaml_source import Located, YamlSyntaxError, load_yaml


class Settings(StrictSection):
    company: str = Field(min_length=1, max_length=40, description="{company} in the greeting")
    lab: bool = Field(default=False, description="this config is a lab: weak secrets allowed")
    trunks: Trunks = Trunks()
    agents: list[Agent] = Field(default_factory=list)
    supervisors: list[Supervisor] = Field(
        default_factory=list, description="console users' softphones for live supervision"
    )
    answer_target: AnswerTarget = AnswerTarget()
    acd: AcdConfig = AcdConfig()
    peak: Peak = Peak()
    database: Database = Database()
    ami: Ami = Ami()
    fastagi: FastAgi = FastAgi()
    mqtt: Mqtt | None = None
    metrics: MetricsHttp | None = None
    web: WebConsole | None = None
    asterisk: AsteriskPaths = AsteriskPaths()
    prompts: PromptFiles = PromptFiles()
    sip: SipMedia = SipMedia()
    outbound: Outbound = Outbound()
    orders: Orders = Orders()
    security: Security = Security()
    categories: Categories = Categories()
    shutdown_grace_seconds: float = Field(default=30.0, ge=0, le=3600)
    event_loop: Literal["uvloop", "asyncio"] = Field(
        default="uvloop", description="the daemon's event loop: uvloop (faster) or asyncio (the standard one)"
    )
    liveness: Liveness = Liveness()
    retention: Retention = Retention()
    quality: Quality = Quality()
    menu_file: str = Field(default="config/menu.yaml", description="the voice menu (hot-reloaded on SIGHUP)")
    pid_file: str = Field(default="var/hotline.pid", description="where `hotline run` writes its pid")

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
        seen_user: set[str] = set()
        for s in self.supervisors:
            if s.extension in seen_ext:
                raise ValueError(f"extension {s.extension} is used twice (agents and supervisors share them)")
            if s.user.lower() in seen_user:
                raise ValueError(f"supervisor user {s.user} is listed twice")
            seen_ext.add(s.extension)
            seen_user.add(s.user.lower())
        return self

    @model_validator(mode="after")
    def _skills_are_categories(self) -> Settings:
        """The ACD matches an agent's skills against the category of the menu's agent node, which
        must be a configured category: a skill outside them would never match a call."""
        keys = self.categories.keys
        problems = [
            InitErrorDetails(
                type=PydanticCustomError(
                    "skill",
                    "agent {agent}: skill '{skill}' is not a configured category (categories: "
                    "ivr_functions / agent_categories); configured: {keys}",
                    {"agent": a.id, "skill": skill, "keys": ", ".join(keys)},
                ),
                loc=("agents", i, "skills", j),
                input=skill,
            )
            for i, a in enumerate(self.agents)
            for j, skill in enumerate(a.skills)
            if skill not in keys
        ]
        if problems:
            raise ValidationError.from_exception_data("Settings", problems)
        return self

    def agent_by_extension(self, ext: str) -> Agent | None:
        return next((a for a in self.agents if a.extension == ext), None)

    def supervisor_for(self, user: str) -> Supervisor | None:
        """The phone of console user `user` (names match regardless of case, as accounts do)."""
        return next((s for s in self.supervisors if s.user.lower() == user.lower()), None)


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
