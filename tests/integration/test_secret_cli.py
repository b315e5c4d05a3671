"""Weak secrets on the command line: `config check` and `run` refuse them (exit 2, one line per
problem, never the secret) unless the config says `lab: true`; `hotline agents secret` writes a
strong one into the file in place."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotline.cli import app
from hotline.settings import load_settings

STRONG_AMI = "Zr8#kLm2-Qw9x-Tb"
CONFIG = """\
# the site's config: this comment and the layout must survive `agents secret`
company: 测试县   # greeting
agents:
  - {{id: "001", extension: "1001", secret: pw1001-lab, name: 座席一}}
  - id: "002"
    extension: "1002"
    secret: "Vq7-mRt2-Kx9p-Lw"   # already strong
database:
  url: sqlite+aiosqlite:///{tmp}/h.db
ami: {{secret: "{ami}"}}
pid_file: {tmp}/run/hotline.pid
"""


def write(tmp: Path, ami: str = "lab-ami-secret", extra: str = "") -> Path:
    path = tmp / "hotline.yaml"
    path.write_text(CONFIG.format(tmp=tmp, ami=ami) + extra, encoding="utf-8")
    return path


def hotline(*args: str):
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_config_check_lists_each_weak_secret_by_owner_and_rule_never_the_secret(tmp_path):
    cfg = write(tmp_path)
    r = hotline("config", "check", str(cfg))
    assert r.exit_code == 2 and r.stdout == ""
    lines = r.stderr.splitlines()
    agent = [ln for ln in lines if "agent 001" in ln]
    assert (
        f"{cfg}:4: agents.0.secret: weak secret of agent 001 (extension 1001): shorter than 12 characters"
        in agent
    )
    assert any(ln.endswith("is or contains the extension") for ln in agent)
    assert any(
        f"{cfg}:10: ami.secret: weak secret of AMI user hotline: contains a common word" in ln for ln in lines
    )
    assert not any("agent 002" in ln for ln in lines)  # a strong secret is no finding
    assert lines[-1].startswith(f"{len(lines) - 1} weak secret problem(s) in {cfg}: ")
    assert "hotline agents secret" in lines[-1] and "lab: true" in lines[-1]
    assert "pw1001" not in r.output and "lab-ami" not in r.output


def test_a_lab_config_may_keep_weak_secrets_and_says_so(tmp_path):
    r = hotline("config", "check", str(write(tmp_path, extra="lab: true\n")))
    assert r.exit_code == 0, r.output
    assert "ok (2 agents" in r.stdout and "lab config: " in r.stdout


def test_run_refuses_weak_secrets_before_it_starts_anything(tmp_path):
    cfg = write(tmp_path)
    r = hotline("run", "-c", str(cfg))
    assert r.exit_code == 2
    assert "weak secret of agent 001" in r.stderr and "pw1001" not in r.output
    assert not (tmp_path / "run").exists() and not (tmp_path / "h.db").exists()  # no lock, no store


def test_agents_secret_writes_a_strong_secret_in_place_and_keeps_everything_else(tmp_path):
    cfg = write(tmp_path, ami=STRONG_AMI)
    os.chmod(cfg, 0o600)
    before = cfg.read_text(encoding="utf-8")
    r = hotline("agents", "secret", "001", "-c", str(cfg))
    assert r.exit_code == 0, r.output
    secret = load_settings(cfg).agents[0].secret.get_secret_value()
    assert secret not in r.output and "--show" in r.stdout
    assert "hotline asterisk render" in r.stdout and "res_pjsip" in r.stdout
    assert cfg.read_text(encoding="utf-8") == before.replace("secret: pw1001-lab,", f'secret: "{secret}",')
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hotline.yaml"]  # no temporary file left
    ok = hotline("config", "check", str(cfg))
    assert ok.exit_code == 0 and "lab config" not in ok.stdout, ok.output


def test_agents_secret_show_prints_the_secret_it_wrote(tmp_path):
    cfg = write(tmp_path)
    r = hotline("agents", "secret", "002", "-c", str(cfg), "--show")
    assert r.exit_code == 0, r.output
    secret = load_settings(cfg).agents[1].secret.get_secret_value()
    assert f"secret: {secret}" in r.stdout.splitlines()
    assert "# already strong" in cfg.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "extra,agent,fragment",
    [
        ("", "009", "no agent with 工号 '009' (agents: 001, 002)"),
        ("  - {id: '003', extension: '1003'}\n", "003", "agent 003 has no secret: key"),
    ],
)
def test_agents_secret_refuses_clearly_and_changes_nothing(tmp_path, extra, agent, fragment):
    cfg = tmp_path / "hotline.yaml"
    text = CONFIG.format(tmp=tmp_path, ami=STRONG_AMI).replace("database:", extra + "database:")
    cfg.write_text(text, encoding="utf-8")
    r = hotline("agents", "secret", agent, "-c", str(cfg))
    assert r.exit_code == 2
    assert r.stderr.startswith("error: ") and fragment in r.stderr and len(r.stderr.splitlines()) == 1
    assert cfg.read_text(encoding="utf-8") == text


def test_agents_secret_on_a_config_with_other_errors_writes_nothing(tmp_path):
    cfg = write(tmp_path, extra="answer_target: {rings: 99}\n")
    before = cfg.read_text(encoding="utf-8")
    r = hotline("agents", "secret", "001", "-c", str(cfg))
    assert r.exit_code == 2
    assert "answer_target.rings" in r.stderr and "nothing was changed" in r.stderr
    assert cfg.read_text(encoding="utf-8") == before


def test_asterisk_render_refuses_weak_secrets_too_and_writes_nothing(tmp_path):
    cfg = write(tmp_path)
    out = tmp_path / "etc"
    r = hotline("asterisk", "render", str(out), "-c", str(cfg))
    assert r.exit_code == 2 and "weak secret of agent 001" in r.stderr
    assert "pw1001-lab" not in r.stderr and not out.exists()
    lab = write(tmp_path, extra="lab: true\n")
    assert hotline("asterisk", "render", str(out), "-c", str(lab)).exit_code == 0
