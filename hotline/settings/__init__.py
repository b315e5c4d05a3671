"""Site configuration (`config/hotline.yaml`) as pydantic models.

Unknown keys are rejected; `load_settings` reports every error at once as `file:line: message`.
"""

from hotline.settings.acd import AcdConfig, Agent, AnswerTarget, Peak
from hotline.settings.asterisk import AsteriskPaths, SipMedia
from hotline.settings.categories import Categories
from hotline.settings.config_file import DEFAULT_CONFIG, ConfigError, Settings, load_settings, settings_from
from hotline.settings.connections import Ami, Database, FastAgi, MetricsHttp, Mqtt
from hotline.settings.liveness import Liveness
from hotline.settings.orders import Orders
from hotline.settings.prompts import PromptFiles
from hotline.settings.security import Security
from hotline.settings.supervisors import Supervisor
from hotline.settings.trunks import DahdiTrunk, PjsipTrunk, Trunks
from hotline.settings.upkeep import ChecklistItem, Quality, Retention
from hotline.settings.web import WebConsole

__all__ = [
    "DEFAULT_CONFIG",
    "AcdConfig",
    "Agent",
    "Ami",
    "ChecklistItem",
    "AnswerTarget",
    "AsteriskPaths",
    "Categories",
    "ConfigError",
    "DahdiTrunk",
    "Database",
    "FastAgi",
    "Liveness",
    "MetricsHttp",
    "Mqtt",
    "Orders",
    "Peak",
    "Quality",
    "Retention",
    "PjsipTrunk",
    "PromptFiles",
    "Security",
    "Settings",
    "SipMedia",
    "Supervisor",
    "Trunks",
    "WebConsole",
    "load_settings",
    "settings_from",
]
