"""Finding 7 (config side): a config or menu that passes `check` cannot break the daemon.

No inf/nan and sane upper bounds for every duration; a menu version that fits the store's
column; no line break or other control character in any string of the config (they are rendered
into extensions.conf, manager.conf, pjsip.conf, chan_dahdi.conf).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hotline.cli import app
from hotline.settings import ConfigError, load_settings, settings_from
from hotline.store.models import Call
from ivr.errors import MenuError
from ivr.menu_load import parse_menu
from ivr.yaml_source import Located

ROOT = Path(__file__).resolve().parents[2]
BASE = {"company": "平安县", "agents": [{"id": "001", "extension": "1001", "secret": "pw1001-ok"}]}


def with_value(dotted: str, value) -> dict:
    data = yaml.safe_load(yaml.safe_dump(BASE))
    parts = dotted.split(".")
    node = data
    for p in parts[:-1]:
        node = node[int(p)] if isinstance(node, list) else node.setdefault(p, {})
    if isinstance(node, list):
        node[int(parts[-1])] = value
    else:
        node[parts[-1]] = value
    return data


def errors_for(dotted: str, value) -> list[str]:
    with pytest.raises(ConfigError, match=r"^c\.yaml:1: ") as exc:
        settings_from(Located("c.yaml", with_value(dotted, value)))
    return exc.value.errors


def test_the_base_config_is_valid():
    settings_from(Located("c.yaml", BASE))


DURATIONS = [
    "acd.position_announce_seconds",
    "acd.wrap_up_seconds",
    "acd.max_wait_seconds",
    "shutdown_grace_seconds",
    "ami.reconnect_max_seconds",
    "fastagi.header_timeout",
    "mqtt.snapshot_seconds",
    "answer_target.ring_seconds",
    "outbound.ring_seconds",
    "outbound.poll_seconds",
    "outbound.followup_delay_minutes",
    "outbound.callback_after_abandon_seconds",
    "outbound.retry_minutes.callback",
]


@pytest.mark.parametrize("dotted", DURATIONS)
@pytest.mark.parametrize("value", [float("inf"), float("nan"), 1e300])
def test_durations_are_finite_and_bounded(dotted, value):
    if dotted.startswith("mqtt."):
        dotted_value = {"host": "127.0.0.1", dotted.split(".")[1]: value}
        errors = errors_for("mqtt", dotted_value)
    else:
        errors = errors_for(dotted, value)
    assert len(errors) == 1 and f"{dotted}: " in errors[0], errors


def test_inf_in_the_yaml_file_is_refused_with_its_line(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("company: a\nacd:\n  position_announce_seconds: .inf\n", encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"acd\.position_announce_seconds: Input should be a finite number"
    ) as exc:
        load_settings(f)
    assert exc.value.errors == [f"{f}:3: acd.position_announce_seconds: Input should be a finite number"]


RENDERED = [
    "asterisk.fastagi_url",
    "asterisk.prompts_dir",
    "asterisk.moh_dir",
    "asterisk.recordings_dir",
    "ami.username",
    "ami.secret",
    "trunks.dahdi.tone_zone",
    "trunks.pjsip.outbound_contact",
    "trunks.pjsip.gateway_match",
    "company",
    "agents.0.name",
    "agents.0.secret",
    "mqtt.host",
    "database.url",
    "outbound.window",
    "menu_file",
    "acd.vip_numbers",
]


@pytest.mark.parametrize("dotted", RENDERED)
@pytest.mark.parametrize("bad", ["\n[evil]\nsecret = x", "\r", "\x00", "\x1b", "\u2028"])
def test_no_control_character_in_any_string(dotted, bad):
    value = {
        "asterisk.fastagi_url": "agi://127.0.0.1:4573",
        "asterisk.prompts_dir": "/var/p",
        "asterisk.moh_dir": "/var/m",
        "asterisk.recordings_dir": "/var/r",
        "ami.username": "hotline",
        "ami.secret": "s3cret-ami",
        "trunks.dahdi.tone_zone": "cn",
        "trunks.pjsip.outbound_contact": "sip:127.0.0.1:5070",
        "trunks.pjsip.gateway_match": "10.0.0.1",
        "agents.0.secret": "pw1001-ok",
        "database.url": "sqlite+aiosqlite:///var/h.db",
        "outbound.window": "08:00-20:00",
    }.get(dotted, "x") + bad
    if dotted == "acd.vip_numbers":
        value = ["13800000000", value]
    errors = errors_for(
        dotted if dotted != "mqtt.host" else "mqtt", value if dotted != "mqtt.host" else {"host": value}
    )
    assert any(e.startswith("c.yaml:") and dotted.split(".")[0] in e for e in errors), errors
    assert all("evil" not in e and "s3cret" not in e for e in errors), errors  # never echoes a secret


@pytest.mark.parametrize(
    "dotted,value,words",
    [
        ("asterisk.fastagi_url", "agi://127.0.0.1:4573/x,y", "agi://"),
        ("asterisk.prompts_dir", "prompts", "absolute path"),
        ("asterisk.prompts_dir", "/var/${EVIL}", "must not contain"),
        ("asterisk.moh_dir", "/var/moh;x", "must not contain"),
        ("ami.username", "hot]line", "username"),
        ("ami.secret", "abc;def", "';'"),
        ("agents.0.secret", "abcdef;x", "';'"),
        ("trunks.dahdi.tone_zone", "c n", "tone_zone"),
        ("outbound.caller_id", "95598\n", "caller_id"),
    ],
)
def test_values_that_would_break_an_asterisk_line(dotted, value, words):
    errors = errors_for(dotted, value)
    assert any(words in e for e in errors), errors


def test_the_fallback_db_url_is_one_agi_argument():
    errors = errors_for(
        "asterisk", {"fallback_agi": "/opt/h/outage_notice.py", "fallback_db_url": "sqlite:////v/h.db;x"}
    )
    assert any("fallback_db_url" in e for e in errors), errors


def test_config_check_refuses_a_newline_with_a_clear_line(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text('company: a\nami:\n  username: "hotline]\\n[evil"\n', encoding="utf-8")
    res = CliRunner().invoke(app, ["config", "check", str(f)])
    assert res.exit_code == 2
    assert f"{f}:3: ami.username: must be one line without control characters (found U+000A)" in res.output


# ---- the menu version is stored with every call --------------------------------------------------

MENU = (
    'version: "{v}"\nstart: top\nnodes:\n  agent: {{kind: agent, category: other}}\n'
    "  top: {{kind: menu, category: other, prompt: p, keys: {{1: agent}}}}\n"
)
PROMPTS = {"p", "transfer_agent", "invalid_input", "no_input", "menu_tail", "menu_tail_top"}


def test_the_longest_menu_version_fits_the_store_column():
    column = Call.__table__.c.menu_version.type.length
    v = "v" * (column - len("+12345678"))
    assert parse_menu(MENU.format(v=v), known_prompts=PROMPTS).version == v
    with pytest.raises(MenuError, match=r"<menu>:1: version: .*at most 55 characters"):
        parse_menu(MENU.format(v=v + "v"), known_prompts=PROMPTS)


def test_a_menu_version_is_one_printable_line():
    with pytest.raises(MenuError, match="version: must be one line"):
        parse_menu(MENU.format(v="2026\\n1"), known_prompts=PROMPTS)
