"""Keys A-D (real phones and gateways send them) are wrong keys to the IVR, never a crash."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ivr.core import IvrCall
from ivr.events import Digit, DigitsEntered, LogStep, Play, PromptDone, Started
from ivr.menu_load import load_menu
from prompts.catalog import load_catalog

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
MENU = load_menu(
    Path(__file__).parents[2] / "config" / "menu.yaml", known_prompts=set(load_catalog(company="测试县"))
)


@pytest.mark.parametrize("key", "ABCD")
def test_a_menu_takes_a_to_d_as_a_wrong_key(key):
    call = IvrCall(MENU)
    call.handle(Started("138"), NOW)
    call.handle(PromptDone(), NOW)
    commands = call.handle(Digit(key), NOW)
    assert LogStep("top", key, NOW) in commands
    assert any(isinstance(c, Play) and c.prompt_ids[0] == "invalid_input" for c in commands)


def test_an_entry_holding_a_letter_is_a_bad_entry():
    call = IvrCall(MENU)
    for event in (Started("138"), PromptDone(), Digit("1"), PromptDone(), Digit("1"), PromptDone()):
        call.handle(event, NOW)
    commands = call.handle(DigitsEntered("12A456"), NOW)
    assert LogStep("outage_by_area", "bad_entry", NOW) in commands
