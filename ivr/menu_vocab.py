"""The vocabularies of a menu: the default business categories, lookup kinds, the keys with a fixed
meaning, the prompts the core plays by itself, and the form of node and prompt ids."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Any, Literal, get_args

from pydantic import StringConstraints

# business categories: IVR use by function and agent calls by category (seed 002's statistics).
# The site configures its own lists (`categories:` in hotline.yaml, hotline.settings.categories);
# these are the defaults, the center's lists in its order, key -> the label its tables print.
# A menu node's `category` must be one of the configured keys (load_menu(categories=...)).
DEFAULT_IVR_FUNCTIONS: Mapping[str, str] = MappingProxyType(
    {
        "outage_query": "停电预告查询",
        "complaint": "投诉申告",
        "bill_query": "电量电费查询",
        "policy": "政策法规查询",
        "business": "用电业务查询",
        "survey": "问卷调查",
        "fax": "传真服务",
        "message": "留言",
        "other": "其他",
    }
)
DEFAULT_AGENT_CATEGORIES: Mapping[str, str] = MappingProxyType(
    {
        "consultation": "业务咨询",
        "information_query": "信息查询",
        "fault_repair": "故障报修",
        "new_connection": "电话报装",
        "complaint": "投诉举报",
        "theft_report": "违窃举报",
        "other": "其他",
    }
)
# what a menu may name when the caller gives no site config: both default lists
DEFAULT_CATEGORIES: tuple[str, ...] = tuple(
    dict.fromkeys([*DEFAULT_IVR_FUNCTIONS, *DEFAULT_AGENT_CATEGORIES])
)
CATEGORY_MAX_LEN = 40  # the calls' business_category / agent_category columns
LookupKind = Literal["bill", "usage", "outage_by_area", "outage_by_caller", "repair_progress"]
LOOKUP_KINDS: tuple[str, ...] = get_args(LookupKind)
Purpose = Literal["message", "complaint", "fault"]

MAX_LEVELS = 5  # 001 §4.2.5c: at most 5 menu levels, the top menu is level 1
AGENT_KEY = "0"  # on every level: the agent
UP_KEY = "*"  # on every level: the parent menu (on the top level: repeat it)
END_KEY = "#"  # ends a digit entry
MENU_KEYS = "123456789#"  # what a menu file may bind (0 and * are fixed)

# prompts the core plays by itself (they must be in the prompt catalog)
GOODBYE = "goodbye"  # 服务结束请挂机 - before every HangUp
TRANSFER = "transfer_agent"  # default prompt of an agent node
PRESS_ANY_KEY = "press_any_key_to_stop"  # before several messages (001 §4.2.5e)
INVALID_INPUT = "invalid_input"  # before a re-prompt after a wrong key
NO_INPUT = "no_input"  # before a re-prompt after silence
MENU_TAIL = "menu_tail"  # after every sub-menu prompt: 0 = agent, * = back
MENU_TAIL_TOP = "menu_tail_top"  # after the top menu prompt: 0 = agent, * = repeat
CONFIRM_ENTRY = "confirm_or_reenter"  # after a read-back: 1 = confirm, 2 = enter again
ALWAYS_NEEDED = (INVALID_INPUT, NO_INPUT, MENU_TAIL, MENU_TAIL_TOP)

# steps the daemon logs in a call's IVR path before the menu (ivr/pre_menu.py): no node may be
# named like them, so a path always tells them from the menu's nodes
HARASSMENT_WARNING = "harassment_warning"
REPAIR_NOTICE = "repair_notice"
PRE_MENU_STEPS = (HARASSMENT_WARNING, REPAIR_NOTICE)

ID_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
# each call stores "<version>+<8 hex of the file's hash>" in a 64-character column
MAX_VERSION_LEN = 55
NodeId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
# a business category key as a menu node names it; which keys exist is the site's (see above)
CategoryKey = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=CATEGORY_MAX_LEN)]
PromptId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Loc = tuple[Any, ...]  # a path into the YAML document, relative to the node
