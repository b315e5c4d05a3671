"""Finding 4: the one YAML loader (site config + menu) refuses bombs and odd input with file:line.

Anchors/aliases ("billion laughs"), huge files, deep nesting, list/dict keys, 5,000-digit integers
and impossible dates end in a one-line `file:line: message` - never a traceback, never gigabytes.
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hotline.cli import app
from hotline.services.menus import MenuStore
from hotline.settings import ConfigError, load_settings, settings_from
from ivr import yaml_source
from ivr.errors import MenuError
from ivr.menu_load import menu_from, parse_menu
from ivr.menu_vocab import DEFAULT_CATEGORIES
from ivr.yaml_source import YamlSyntaxError, load_yaml, parse_yaml
from prompts.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]
MENU = ROOT / "config" / "menu.yaml"
MAX_BYTES = 256 * 1024
MAX_DEPTH = 20


def test_the_caps():
    assert (yaml_source.MAX_BYTES, yaml_source.MAX_DEPTH) == (MAX_BYTES, MAX_DEPTH)


BOMB = 'company: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"k{i}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9)
)


def yaml_error(text: str) -> str:
    with pytest.raises(YamlSyntaxError, match=r"^f\.yaml:\d+: ") as exc:
        parse_yaml(text, "f.yaml")
    message = str(exc.value)
    assert "\n" not in message and message.startswith("f.yaml:"), message
    return message


def test_a_billion_laughs_is_refused_at_its_first_anchor_without_expanding_it():
    started = time.perf_counter()
    assert yaml_error(BOMB) == "f.yaml:1: YAML anchors/aliases are not allowed"
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(
    "text,line",
    [
        ("a: 1\nb: &x 2\n", 2),  # an anchor alone
        ("a: 1\nb: 2\nc: *x\n", 3),  # an alias alone (undefined: still the same message)
        ("a: !!str &x b\n", 1),
    ],
)
def test_any_anchor_or_alias_is_refused(text, line):
    assert yaml_error(text) == f"f.yaml:{line}: YAML anchors/aliases are not allowed"


def test_nesting_is_capped():
    ok = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert parse_yaml(ok).data["a"] is not None
    block = "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5))
    assert f"nested more than {MAX_DEPTH} levels deep" in yaml_error(block)
    assert yaml_error("a: " + "[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize(
    "text,line,words",
    [
        ("a: 1\n? [1, 2]\n: x\n", 2, "a mapping key must be a plain value"),
        ("a: 1\n{b: 1}: x\n", 2, "a mapping key must be a plain value"),
        ("a: 1\nb: " + "9" * 5000 + "\n", 2, "integer with 5000 digits"),
        ("a: 1234567890123456789\n", 1, "integer with 19 digits"),
        ("a: 1\nb: 2001-13-45\n", 2, "month must be in 1..12"),
        ("a: b\nc: \x00\n", 2, "control characters are not allowed"),
        ("a: 1\na: 2\n", 2, "duplicate key 'a'"),
    ],
)
def test_odd_values_are_a_file_line_error(text, line, words):
    message = yaml_error(text)
    assert message.startswith(f"f.yaml:{line}: ") and words in message


def test_eighteen_digits_still_read():
    assert parse_yaml("a: 123456789012345678\nb: -0x10\n").data == {"a": 123456789012345678, "b": -16}


def test_a_file_over_the_cap_is_refused_without_reading_it_all(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("a: [" + "1, " * MAX_BYTES + "1]\n", encoding="utf-8")
    with pytest.raises(YamlSyntaxError, match=rf"big.yaml:1: the file is over {MAX_BYTES} bytes"):
        load_yaml(big)
    assert "over" in yaml_error("a: " + "x" * MAX_BYTES)


N = MAX_BYTES - 100


@pytest.mark.parametrize(
    "text",
    [
        "[" + "1," * (N // 2) + "]",  # as many values as fit
        "{" + "a: b, " * (N // 6) + "}",  # as many keys as fit
        "[" + "[a]: b, " * (N // 8) + "]",  # list keys, everywhere
        "-\n" * (N // 2),  # empty items
        "a: " + "[" * N,  # nesting
        "x" * N,  # one long scalar
    ],
    ids=["values", "keys", "list-keys", "items", "nesting", "scalar"],
)
def test_a_file_at_the_cap_is_read_or_refused_quickly(text):
    def load(text: str) -> None:
        try:
            parse_yaml(text, "f.yaml")
        except YamlSyntaxError:
            pass

    bounded(load, text, limit_s=3)  # about 0.2 s each here; pure-Python PyYAML took up to 8 s


def test_config_check_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "hotline.yaml"
    bad.write_text(BOMB, encoding="utf-8")
    with pytest.raises(ConfigError, match="anchors/aliases"):
        load_settings(bad)
    res = CliRunner().invoke(app, ["config", "check", str(bad)])
    assert res.exit_code == 2
    assert f"{bad}:1: YAML anchors/aliases are not allowed" in res.output
    assert "Traceback" not in res.output and res.exception is None or isinstance(res.exception, SystemExit)


@pytest.mark.parametrize(
    "extra", ["x: &a 1\n", "x: " + "9" * 5000 + "\n", "? [1]\n: 2\n", "x: " + "[" * 50 + "]" * 50 + "\n"]
)
def test_menu_check_exits_2_with_one_line(tmp_path, extra):
    bad = tmp_path / "menu.yaml"
    bad.write_text(MENU.read_text(encoding="utf-8") + extra, encoding="utf-8")
    res = CliRunner().invoke(app, ["menu", "check", str(bad)])
    assert res.exit_code == 2, res.output
    assert res.output.startswith(f"{bad}:"), res.output
    assert isinstance(res.exception, SystemExit), res.exception


def known_prompts() -> set[str]:
    return set(load_catalog(ROOT / "prompts" / "catalog.yaml", company="{company}"))


@pytest.mark.parametrize(
    "bad",
    [
        BOMB,
        "version: &v x\n",
        "a: " + "[" * 40 + "]" * 40 + "\n",
        "a: " + "9" * 5000 + "\n",
        "? [1]\n: x\n",
        "a: 2001-13-45\n",
        "x" * (MAX_BYTES + 1),
        "\xff",
    ],
)
def test_a_sighup_reload_of_a_bad_file_keeps_the_running_menu(tmp_path, bad):
    path = tmp_path / "menu.yaml"
    path.write_text(MENU.read_text(encoding="utf-8"), encoding="utf-8")
    store = MenuStore(path, known_prompts(), DEFAULT_CATEGORIES)
    running = store.current
    if bad == "\xff":
        path.write_bytes(b"version: \xff\n")
    else:
        path.write_text(bad, encoding="utf-8")
    with pytest.raises(MenuError, match=re.escape(f"{path}:")) as exc:
        store.reload()
    assert all(e.startswith(f"{path}:") and "\n" not in e for e in exc.value.errors), exc.value.errors
    assert store.current is running and store.reloads == 0


def test_a_reload_turns_even_an_unexpected_failure_into_a_menu_error(tmp_path, monkeypatch):
    path = tmp_path / "menu.yaml"
    path.write_text(MENU.read_text(encoding="utf-8"), encoding="utf-8")
    store = MenuStore(path, known_prompts(), DEFAULT_CATEGORIES)
    running = store.current

    def broken(*args, **kwargs):
        raise RecursionError("a bug in a check")

    monkeypatch.setattr("hotline.services.menus.parse_menu", broken)
    with pytest.raises(MenuError, match="cannot load the menu"):
        store.reload()
    assert store.current is running


# ---- fuzz: random input never escapes as anything but the loaders' own errors ----------------

TOKENS = st.sampled_from(
    [
        "a",
        "b",
        "1",
        "-",
        "- ",
        ": ",
        ":",
        "? ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "\n",
        "  ",
        "&x ",
        "*x",
        "!!int ",
        "!!str ",
        "!!binary ",
        "!!set ",
        "<<: ",
        "'",
        '"',
        "#",
        "|",
        ">",
        "9" * 25,
        "2001-13-45",
        ".inf",
        "0x",
        "1_000",
        "---\n",
        "...\n",
        "\t",
        "%YAML 1.1\n",
        "nodes:",
        "version: ",
        "kind: menu",
        "\x00",
        "é",
        "\ufeff",
        "\r",
    ]
)
YAMLISH = st.lists(TOKENS, max_size=60).map("".join)


def bounded(fn, *args, limit_s: float = 2):
    """Run fn; its CPU time (not wall time: the machine may be busy) stays under the limit."""
    started = time.process_time()
    try:
        fn(*args)
    finally:
        assert time.process_time() - started < limit_s


def only_yaml_errors(text: str) -> None:
    try:
        doc = parse_yaml(text, "f.yaml")
    except YamlSyntaxError as exc:
        assert str(exc).startswith("f.yaml:") and "\n" not in str(exc)
        return
    try:
        settings_from(doc)
    except ConfigError:
        pass
    try:
        menu_from(doc, known_prompts={"p"})
    except MenuError:
        pass


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH)
def test_fuzz_yamlish_text(text):
    bounded(only_yaml_errors, text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_fuzz_any_text(text):
    bounded(only_yaml_errors, text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_any_bytes(raw):
    def load(raw: bytes) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "f.yaml"
            path.write_bytes(raw)
            try:
                load_yaml(path)
            except YamlSyntaxError as exc:
                assert str(exc).startswith(f"{path}:") and "\n" not in str(exc)

    bounded(load, raw)


@settings(max_examples=100, deadline=None)
@given(YAMLISH)
def test_fuzz_menu_text(text):
    def load(text: str) -> None:
        try:
            parse_menu(text, known_prompts={"p"}, path="m.yaml")
        except MenuError as exc:
            assert all(e.startswith("m.yaml:") for e in exc.errors)

    bounded(load, text)
