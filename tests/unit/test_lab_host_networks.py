"""The lab's public mode lets softphones register from this machine's networks only, and lab
calls can come from another loopback address (an outsider): no root, no Asterisk, no sipp run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hotline.asterisk.config_render import render
from lab.errors import LabError
from lab.host_networks import networks_from_ip_json, with_agents_network
from lab.ports import PortBlock
from lab.sipp import caller_args, start_call
from lab.sipp_process import _options

IP_JSON = json.dumps(
    [
        {
            "ifname": "lo",
            "addr_info": [
                {"family": "inet", "local": "127.0.0.1", "prefixlen": 8, "scope": "host"},
                {"family": "inet6", "local": "::1", "prefixlen": 128, "scope": "host"},
            ],
        },
        {"ifname": "ifb0", "addr_info": []},
        {
            "ifname": "eth0",
            "addr_info": [
                {"family": "inet", "local": "192.168.31.20", "prefixlen": 24, "scope": "global"},
                {"family": "inet6", "local": "2001:db8:1:2::20", "prefixlen": 64, "scope": "global"},
                {"family": "inet6", "local": "fe80::1", "prefixlen": 64, "scope": "link"},
            ],
        },
        {
            "ifname": "docker0",
            "addr_info": [{"family": "inet", "local": "172.17.0.1", "prefixlen": 16, "scope": "global"}],
        },
        {
            "ifname": "wg0",
            "addr_info": [{"family": "inet", "local": "10.8.0.1", "prefixlen": 24, "scope": "global"}],
        },
    ]
)


def test_the_machines_global_networks_then_loopback():
    assert networks_from_ip_json(IP_JSON) == [
        "192.168.31.0/24",
        "2001:db8:1:2::/64",
        "172.17.0.0/16",
        "10.8.0.0/24",
        "127.0.0.0/8",
        "::1/128",
    ]


@pytest.mark.parametrize("text", ["not json", '[{"addr_info": [{"scope": "global", "family": "inet"}]}]'])
def test_unreadable_ip_output_is_a_lab_error(text):
    with pytest.raises(LabError, match="cannot read the interfaces"):
        networks_from_ip_json(text)


def test_public_mode_renders_the_acl_from_the_machines_networks(shipped_settings):
    s = with_agents_network(shipped_settings, networks_from_ip_json(IP_JSON))
    pjsip = render(s)["pjsip.conf"]
    permits = [ln.split("=", 1)[1].strip() for ln in pjsip.splitlines() if ln.startswith("permit =")]
    assert permits[:4] == ["192.168.31.0/24", "2001:db8:1:2::/64", "172.17.0.0/16", "10.8.0.0/24"]
    assert "10.0.0.0/8" not in permits  # the config's default private ranges are replaced
    assert shipped_settings.sip.agents_network[0] == "10.0.0.0/8"  # and the original is untouched


def test_a_network_the_config_would_refuse_is_refused_in_public_mode_too(shipped_settings):
    with pytest.raises(LabError, match="whole internet"):
        with_agents_network(shipped_settings, ["0.0.0.0/0"])


def test_sipp_binds_sip_and_media_to_the_local_ip_given():
    opts = _options(Path("x.xml"), PortBlock(21000), Path("/tmp/w"), "caller", "127.0.0.7")
    assert opts[opts.index("-i") + 1] == "127.0.0.7" and opts[opts.index("-mi") + 1] == "127.0.0.7"
    assert opts[opts.index("-ci") + 1] == "127.0.0.1"
    default = _options(Path("x.xml"), PortBlock(21000), Path("/tmp/w"), "caller")
    assert default[default.index("-i") + 1] == "127.0.0.1"


async def test_a_lab_call_comes_from_a_loopback_address_only():
    with pytest.raises(ValueError, match="loopback"):
        await start_call("95598", local_ip="192.0.2.7")


def test_a_lab_callers_sipp_arguments():
    assert caller_args("95598", "13800138000", "", 60, None) == (
        "-s 95598 -m 1 -timeout 60s -timeout_error -key caller 13800138000 -key caller_name".split() + [""]
    )
    assert caller_args("9138", "1008", "x", 20.4, ("1008", "pw"))[-4:] == ["-au", "1008", "-ap", "pw"]
