"""Lab pieces that need neither root nor Asterisk: caller steps, ports, config parsing."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lab import ports
from lab.ami import AmiCredentials
from lab.caller_steps import Dtmf, HangUp, Wait, caller_scenario, steps_duration
from lab.session import config_digest
from lab.sipp_process import scenario_path


def test_steps_become_pauses_and_play_dtmf() -> None:
    xml = caller_scenario([Wait(0.5), Dtmf("12#", tone_ms=100), Wait(2), HangUp()])
    root = ET.fromstring(xml.encode("iso-8859-1"))
    pauses = [int(p.get("milliseconds")) for p in root.iter("pause")]
    # DTMF: 400 ms warm-up + (2 x 3 + 1) x 100 ms of tones and gaps + 150 ms margin
    assert pauses == [500, 1250, 2000]
    assert [e.get("play_dtmf") for e in root.iter("exec")] == ["12#,100"]
    assert steps_duration([Wait(0.5), Dtmf("12#", tone_ms=100), Wait(2)]) == 3.75


def test_every_shipped_scenario_is_well_formed_xml() -> None:
    for name in (
        "caller.xml",
        "agent_uas.xml",
        "agent_talk.xml",
        "agent_ring.xml",
        "agent_busy.xml",
        "agent_register.xml",
    ):
        ET.parse(scenario_path(name))


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Wait(0), "Wait needs a positive number of seconds, got 0"),
        (lambda: Dtmf("12x"), r"Dtmf digits must be 0-9 \* #, got '12x'"),
        (lambda: Dtmf("1", tone_ms=20), "Dtmf tone_ms must be 50-2000, got 20"),
        (lambda: Dtmf(""), r"Dtmf digits must be 0-9 \* #, got ''"),
    ],
)
def test_invalid_steps_are_refused(make, message) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match=message):
        make()


def test_hangup_must_be_last() -> None:
    with pytest.raises(ValueError, match="last"):
        caller_scenario([HangUp(), Wait(1)])


def test_port_blocks_are_distinct_and_released() -> None:
    blocks = [ports.allocate() for _ in range(20)]
    try:
        assert len({b.base for b in blocks}) == 20
        assert all(b.control == b.sip + 1 and b.media == b.sip + 2 for b in blocks)
    finally:
        for block in blocks:
            block.release()


def test_manager_conf_parsing(tmp_path: Path) -> None:
    conf = tmp_path / "manager.conf"
    conf.write_text(
        "[general]\nenabled = yes\nport = 5139 ; comment\nbindaddr = 0.0.0.0\n\n"
        "[hotline](!)\nread = all\n[daemon]\nsecret => s3cret\n"
    )
    assert AmiCredentials.from_manager_conf(conf) == AmiCredentials("127.0.0.1", 5139, "daemon", "s3cret")


def test_config_digest_follows_content(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "asterisk.conf").write_text("[directories]\n")
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "welcome.wav").write_bytes(b"RIFF1")
    files = {"/var/lib/hotline/prompts": tmp_path / "prompts"}
    first = config_digest(tmp_path / "etc", files)
    assert config_digest(tmp_path / "etc", files) == first
    (tmp_path / "prompts" / "welcome.wav").write_bytes(b"RIFF2")
    assert config_digest(tmp_path / "etc", files) != first
