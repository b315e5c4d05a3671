"""Live supervision in the config and the rendered Asterisk files: the supervisors' phones are
checked like agents' (extension, secret, weak secrets), rendered as digest endpoints in a context
that dials nothing, ChanSpy is loaded and [hotline-spy] follows the agent's channel; the AMI
Originate carries only checked config values."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_asterisk_render import dialplan_lines, parse_conf
from test_sip_security_render import endpoint_objects
from typer.testing import CliRunner

from hotline.asterisk.config_render import RenderError, render
from hotline.asterisk.spy import SpyError, spy_action
from hotline.cli import app
from hotline.settings import ConfigError, Settings, load_settings
from hotline.settings.secret_policy import weak_secrets
from hotline.settings.supervisors import USER_NAME
from hotline.web.auth.accounts import USERNAME

ROOT = Path(__file__).resolve().parents[2]


def with_supervisors(s: Settings, *supervisors: dict) -> Settings:
    data = s.model_dump(mode="python")
    data["agents"] = [{**a, "secret": a["secret"].get_secret_value()} for a in data["agents"]]
    data["ami"]["secret"] = data["ami"]["secret"].get_secret_value()
    data["supervisors"] = list(supervisors)
    return Settings.model_validate(data)


def test_the_shipped_config_has_a_supervisor_phone(shipped_settings):
    (sup,) = shipped_settings.supervisors
    assert (sup.user, sup.extension) == ("banzhang", "1101")
    assert shipped_settings.supervisor_for("BanZhang") is sup  # user names match regardless of case
    assert shipped_settings.supervisor_for("wang") is None


def test_the_user_name_rule_is_the_consoles():
    assert USER_NAME.pattern == USERNAME.pattern


@pytest.mark.parametrize(
    "entry, message",
    [
        (
            '{user: wang, extension: "11a1", secret: pw1101-lab}',
            "supervisors.0.extension: extension must be 2-8 digits",
        ),
        ('{user: wang, extension: "1001", secret: pw1101-lab}', "extension 1001 is used twice"),
        ('{user: "wang li", extension: "1101", secret: pw1101-lab}', "supervisors.0.user: user must be"),
        ('{user: wang, extension: "1101", secret: "pw;1101"}', "must not contain ';'"),
        ('{user: wang, extension: "1101", secret: pw1101-lab, extra: 1}', "Extra inputs are not permitted"),
    ],
)
def test_a_bad_supervisor_entry_is_refused_with_its_line(tmp_path, entry, message):
    f = tmp_path / "h.yaml"
    f.write_text(
        'company: X\nagents:\n  - {id: "001", extension: "1001", secret: pw1001-lab}\n'
        f"supervisors:\n  - {entry}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=message):
        load_settings(f)


def test_a_user_listed_twice_is_refused(shipped_settings):
    first = {"user": "wang", "extension": "1101", "secret": "pw1101-lab"}
    with pytest.raises(ValueError, match="supervisor user WANG is listed twice"):
        with_supervisors(shipped_settings, first, {**first, "user": "WANG", "extension": "1102"})


def test_a_weak_supervisor_secret_is_reported_without_its_text(shipped_settings):
    s = with_supervisors(shipped_settings, {"user": "wang", "extension": "1101", "secret": "wang1101-abc"})
    found = [w.message() for w in weak_secrets(s) if w.loc[0] == "supervisors"]
    assert found and all(
        w.startswith("supervisors.0.secret: weak secret of supervisor wang (extension 1101)") for w in found
    )
    assert any("is or contains the extension" in w for w in found)
    assert not any("wang1101-abc" in w for w in found)


def test_supervisor_phones_are_digest_endpoints_that_dial_nothing(shipped_settings):
    pjsip = render(shipped_settings)["pjsip.conf"]
    ep = endpoint_objects(pjsip)["1101"]
    assert ep["identify_by"] == "username" and ep["auth"] == "1101" and ep["context"] == "hotline-supervisor"
    assert ep["transport"] == "transport-udp"  # the agents' transport, behind the same ACL
    conf = parse_conf(pjsip)
    assert ("1101", "password", "pw1101-lab") in conf and ("1101", "username", "1101") in conf
    ext = render(shipped_settings)["extensions.conf"]
    assert dialplan_lines(ext, "hotline-supervisor") == [
        "exten => _X.,1,Hangup(21)",
        "exten => s,1,Hangup(21)",
    ]
    reachable = [v for s, k, v in parse_conf(ext) if k == "include"]
    assert reachable == []  # no context includes another: [hotline-spy] is reached by AMI only


def test_no_supervisor_no_supervisor_section(shipped_settings):
    pjsip = render(with_supervisors(shipped_settings))["pjsip.conf"]
    assert "supervisor-ep" not in pjsip and "1101" not in pjsip


def test_chanspy_is_loaded_and_the_spy_context_follows_the_agents_channel(shipped_settings):
    files = render(shipped_settings)
    assert "load = app_chanspy.so" in files["modules.conf"].splitlines()
    lines = dialplan_lines(files["extensions.conf"], "hotline-spy")
    for mode, options in (("listen", "qES"), ("whisper", "qESw"), ("barge", "qESB")):
        start = lines.index(f"exten => {mode},1,Set(SPY_EXT=${{FILTER(0-9,${{HOTLINE_SPY_EXT}})}})")
        assert lines[start + 1 : start + 4] == [
            'same => n,GotoIf($["${SPY_EXT}" = ""]?none)',
            f"same => n,ChanSpy(PJSIP/${{SPY_EXT}}-,{options})",
            "same => n(none),Hangup()",
        ]
    assert len(lines) == 12


def test_hotline_asterisk_render_writes_the_spy_context(tmp_path):
    res = CliRunner().invoke(
        app, ["asterisk", "render", str(tmp_path), "--config", str(ROOT / "config" / "hotline.yaml")]
    )
    assert res.exit_code == 0, res.output
    ext = (tmp_path / "extensions.conf").read_text(encoding="utf-8")
    assert "same => n,ChanSpy(PJSIP/${SPY_EXT}-,qESB)" in dialplan_lines(ext, "hotline-spy")
    assert "[1101](supervisor-ep)" in (tmp_path / "pjsip.conf").read_text(encoding="utf-8")


def test_a_hostile_supervisor_value_is_refused_by_the_renderer_even_without_validation(shipped_settings):
    (sup,) = shipped_settings.supervisors
    evil = sup.model_copy(update={"name": "x\n[evil]\ntype = endpoint"})
    s = shipped_settings.model_copy(update={"supervisors": [evil]})
    with pytest.raises(
        RenderError, match=r"refusing to render: supervisors\.0\.name holds a control character"
    ):
        render(s)


def test_the_originate_rings_the_phone_into_the_spy_context():
    assert spy_action(phone="1101", agent_extension="1001", mode="whisper") == {
        "Action": "Originate",
        "Channel": "PJSIP/1101",
        "Context": "hotline-spy",
        "Exten": "whisper",
        "Priority": "1",
        "Timeout": "20000",
        "CallerID": '"whisper 1001" <1001>',
        "Variable": ["HOTLINE_SPY_EXT=1001"],
        "Async": "true",
    }


@pytest.mark.parametrize(
    "phone, agent, mode",
    [
        ("1101\r\nAction: Command", "1001", "listen"),
        ("1101", "1001\r\nCommand: core stop now", "listen"),
        ("1101", "1001,qESB", "listen"),  # a ChanSpy argument
        ("1101&PJSIP/1002", "1001", "listen"),  # a second channel to ring
        ("1101", "", "listen"),
        ("1101", "1001", "listen,qESB"),
        ("1101", "1001", "s"),
    ],
)
def test_a_hostile_value_never_reaches_the_originate(phone, agent, mode):
    with pytest.raises(SpyError, match="refusing to originate"):
        spy_action(phone=phone, agent_extension=agent, mode=mode)
