from pathlib import Path

import pytest

from hotline.settings import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_config_is_valid():
    s = load_settings(ROOT / "config" / "hotline.yaml")
    assert s.trunks.inbound == 8 and s.trunks.outbound == 4
    assert s.answer_target.seconds == 12


def test_three_mistakes_three_lines(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text(
        "company: 平安县\n"
        "trunks:\n"
        "  inbound: eight\n"  # line 3: not a number
        "agents:\n"
        "  - id: '001'\n"
        "    extension: '1001'\n"
        "    secret: pw1001-ok\n"
        "    colour: red\n"  # line 8: unknown key
        "answer_target:\n"
        "  rings: 0\n",  # line 10: below 1
        encoding="utf-8",
    )
    with pytest.raises(
        ConfigError, match=r"bad\.yaml:3: trunks\.inbound: Input should be a valid integer"
    ) as exc:
        load_settings(f)
    errors = exc.value.errors
    assert len(errors) == 3
    assert [e.split(":")[1] for e in errors] == ["3", "8", "10"]
    assert all(e.startswith(str(f)) for e in errors)


def test_yaml_syntax_error_has_a_line(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text("company: a\ntrunks: [1,\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"x.yaml:\d+"):
        load_settings(f)


def test_duplicate_extension_rejected(tmp_path):
    f = tmp_path / "dup.yaml"
    f.write_text(
        "company: a\nagents:\n  - {id: '1', extension: '1001', secret: abcdef}\n"
        "  - {id: '2', extension: '1001', secret: abcdef}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="used twice"):
        load_settings(f)
