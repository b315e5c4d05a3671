"""Before the menu (ivr/pre_menu.py): which announcements a caller hears, in which order, with
which path steps and call event data; the prompts exist; no menu node may take a step's name."""

from dataclasses import dataclass

import pytest

from ivr.errors import MenuError
from ivr.menu_load import parse_menu
from ivr.menu_model import ALWAYS_NEEDED
from ivr.pre_menu import PROMPTS, Announcement, before_menu
from prompts.catalog import load_catalog


@dataclass(frozen=True)
class Order:
    number: str
    area_code: str


WARNING = Announcement("harassment_warning", "harassment_warning", {"number": "13800001111"})
PEAK = Announcement("peak_notice")


def test_nobody_known_hears_nothing_before_the_menu():
    assert before_menu(None, [], peak=False) == ()


def test_a_flagged_number_is_warned_with_its_number_in_the_event():
    assert before_menu("13800001111", [], peak=False) == (WARNING,)


def test_open_repairs_in_two_areas_are_one_notice_naming_every_order_and_area():
    repairs = [Order("GD202612020003", "320102"), Order("GD202612020001", "320100")]
    (notice,) = before_menu(None, repairs, peak=False)
    assert notice == Announcement(
        "repair_notice",
        "repair_notice",
        {"orders": ["GD202612020003", "GD202612020001"], "area_codes": ["320100", "320102"]},
    )


def test_the_warning_comes_first_then_the_repair_notice():
    steps = before_menu("13800001111", [Order("GD1", "320100")], peak=False)
    assert [a.step for a in steps] == ["harassment_warning", "repair_notice"]


def test_peak_mode_alone_plays_its_notice_without_a_path_step():
    assert before_menu(None, [], peak=True) == (PEAK,)
    assert before_menu("13800001111", [], peak=True) == (WARNING, PEAK)


def test_the_repair_notice_replaces_the_peak_notice_it_would_repeat():
    steps = before_menu(None, [Order("GD1", "320100")], peak=True)
    assert [a.prompt for a in steps] == ["repair_notice"]


def test_the_same_order_twice_is_named_once():
    (notice,) = before_menu(None, [Order("GD1", "320100"), Order("GD1", "320100")], peak=False)
    assert notice.data == {"orders": ["GD1"], "area_codes": ["320100"]}


def test_every_prompt_before_the_menu_is_in_the_catalog():
    catalog = load_catalog(company="X")
    assert [p for p in PROMPTS if p not in catalog] == []
    assert "骚扰" in catalog["harassment_warning"] and "故障正在抢修" in catalog["repair_notice"]


@pytest.mark.parametrize("node", ["harassment_warning", "repair_notice"])
def test_a_menu_node_cannot_be_named_like_a_step_before_the_menu(node):
    text = (
        'version: "t1"\nstart: top\nnodes:\n'
        "  agent: {kind: agent, category: other}\n"
        f"  top: {{kind: menu, category: other, prompt: p, keys: {{1: {node}}}}}\n"
        f"  {node}: {{kind: announce, category: policy, prompts: p}}\n"
    )
    with pytest.raises(MenuError) as exc:
        parse_menu(text, known_prompts={"p", *ALWAYS_NEEDED}, path="m.yaml")
    assert any(f"m.yaml:6: node id '{node}' is reserved" in e for e in exc.value.errors), exc.value.errors
