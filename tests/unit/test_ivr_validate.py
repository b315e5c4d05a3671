"""The menu loader + validator: every error at once, each at its file:line."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotline.cli.menu_cmd import app
from ivr.errors import MenuError
from ivr.menu_load import load_menu, parse_menu
from ivr.menu_model import ALWAYS_NEEDED, CONFIRM_ENTRY, GOODBYE, PRESS_ANY_KEY, TRANSFER
from prompts.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]
KNOWN = {"p", "q", "greeting", GOODBYE, TRANSFER, PRESS_ANY_KEY, CONFIRM_ENTRY, *ALWAYS_NEEDED}

HEAD = 'version: "t1"\nstart: l1\nnodes:\n  agent: {kind: agent, category: other}\n'  # lines 1-4


def errors_of(text: str, known=KNOWN) -> list[str]:
    with pytest.raises(MenuError, match=r"m\.yaml:\d+: ") as exc:
        parse_menu(text, known_prompts=known, path="m.yaml")
    return exc.value.errors


def lines_of(errors: list[str]) -> list[int]:
    assert all(e.startswith("m.yaml:") for e in errors), errors
    return [int(e.split(":")[1]) for e in errors]


def chain(levels: int) -> str:
    """A menu `levels` deep: l1 -1-> l2 -1-> ... with an announce at the bottom."""
    text = HEAD
    for i in range(1, levels + 1):
        nxt = f"l{i + 1}" if i < levels else "info"
        text += f"  l{i}: {{kind: menu, category: other, prompt: p, keys: {{1: {nxt}}}}}\n"
    return text + "  info: {kind: announce, category: policy, prompts: [p, q]}\n"


def test_five_levels_pass_and_six_are_refused_at_the_sixth_menu():
    menu = parse_menu(chain(5), known_prompts=KNOWN)
    assert menu.depth == 5 and menu.level["l5"] == 5
    errors = errors_of(chain(6))
    assert lines_of(errors) == [10]  # l6 is on line 4 + 6
    assert "level 6" in errors[0] and "l1 > l2 > l3 > l4 > l5 > l6" in errors[0]


def test_zero_bound_to_something_else_is_refused_at_its_line():
    text = HEAD + (
        "  l1: {kind: menu, category: other, prompt: p, keys: {1: l2}}\n"
        "  l2:\n"
        "    kind: menu\n"
        "    category: other\n"
        "    prompt: p\n"
        "    keys:\n"
        "      1: info\n"
        "      0: info\n"  # line 12
        "  info: {kind: announce, category: policy, prompts: p}\n"
    )
    errors = errors_of(text)
    assert lines_of(errors) == [12] and "key 0 is always the agent" in errors[0]


def test_star_bound_to_something_else_is_refused_at_its_line():
    text = HEAD + (
        "  l1: {kind: menu, category: other, prompt: p, keys: {1: l2, 2: info}}\n"
        "  l2: {kind: menu, category: other, prompt: p, keys: {1: info, '*': info}}\n"  # 6
        "  info: {kind: announce, category: policy, prompts: p}\n"
    )
    errors = errors_of(text)
    assert lines_of(errors) == [6] and "parent menu ('l1')" in errors[0]


def test_zero_and_star_written_with_their_own_meaning_are_accepted_and_added_elsewhere():
    text = HEAD + (
        "  l1: {kind: menu, category: other, prompt: p, keys: {1: l2, 0: agent, '*': l1}}\n"
        "  l2: {kind: menu, category: other, prompt: p, keys: {1: info, '*': l1, '#': l1}}\n"
        "  info: {kind: announce, category: policy, prompts: p}\n"
    )
    errors = errors_of(text)  # '#': l1 jumps to the top menu: must be a goto
    assert lines_of(errors) == [6] and "goto" in errors[0]
    menu = parse_menu(text.replace(", '#': l1", ""), known_prompts=KNOWN)
    assert menu.keymap["l1"] == {"1": "l2", "0": "agent", "*": "l1"}
    assert menu.keymap["l2"] == {"1": "info", "0": "agent", "*": "l1"}


def test_dangling_target_missing_prompt_unreachable_node_each_at_its_line():
    text = HEAD + (
        "  l1: {kind: menu, category: other, prompt: p, keys: {1: nowhere, 2: info}}\n"  # 5
        "  info:\n"
        "    kind: announce\n"
        "    category: policy\n"
        "    prompts: [p, not_recorded]\n"  # 9
        "  lonely: {kind: announce, category: other, prompts: p}\n"
    )  # 10
    errors = errors_of(text)
    assert lines_of(errors) == [5, 9, 10]
    assert "'nowhere' is not a node" in errors[0]
    assert "prompt 'not_recorded' is not in the prompt catalog" in errors[1]
    assert "'lonely' is unreachable" in errors[2]


def test_several_errors_reported_at_once_in_line_order():
    text = (
        "version: 1.5\n"  # 1
        "start: l1\n"
        "retries: 0\n"  # 3
        "nodes:\n"
        "  agent: {kind: agent, category: other}\n"
        "  l1: {kind: menu, category: other, prompt: p, keys: {1: l2, 10: l2, a: x}}\n"  # 6
        "  l2: {kind: menu, category: gossip, prompt: p, keys: {1: l1}}\n"  # 7
        "  x: {kind: banner, category: other}\n"  # 8
        "  g1: {kind: goto, category: other, target: g2}\n"  # 9
        "  g2: {kind: goto, category: other, target: g1, colour: red}\n"
    )  # 10
    errors = errors_of(text)
    assert lines_of(errors) == sorted(lines_of(errors))
    text_of = {n: [e for e in errors if e.startswith(f"m.yaml:{n}:")] for n in range(1, 11)}
    assert any("version" in e and "string" in e for e in text_of[1])
    assert any("retries" in e for e in text_of[3])
    assert any("'10' must be one character" in e for e in text_of[6])
    assert any("'a' must be one character" in e for e in text_of[6])
    assert any("category" in e and "gossip" in e for e in text_of[7])
    assert any("kind must be one of" in e for e in text_of[8])
    assert any("colour" in e for e in text_of[10])
    assert len(errors) >= 7


def test_menu_tree_rules():
    text = HEAD + (
        "  l1: {kind: menu, category: other, prompt: p, keys: {1: a, 2: b, 3: to_c}}\n"  # 5
        "  a: {kind: menu, category: other, prompt: p, keys: {1: shared}}\n"
        "  b: {kind: menu, category: other, prompt: p, keys: {1: shared}}\n"  # 7
        "  shared: {kind: menu, category: other, prompt: p, keys: {1: bye}}\n"
        "  to_c: {kind: goto, category: other, target: c}\n"
        "  c: {kind: menu, category: other, prompt: p, keys: {1: bye}}\n"  # 10
        "  bye: {kind: hangup, category: other}\n"
    )
    errors = errors_of(text)
    assert lines_of(errors) == [7, 10]
    assert "already the sub-menu of 'a' (line 6)" in errors[0]
    assert "no menu's sub-menu" in errors[1]


def test_goto_circle_and_start_and_agent_kinds():
    text = (
        'version: "x"\nstart: info\nagent: info\nnodes:\n'
        "  info: {kind: announce, category: other, prompts: p}\n"
    )
    errors = errors_of(text)
    assert lines_of(errors) == [2, 3]
    assert "must be a menu" in errors[0] and "must be an agent node" in errors[1]


def test_prompts_the_core_needs_must_be_in_the_catalog():
    text = chain(2).replace("\n  agent:", "\n  bye: {kind: hangup, category: other}\n  agent:")
    text = text.replace("keys: {1: info}", "keys: {1: info, 2: bye}")
    errors = errors_of(text, known={"p", "q", TRANSFER})
    joined = "\n".join(errors)
    for pid in (*ALWAYS_NEEDED, GOODBYE, PRESS_ANY_KEY):
        assert f"prompt '{pid}'" in joined


def test_yaml_problems_are_menu_errors_with_a_line(tmp_path):
    f = tmp_path / "menu.yaml"
    f.write_text("version: x\nnodes:\n  a: 1\n  a: 2\n", encoding="utf-8")
    with pytest.raises(MenuError, match=r"menu.yaml:4: .*duplicate key"):
        load_menu(f, known_prompts=KNOWN)
    with pytest.raises(MenuError, match="cannot read"):
        load_menu(tmp_path / "missing.yaml", known_prompts=KNOWN)


def shipped_prompts() -> set[str]:
    return set(load_catalog(company="X"))


def test_the_shipped_menu_passes_with_five_levels():
    menu = load_menu(ROOT / "config" / "menu.yaml", known_prompts=shipped_prompts())
    assert menu.depth == 5
    assert [k for k in "123456" if k in menu.keymap[menu.start]] == list("123456")
    assert all(km["0"] == menu.agent and "*" in km for km in menu.keymap.values())
    assert menu.nodes[menu.agent].kind == "agent"


def test_cli_check_ok_and_errors(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(app, ["check", str(ROOT / "config" / "menu.yaml")])
    assert ok.exit_code == 0, ok.output
    assert "ok" in ok.output and "5 menu levels" in ok.output and "version 2025.1" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(chain(6).replace("prompts: [p, q]", "prompts: [nope]"), encoding="utf-8")
    res = runner.invoke(app, ["check", str(bad)])
    assert res.exit_code == 2
    assert f"{bad}:10: menu 'l6' is at level 6" in res.output
    assert f"{bad}:11: prompt 'nope'" in res.output
    shown = runner.invoke(app, ["show", str(ROOT / "config" / "menu.yaml")])
    assert shown.exit_code == 0 and "L5 new_install_resident" in shown.output
