"""Findings 7 (renderer side) and 12: rendered Asterisk files cannot be injected into, are not
world-readable, and give the AMI user only the write classes the daemon's actions need."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotline.asterisk import config_render as asterisk_render
from hotline.asterisk.config_render import render, render_dahdi, write
from hotline.cli import app
from hotline.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config" / "hotline.yaml"


def bypassing_validation(s: Settings, section: str, **values):
    """`s` with its `section` changed by model_copy: no validator ran."""
    part = getattr(s, section)
    if section == "trunks":
        part = part.model_copy(update={"dahdi": part.dahdi.model_copy(update=values)})
    else:
        part = part.model_copy(update=values)
    return s.model_copy(update={section: part})


@pytest.mark.parametrize(
    "section,values",
    [
        ("asterisk", {"fastagi_url": "agi://127.0.0.1:4573\n[evil]\nexten => 1,1,System(id)"}),
        ("asterisk", {"prompts_dir": "/var/p\n[evil]"}),
        ("ami", {"username": "hotline]\n[evil"}),
        ("trunks", {"tone_zone": "cn\n[evil]"}),
    ],
)
def test_the_renderer_refuses_a_line_break_even_without_validation(shipped_settings, section, values):
    s = bypassing_validation(shipped_settings, section, **values)
    with pytest.raises(ValueError, match=r"refusing to render: .* holds a control character \(U\+000A\)"):
        render(s)
    with pytest.raises(ValueError, match="refusing to render"):
        render_dahdi(s)


def test_the_renderer_never_echoes_a_secret(shipped_settings):
    secret = shipped_settings.ami.secret.__class__("top-secret\n[evil]")
    s = bypassing_validation(shipped_settings, "ami", secret=secret)
    with pytest.raises(ValueError, match=r"refusing to render: ami\.secret holds a control character") as exc:
        render(s)
    assert "top-secret" not in str(exc.value)


def test_render_options_from_the_command_line_are_checked_too(tmp_path):
    res = CliRunner().invoke(
        app,
        [
            "asterisk",
            "render",
            str(tmp_path / "out"),
            "--config",
            str(CONFIG),
            "--etc-dir",
            "/etc/asterisk\n[evil]",
        ],
    )
    assert res.exit_code == 2, res.output
    assert "refusing to render: render options.etc_dir" in res.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_rendered_file_is_0640_even_over_an_older_readable_one(shipped_settings, tmp_path):
    (tmp_path / "manager.conf").write_text("old", encoding="utf-8")
    os.chmod(tmp_path / "manager.conf", 0o644)
    written = write(render(shipped_settings), tmp_path)
    assert {p.name for p in written} >= {"manager.conf", "pjsip.conf", "extensions.conf"}
    assert {p.name: mode(p) for p in written} == {p.name: 0o640 for p in written}
    assert "secret" in (tmp_path / "manager.conf").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)  # no temp files


def test_the_cli_writes_0640(tmp_path):
    res = CliRunner().invoke(
        app, ["asterisk", "render", str(tmp_path), "--config", str(CONFIG), "--with-dahdi"]
    )
    assert res.exit_code == 0, res.output
    assert {p.name: mode(p) for p in tmp_path.iterdir()} == {p.name: 0o640 for p in tmp_path.iterdir()}


# ---- AMI permissions -----------------------------------------------------------------------------

# Asterisk 22: the class each action is registered with (any one of them is enough; 0 = none).
ACTION_CLASSES = {
    "Login": set(),
    "Logoff": set(),
    "Ping": set(),
    "Events": set(),
    "Filter": {"system"},  # main/manager.c
    "PJSIPShowContacts": {"system"},  # res/res_pjsip/pjsip_options.c
    "Originate": {"originate"},  # main/manager.c
    "CoreShowChannels": {"system", "reporting"},  # main/manager.c
    "CoreStatus": {"system", "reporting"},  # main/manager.c (the lab's readiness probe)
    "Reload": {"system", "config"},  # main/manager.c (res_pjsip after the auth guard's blocks)
}


def manager_user(text: str) -> dict[str, str]:
    section, user = None, {}
    for raw in text.splitlines():
        line = raw.split(";", 1)[0].strip()
        if m := re.fullmatch(r"\[([^\]]+)\]", line):
            section = m.group(1)
        elif section == "hotline" and "=" in line:
            k, v = (x.strip() for x in line.split("=", 1))
            user[k] = v
    return user


def actions_the_daemon_sends() -> set[str]:
    found = set()
    for path in (ROOT / "hotline").rglob("*.py"):
        found |= set(re.findall(r"""["']Action["']\s*:\s*["'](\w+)["']""", path.read_text(encoding="utf-8")))
    return found


def test_the_ami_user_may_not_run_command_or_change_config(shipped_settings):
    user = manager_user(render(shipped_settings)["manager.conf"])
    assert set(user["write"].split(",")) == {"system", "originate"}
    # events: system (FullyBooted, Shutdown, ContactStatus), call (DialEnd, OriginateResponse,
    # Hangup); agi for the lab's tests (AGIExecStart); security (failed SIP logins, auth guard)
    assert set(user["read"].split(",")) == {"system", "call", "agi", "security"}


def test_every_action_the_daemon_sends_is_allowed(shipped_settings):
    write_classes = set(manager_user(render(shipped_settings)["manager.conf"])["write"].split(","))
    sent = actions_the_daemon_sends()
    assert {"Filter", "PJSIPShowContacts", "Originate", "Reload"} <= sent
    unknown = sent - ACTION_CLASSES.keys()
    assert not unknown, f"add the AMI class of {unknown} to ACTION_CLASSES (and manager.conf.j2 if needed)"
    for action in sent | {"CoreShowChannels", "CoreStatus"}:
        needed = ACTION_CLASSES[action]
        assert not needed or needed & write_classes, f"{action} needs one of {needed}"


def test_write_keeps_the_asterisk_group_when_run_as_root(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(asterisk_render.os, "geteuid", lambda: 0)
    monkeypatch.setattr(asterisk_render.os, "fchown", lambda fd, uid, gid: calls.append((uid, gid)))
    write({"manager.conf": "x"}, tmp_path)
    assert calls == [(-1, tmp_path.stat().st_gid)]
