"""Categories as data: the `categories:` settings, and the menu accepting exactly those keys."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotline.cli import app
from hotline.services.menus import MenuStore
from hotline.settings import Categories, ConfigError, Settings, settings_from
from ivr.errors import MenuError
from ivr.menu_load import load_menu, parse_menu
from ivr.menu_vocab import DEFAULT_CATEGORIES
from ivr.yaml_source import parse_yaml
from prompts.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]
MENU = ROOT / "config" / "menu.yaml"
HEAD = "company: 平安县\n"


def settings_of(text: str) -> Settings:
    return settings_from(parse_yaml(HEAD + text, "c.yaml"))


def config_errors(text: str) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        settings_of(text)
    return exc.value.errors


def test_the_defaults_are_the_centers_lists_in_its_order():
    c = Settings(company="x").categories
    assert list(c.ivr_functions.values()) == [
        "停电预告查询", "投诉申告", "电量电费查询", "政策法规查询", "用电业务查询",
        "问卷调查", "传真服务", "留言", "其他",
    ]  # fmt: skip
    assert list(c.agent_categories.values()) == [
        "业务咨询", "信息查询", "故障报修", "电话报装", "投诉举报", "违窃举报", "其他"
    ]  # fmt: skip
    assert c.keys == DEFAULT_CATEGORIES
    assert len(c.keys) == 14  # complaint and other are in both lists, once here
    # one key, a label per table; a key of the other list or of neither still shows
    assert (c.ivr_label("complaint"), c.agent_label("complaint")) == ("投诉申告", "投诉举报")
    assert (c.agent_label("bill_query"), c.ivr_label("theft_report")) == ("电量电费查询", "违窃举报")
    assert (c.agent_label("retired_key"), c.agent_label("unknown")) == ("retired_key", "未分类")


def test_a_site_configures_its_own_lists_in_its_own_order():
    s = settings_of(
        "categories:\n"
        "  agent_categories:\n"
        "    other: 其他\n"
        "    fault_repair: 故障抢修\n"
        "    consultation: 咨询\n"
    )
    assert list(s.categories.agent_categories) == ["other", "fault_repair", "consultation"]
    assert s.categories.agent_label("fault_repair") == "故障抢修"
    assert s.categories.ivr_functions == Categories().ivr_functions  # the other list keeps its default


def test_every_problem_is_reported_at_its_line():
    errors = config_errors(
        "categories:\n"  # 2
        "  ivr_functions:\n"
        "    outage_query: 停电查询\n"  # 4
        "    Bad-Key: 甲\n"  # 5
        "    bill: 停电查询\n"  # 6 the label of outage_query again
        "    unknown: 未分类\n"  # 7 the report's own key
        "  agent_categories: {}\n"  # 8
    )
    by_line = {int(e.split(":")[1]): e for e in errors}
    assert sorted(by_line) == [5, 6, 7, 8], errors
    assert "category key 'Bad-Key': lower-case letters" in by_line[5]
    assert "label '停电查询' is already the label of 'outage_query'" in by_line[6]
    assert "'unknown' is the report's key for calls without a category" in by_line[7]
    assert "categories.agent_categories" in by_line[8] and "at least 1 item" in by_line[8]


def test_a_label_is_one_to_twenty_characters_on_one_line():
    errors = config_errors(
        "categories:\n"
        "  ivr_functions:\n"
        "    long: 一二三四五六七八九十一二三四五六七八九十一\n"  # 4: 21 characters
        "    blank: '  '\n"  # 5
    )
    assert [e.split(": ")[0] for e in errors] == ["c.yaml:4", "c.yaml:5"]
    assert "at most 20 characters" in errors[0] and "at least 1 character" in errors[1]
    [error] = config_errors('categories:\n  ivr_functions:\n    other: "其\\n他"\n')
    assert error.startswith("c.yaml:3: ") and "control characters" in error
    assert settings_of("categories:\n  ivr_functions: {a: ' 一二三四五六七八九十一二三四五六七八九十 '}\n")


def test_a_key_must_fit_the_calls_category_columns():
    errors = config_errors(f"categories:\n  agent_categories:\n    {'k' * 41}: 甲\n")
    assert errors[0].startswith("c.yaml:4: ") and "at most 40 characters" in errors[0]
    assert settings_of(f"categories:\n  agent_categories:\n    {'k' * 40}: 甲\n")


def test_an_agent_skill_must_be_a_configured_category():
    text = (
        "agents:\n"
        "  - id: '001'\n"
        "    extension: '1001'\n"
        "    secret: pw1001-ok-long\n"
        "    skills: [fault_repair, gossip]\n"  # 6
        "  - {id: '002', extension: '1002', secret: pw1002-ok-long, skills: [theft_report]}\n"  # 7
    )
    assert settings_of(text.replace(", gossip", "")).agents[1].skills == ["theft_report"]
    errors = config_errors(text + "categories:\n  agent_categories: {fault_repair: 故障报修}\n")
    assert [e.split(": ")[0] for e in errors] == ["c.yaml:6", "c.yaml:7"]
    assert "agent 001: skill 'gossip' is not a configured category" in errors[0]
    assert "agent 002: skill 'theft_report'" in errors[1] and "fault_repair" in errors[1]


# ----- the menu accepts exactly the configured categories -----

PROMPTS = set(load_catalog(company="X"))
SMALL = (
    'version: "t"\nstart: top\nnodes:\n'
    "  agent: {kind: agent, category: consultation}\n"  # 4
    "  top: {kind: menu, category: other, prompt: menu_top, keys: {1: info}}\n"  # 5
    "  info: {kind: announce, category: fax, prompts: menu_top}\n"  # 6
)


def test_the_shipped_menu_uses_only_default_categories():
    load_menu(MENU, known_prompts=PROMPTS, categories=Settings(company="x").categories.keys)


def test_a_category_outside_the_configured_ones_is_an_error_at_its_line():
    assert parse_menu(SMALL, known_prompts=PROMPTS).nodes["info"].category == "fax"
    site = ("other", "consultation", "outage_query")
    with pytest.raises(MenuError) as exc:
        parse_menu(SMALL, known_prompts=PROMPTS, path="m.yaml", categories=site)
    assert exc.value.errors == [
        "m.yaml:6: node 'info': category 'fax' is not a configured category (categories: in the "
        "site config); configured: other, consultation, outage_query"
    ]
    # a key of either list is allowed: here an IVR function on an agent node
    parse_menu(SMALL.replace("category: consultation", "category: fax"), known_prompts=PROMPTS)


def test_the_daemon_menu_store_and_its_reload_use_the_sites_categories(tmp_path):
    path = tmp_path / "menu.yaml"
    path.write_text(SMALL, encoding="utf-8")
    store = MenuStore(path, PROMPTS, ("other", "consultation", "fax"))
    running = store.current
    path.write_text(SMALL.replace("category: fax", "category: policy"), encoding="utf-8")
    with pytest.raises(MenuError, match=r"menu\.yaml:6: node 'info': category 'policy'"):
        store.reload()
    assert store.current is running
    path.write_text(SMALL, encoding="utf-8")
    with pytest.raises(MenuError, match="category 'fax' is not a configured category"):
        MenuStore(path, PROMPTS, ("other", "consultation"))


def test_cli_menu_commands_check_against_the_config_given(tmp_path):
    config = tmp_path / "hotline.yaml"
    config.write_text(HEAD + "categories:\n  agent_categories: {other: 其他, fault_repair: 故障报修}\n")
    runner = CliRunner()
    ok = runner.invoke(app, ["menu", "check", str(MENU), "-c", str(ROOT / "config" / "hotline.yaml")])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(app, ["menu", "check", str(MENU), "-c", str(config)])
    assert bad.exit_code == 2
    assert f"{MENU}:33: node 'agent': category 'consultation' is not a configured category" in bad.output
    shown = runner.invoke(app, ["menu", "show", str(MENU), "-c", str(config)])
    assert shown.exit_code == 2 and "consultation" in shown.output


def _calls_of(tree: ast.AST, names: set[str]) -> list[ast.Call]:
    return [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and (getattr(n.func, "id", None) in names or getattr(n.func, "attr", None) in names)
    ]


def test_every_menu_load_in_hotline_passes_the_sites_categories():
    """ivr's loaders default to the default lists (ivr cannot read the site config); the daemon
    and the CLI must hand theirs in, or a site's own lists would be ignored."""
    found = 0
    for path in (ROOT / "hotline").rglob("*.py"):
        for call in _calls_of(
            ast.parse(path.read_text(encoding="utf-8")), {"load_menu", "parse_menu", "menu_from"}
        ):
            found += 1
            assert "categories" in {k.arg for k in call.keywords}, f"{path}:{call.lineno}"
    assert found >= 3


def test_the_commented_block_in_the_shipped_config_shows_the_defaults():
    text = (ROOT / "config" / "hotline.yaml").read_text(encoding="utf-8")
    block = text[text.index("# categories:") : text.index("# A menu node's category")]
    lines = [line[2:].split("  #")[0].rstrip() for line in block.splitlines()]  # comments after 2 spaces
    shown = settings_of("\n".join(lines) + "\n").categories
    assert shown == Categories()
    assert list(shown.ivr_functions) == list(Categories().ivr_functions)
    assert list(shown.agent_categories) == list(Categories().agent_categories)
