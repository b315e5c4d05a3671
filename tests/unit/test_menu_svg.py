"""The menu diagram: valid SVG with one box per node, every key edge, 0/* on every menu, escaping."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotline.cli import app
from ivr.menu_load import load_menu, parse_menu
from ivr.menu_model import AGENT_KEY, UP_KEY, Menu
from ivr.menu_svg import menu_svg
from prompts.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]
MENU_FILE = ROOT / "config" / "menu.yaml"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def prompts() -> dict[str, str]:
    return load_catalog(company="{company}")


@pytest.fixture(scope="module")
def shipped(prompts) -> Menu:
    return load_menu(MENU_FILE, known_prompts=set(prompts))


def _groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if cls in g.get("class", "").split()]


def _text(el: ET.Element) -> str:
    return "".join(el.itertext())


def test_shipped_menu_is_valid_svg_with_one_box_per_node(shipped, prompts):
    root = ET.fromstring(menu_svg(shipped, prompts).encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    nodes = _groups(root, "node")
    assert len(nodes) == len(shipped.nodes)
    assert sorted(g.get("data-id") for g in nodes) == sorted(shipped.nodes)
    boxes = [r for r in root.iter(f"{SVG}rect") if "box" in r.get("class", "").split()]
    assert len(boxes) == len(shipped.nodes)
    for g in nodes:  # kind, id and category are on the box; the prompt's first words too
        node = shipped.nodes[g.get("data-id")]
        shown = _text(g)
        assert f"{node.kind} · {g.get('data-id')}" in shown and node.category in shown
    top = next(g for g in nodes if g.get("data-id") == "top")
    assert "停电信息查询请按1" in _text(top)


def test_every_key_edge_of_the_shipped_menu_is_drawn(shipped):
    root = ET.fromstring(menu_svg(shipped).encode("utf-8"))
    drawn = {(g.get("data-from"), g.get("data-key"), g.get("data-to")) for g in _groups(root, "key")}
    wanted = {
        (mid, k, t)
        for mid, keys in shipped.keymap.items()
        for k, t in keys.items()
        if k not in (AGENT_KEY, UP_KEY)
    }
    assert wanted and drawn == wanted
    # next/goto edges as well (e.g. the goto back to the top, the shared hang-up)
    nexts = {(g.get("data-from"), g.get("data-to")) for g in _groups(root, "next")}
    assert ("to_top", "top") in nexts and ("message", "bye") in nexts and ("fault", "fault_agent") in nexts


def test_zero_and_star_are_dashed_on_every_menu_level(shipped):
    root = ET.fromstring(menu_svg(shipped).encode("utf-8"))
    fixed = {(g.get("data-from"), g.get("data-key")): g for g in _groups(root, "fixed")}
    assert len(fixed) == 2 * len(shipped.keymap)
    for mid in shipped.keymap:
        zero, star = fixed[(mid, AGENT_KEY)], fixed[(mid, UP_KEY)]
        assert zero.get("data-to") == shipped.agent and "0 → 转人工" in _text(zero)
        if mid == shipped.start:
            assert star.get("data-to") == mid and "* → 重听" in _text(star)
        else:
            assert star.get("data-to") == shipped.parent[mid] and "* → 返回上级" in _text(star)
        assert all(line.get("x1") for line in zero.iter(f"{SVG}line"))
    assert {shipped.level[mid] for mid, _ in fixed} == {1, 2, 3, 4, 5}
    style = _text(next(root.iter(f"{SVG}style")))
    assert ".edge.fixed line" in style and "stroke-dasharray" in style
    assert "sans-serif" in style and "Noto Sans CJK SC" in style


def test_menu_levels_go_left_to_right(shipped):
    root = ET.fromstring(menu_svg(shipped).encode("utf-8"))
    x = {g.get("data-id"): float(next(g.iter(f"{SVG}rect")).get("x")) for g in _groups(root, "node")}
    by_level = {}
    for mid, level in shipped.level.items():
        by_level.setdefault(level, set()).add(x[mid])
    assert all(len(xs) == 1 for xs in by_level.values())  # one column per level
    columns = [by_level[level].pop() for level in sorted(by_level)]
    assert columns == sorted(columns) and len(set(columns)) == len(columns)


MINI = """
version: "t"
start: top
nodes:
  top: {kind: menu, category: other, label: 'A <b> & "c"', prompt: p_top, keys: {1: info, '#': bye}}
  info: {kind: announce, category: policy, prompts: p_info}
  bye: {kind: hangup, category: other}
  agent: {kind: agent, category: consultation}
"""
MINI_PROMPTS = {
    "p_top": '<&"> 主菜单 \x01 ]]>',
    "p_info": "信息",
    "goodbye": "x",
    "transfer_agent": "x",
    "invalid_input": "x",
    "no_input": "x",
    "menu_tail": "x",
    "menu_tail_top": "x",
    "press_any_key_to_stop": "x",
}


def test_prompt_and_label_text_is_escaped():
    menu = parse_menu(MINI, known_prompts=set(MINI_PROMPTS))
    svg = menu_svg(menu, MINI_PROMPTS)
    root = ET.fromstring(svg.encode("utf-8"))  # parses: nothing unescaped, no control character
    top = next(g for g in _groups(root, "node") if g.get("data-id") == "top")
    shown = _text(top)
    assert '<&"> 主菜单' in shown and 'A <b> & "c"' in shown and "\x01" not in shown
    assert '&lt;&amp;"&gt; 主菜单' in svg  # text content: < and & escaped, the quote may stay
    keys = {(g.get("data-key"), g.get("data-to")) for g in _groups(root, "key")}
    assert keys == {("1", "info"), ("#", "bye")}


def test_without_a_catalog_the_prompt_id_is_shown(shipped):
    root = ET.fromstring(menu_svg(shipped).encode("utf-8"))
    top = next(g for g in _groups(root, "node") if g.get("data-id") == "top")
    assert "prompt: menu_top" in _text(top)


def test_cli_render_writes_the_svg(tmp_path, shipped):
    out = tmp_path / "menu.svg"
    result = CliRunner().invoke(app, ["menu", "render", str(MENU_FILE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{len(shipped.nodes)} nodes, {shipped.depth} menu levels" in result.output
    root = ET.parse(out).getroot()
    assert root.tag == f"{SVG}svg" and len(_groups(root, "node")) == len(shipped.nodes)


def test_cli_render_reports_a_broken_menu(tmp_path):
    bad = tmp_path / "menu.yaml"
    bad.write_text("version: '1'\nstart: nowhere\nnodes: {}\n", encoding="utf-8")
    out = tmp_path / "menu.svg"
    result = CliRunner().invoke(app, ["menu", "render", str(bad), "-o", str(out)])
    assert result.exit_code == 2
    assert "start: 'nowhere' is not a node" in result.output
    assert not out.exists()
