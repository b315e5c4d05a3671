"""Reading Asterisk's security events (hotline/asterisk/security_events.py) and the blocklist file
the auth guard writes for Asterisk (hotline/services/blocklist_file.py), and its place in the
rendered pjsip.conf / modules.conf."""

from __future__ import annotations

import stat
from datetime import UTC, datetime

import pytest

from hotline.asterisk.config_render import RenderError, RenderOptions, render
from hotline.asterisk.security_events import remote_ip, sip_failure
from hotline.services import blocklist_file

UNTIL = datetime(2026, 11, 23, 8, 15, tzinfo=UTC)


def event(**headers: str) -> dict[str, str]:
    base = {
        "Event": "ChallengeResponseFailed",
        "Service": "PJSIP",
        "AccountID": "1001",
        "RemoteAddress": "IPV4/UDP/127.0.0.5/5060",
    }
    return {**base, **headers}


def test_a_failed_sip_login_gives_kind_address_and_account():
    assert sip_failure(event()) == ("ChallengeResponseFailed", "127.0.0.5", "1001")
    assert sip_failure(event(Event="InvalidAccountID", AccountID="x" * 500))[2] == "x" * 64


@pytest.mark.parametrize(
    "headers",
    [
        {"Service": "AMI", "Event": "InvalidPassword"},  # the daemon's own AMI login: not SIP
        {"Event": "SuccessfulAuth"},
        {"Event": "ChallengeSent"},
        {"RemoteAddress": "garbage"},
        {"RemoteAddress": ""},
    ],
)
def test_other_events_and_unreadable_addresses_are_none(headers):
    assert sip_failure(event(**headers)) is None


@pytest.mark.parametrize(
    "value,ip",
    [
        ("IPV4/UDP/192.0.2.7/5060", "192.0.2.7"),
        ("IPV6/TCP/2001:db8::1/5061", "2001:db8::1"),
        ("IPV4/192.0.2.7/5060", "192.0.2.7"),  # Asterisk leaves the transport out when unknown
        ("IPV4/UDP/192.0.2.7/5060/x", None),
        ("HOST/UDP/192.0.2.7/5060", None),
    ],
)
def test_remote_address_forms(value, ip):
    assert remote_ip(value) == ip


def test_the_file_is_an_acl_section_with_one_deny_per_network_and_comments_only_when_empty():
    text = blocklist_file.render({"2001:db8::/64": UNTIL, "127.0.0.5/32": UNTIL})
    lines = [ln for ln in text.splitlines() if not ln.startswith(";")]
    assert lines == [
        "[hotline-blocklist]",
        "type = acl",
        "deny = 127.0.0.5/32 ; until 2026-11-23T08:15:00+00:00",
        "deny = 2001:db8::/64 ; until 2026-11-23T08:15:00+00:00",
    ]
    assert [ln for ln in blocklist_file.render({}).splitlines() if not ln.startswith(";")] == []
    assert blocklist_file.parse(text) == [("127.0.0.5/32", UNTIL), ("2001:db8::/64", UNTIL)]


def test_only_a_network_reaches_the_file():
    with pytest.raises(ValueError, match="not a network"):
        blocklist_file.render({"127.0.0.5/32\n[evil]": UNTIL})


def test_hand_edits_and_junk_are_skipped_when_read_back():
    text = (
        "deny = 192.0.2.1/32\n"  # no until: not the daemon's line
        "deny = 192.0.2.2/32 ; until yesterday\n"
        "deny = 192.0.2.3/32 ; until 2026-01-01T00:00:00\n"  # no time zone
        "deny = x ; until 2026-01-01T00:00:00+00:00\n"
    )
    assert blocklist_file.parse(text) == []


def test_written_whole_and_readable_by_asterisk(tmp_path):
    path = tmp_path / "hotline-blocklist.conf"
    assert blocklist_file.read(path) == []
    blocklist_file.write(path, blocklist_file.render({"127.0.0.5/32": UNTIL}))
    assert blocklist_file.read(path) == [("127.0.0.5/32", UNTIL)]
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["hotline-blocklist.conf"]


def test_pjsip_conf_tryincludes_the_blocklist_and_the_acl_module_is_loaded(shipped_settings):
    files = render(shipped_settings)
    assert f"#tryinclude {shipped_settings.security.blocklist_file}\n" in files["pjsip.conf"]
    assert "load = res_pjsip_acl.so" in files["modules.conf"].splitlines()
    lab = render(shipped_settings, RenderOptions(blocklist_include="/etc/asterisk/hotline-blocklist.conf"))
    assert "#tryinclude /etc/asterisk/hotline-blocklist.conf\n" in lab["pjsip.conf"]
    with pytest.raises(RenderError, match="blocklist_include"):
        render(shipped_settings, RenderOptions(blocklist_include="/etc/asterisk/a b.conf"))
