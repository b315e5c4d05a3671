"""The rendered Asterisk config against toll fraud: the SIP ACL (sip.agents_network + the trunk
gateway), no way in for an unauthenticated INVITE but the gateway's address, and an [agents]
context that dials out only numbers of outbound.dial_patterns (`_9X.` refuses the rest)."""

from __future__ import annotations

import re

import pytest
from test_asterisk_render import dialplan_lines, parse_conf
from test_render_hardening import bypassing_validation

from acd.dial_policy import DEFAULT_PATTERNS
from hotline.asterisk.config_render import RenderError, render
from hotline.settings import ConfigError, Settings, load_settings

ACL = "acl-agents-and-gateway"
DENY_ALL = [("deny", "0.0.0.0/0.0.0.0"), ("deny", "::/0")]


def with_sections(s: Settings, **sections: dict) -> Settings:
    data = s.model_dump(mode="python")
    for name, values in sections.items():
        data[name] = {**data[name], **values}
    data["agents"] = [{**a, "secret": a["secret"].get_secret_value()} for a in data["agents"]]
    data["ami"]["secret"] = data["ami"]["secret"].get_secret_value()
    return Settings.model_validate(data)


def acl_lines(pjsip: str) -> list[tuple[str, str]]:
    return [(k, v) for s, k, v in parse_conf(pjsip) if s == ACL]


def test_the_acl_denies_everything_then_permits_the_agents_networks_and_the_gateway(shipped_settings):
    s = with_sections(
        shipped_settings,
        sip={"agents_network": ["10.10.0.0/16", "2001:db8:5::/48"]},
        trunks={"pjsip": {"gateway_match": "192.0.2.10", "outbound_contact": "sip:192.0.2.11:5060"}},
    )
    permitted = ["10.10.0.0/16", "2001:db8:5::/48", "192.0.2.10/32", "192.0.2.11/32"]
    # the last matching rule wins in an Asterisk ACL: the denials must come first
    assert acl_lines(render(s)["pjsip.conf"]) == [
        ("type", "acl"),
        *DENY_ALL,
        *(("permit", n) for n in permitted),
        *(("contact_" + k, v) for k, v in DENY_ALL),
        *(("contact_permit", n) for n in permitted),
    ]


def test_the_default_networks_are_private_and_loopback_only(shipped_settings):
    lines = acl_lines(render(shipped_settings)["pjsip.conf"])
    permits = [v for k, v in lines if k == "permit"]
    assert permits == ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "127.0.0.1/32"]
    assert [v for k, v in lines if k == "contact_permit"] == permits
    assert not any(v.endswith("/0") for k, v in lines if "permit" in k)


def test_a_gateway_host_name_is_not_in_the_acl_and_dahdi_has_no_gateway(shipped_settings):
    named = with_sections(
        shipped_settings,
        sip={"agents_network": ["10.10.0.0/16"]},
        trunks={"pjsip": {"gateway_match": "192.0.2.10", "outbound_contact": "sip:gw.example.net:5060"}},
    )
    permits = [v for k, v in acl_lines(render(named)["pjsip.conf"]) if k == "permit"]
    assert permits == ["10.10.0.0/16", "192.0.2.10/32"]
    dahdi = with_sections(
        shipped_settings, sip={"agents_network": ["10.10.0.0/16"]}, trunks={"kind": "dahdi"}
    )
    assert [v for k, v in acl_lines(render(dahdi)["pjsip.conf"]) if k == "permit"] == ["10.10.0.0/16"]


def test_res_pjsip_acl_is_loaded_and_the_anonymous_identifier_is_not(shipped_settings):
    modules = render(shipped_settings)["modules.conf"]
    assert "load = res_pjsip_acl.so" in modules.splitlines()
    assert "anonymous" not in modules


def endpoint_objects(pjsip: str) -> dict[str, dict[str, str]]:
    """Every non-template endpoint with the options it inherits from its templates."""
    sections: list[tuple[str, list[str], bool, dict[str, str]]] = []
    for raw in pjsip.splitlines():
        line = raw.split(";", 1)[0].strip()
        m = re.fullmatch(r"\[([^\]]+)\](?:\(([^)]*)\))?", line)
        if m:
            marks = [t.strip() for t in (m.group(2) or "").split(",") if t.strip()]
            sections.append((m.group(1), [t for t in marks if t != "!"], "!" in marks, {}))
        elif "=" in line and sections:
            key, value = (part.strip() for part in line.split("=", 1))
            sections[-1][3][key] = value
    templates = {name: (parents, opts) for name, parents, is_template, opts in sections if is_template}

    def resolved(parents: list[str], opts: dict[str, str]) -> dict[str, str]:
        merged: dict[str, str] = {}
        for parent in parents:
            merged.update(resolved(*templates[parent]))
        return {**merged, **opts}

    out = {}
    for name, parents, is_template, opts in sections:
        merged = resolved(parents, opts)
        if not is_template and merged.get("type") == "endpoint":
            out[name] = merged
    return out


def test_an_unauthenticated_invite_reaches_no_context_but_from_the_gateways_address(shipped_settings):
    pjsip = render(shipped_settings)["pjsip.conf"]
    conf = parse_conf(pjsip)
    order = next(v for s, k, v in conf if k == "endpoint_identifier_order")
    assert order.split(",") == ["username", "ip"]  # no anonymous endpoint can be picked
    endpoints = endpoint_objects(pjsip)
    assert "anonymous" not in endpoints and set(endpoints) == {
        "trunk",
        "outbound-trunk",
        "1001",
        "1002",
        "1003",
        "1101",  # the supervisor's phone (supervisors:)
    }
    identified_by_ip = {
        v for s, k, v in conf if k == "endpoint" and ("type", "identify") in _options(conf, s)
    }
    assert identified_by_ip == {"trunk"}
    assert ("trunk", "match", "127.0.0.1") in conf
    for name, ep in endpoints.items():
        if "auth" in ep:  # an agent or a supervisor's phone: found by From user, then digest-challenged
            supervisor = shipped_settings.supervisor_for("banzhang")
            context = "hotline-supervisor" if supervisor and name == supervisor.extension else "agents"
            assert ep["identify_by"] == "username" and ep["context"] == context, name
        else:  # a trunk: never found by a From user ("trunk"), only by the gateway's address
            assert ep["identify_by"] == "ip", name
            assert ep["context"] != "agents", name
    assert endpoints["outbound-trunk"]["context"] == "from-outbound"


def _options(conf: list[tuple[str, str, str]], section: str) -> set[tuple[str, str]]:
    return {(k, v) for s, k, v in conf if s == section}


@pytest.mark.parametrize(
    "yaml_value, message",
    [
        ("[]", "must list at least one network"),
        ("[0.0.0.0/0]", "is the whole internet"),
        ("['::/0']", "is the whole internet"),
        ("[0.0.0.0/1, 128.0.0.0/1]", r"0\.0\.0\.0/1 is wider than /8"),
        ("[10.1.2.3/8]", r"has host bits set: did you mean 10\.0\.0\.0/8\?"),
        ("['10.0.0.0/8,0.0.0.0/0']", "is not an IPv4/IPv6 network"),
        ("[lan]", "is not an IPv4/IPv6 network"),
        ("['fe80::%eth0/64']", "zone index"),
        ("['::ffff:10.0.0.0/104']", "IPv4-mapped"),
    ],
)
def test_a_bad_agents_network_is_refused_at_load_with_its_line(tmp_path, yaml_value, message):
    f = tmp_path / "h.yaml"
    f.write_text(f"company: X\nsip:\n  agents_network: {yaml_value}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as exc:
        load_settings(f)
    assert exc.value.errors[0].startswith(f"{f}:3: sip.agents_network")


def test_networks_are_kept_in_their_canonical_form(tmp_path):
    f = tmp_path / "h.yaml"
    f.write_text(
        "company: X\nsip:\n  agents_network: [10.20.0.0/255.255.0.0, 192.168.1.20]\n", encoding="utf-8"
    )
    assert load_settings(f).sip.agents_network == ["10.20.0.0/16", "192.168.1.20/32"]


def test_a_gateway_match_wider_than_a_private_network_is_refused(tmp_path):
    f = tmp_path / "h.yaml"
    f.write_text("company: X\ntrunks:\n  pjsip:\n    gateway_match: 0.0.0.0/0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="would be taken for the gateway"):
        load_settings(f)


@pytest.mark.parametrize(
    "section, values, message",
    [
        ("sip", {"agents_network": ["10.0.0.0/8,0.0.0.0/0"]}, r"sip\.agents_network: .* not an IPv4/IPv6"),
        ("sip", {"agents_network": ["0.0.0.0/0"]}, "whole internet"),
        ("sip", {"agents_network": ["10.0.0.0/8\n[evil]"]}, r"control character \(U\+000A\)"),
        ("outbound", {"dial_patterns": ["X.,1,System(id)"]}, r"outbound\.dial_patterns: pattern"),
        ("outbound", {"dial_patterns": ["1XX\nexten => _X.,1,Dial(x)"]}, "control character"),
    ],
)
def test_values_cannot_inject_config_lines_even_without_validation(
    shipped_settings, section, values, message
):
    s = bypassing_validation(shipped_settings, section, **values)
    with pytest.raises(RenderError, match=f"refusing to render: .*{message}"):
        render(s)


# -- the [agents] context: what 9 + number does ---------------------------------------------------
def exten_patterns(ext: str) -> dict[str, list[str]]:
    """[agents] extension -> its lines (exten + same)."""
    out: dict[str, list[str]] = {}
    current = ""
    for line in dialplan_lines(ext, "agents"):
        if line.startswith("exten"):
            current = line.split("=>", 1)[1].split(",", 1)[0].strip()
            out[current] = []
        out[current].append(line)
    return out


def _position_keys(pattern: str) -> list[tuple[int, str]]:
    """Asterisk's ordering of a pattern (pbx.c ext_cmp): per position (set size, lowest char);
    at the first differing position the smaller set sorts first; `.` after every set."""
    keys: list[tuple[int, str]] = []
    for tok in re.findall(r"\[[^\]]+\]|.", pattern[1:]):
        if tok == ".":
            keys.append((0x400, "."))
        else:
            chars = sorted(set(_token_chars(tok)))
            keys.append((len(chars), chars[0]))
    return keys


def _token_chars(tok: str) -> str:
    if tok.startswith("["):
        return "".join(
            chr(c) for a, b in re.findall(r"(.)(?:-(.))?", tok[1:-1]) for c in range(ord(a), ord(b or a) + 1)
        )
    return {"X": "0123456789", "Z": "123456789", "N": "23456789"}.get(tok, tok)


def _matches(pattern: str, number: str) -> bool:
    if not pattern.startswith("_"):
        return pattern == number
    regex = "".join(
        ".+" if tok == "." else "[" + re.escape(_token_chars(tok)) + "]"
        for tok in re.findall(r"\[[^\]]+\]|.", pattern[1:])
    )
    return re.fullmatch(regex, number) is not None


def best_match(extens: list[str], dialled: str) -> str | None:
    """The extension Asterisk runs for `dialled`: a literal one first, else the most specific pattern."""
    found = [e for e in extens if _matches(e, dialled)]
    literal = [e for e in found if not e.startswith("_")]
    if literal:
        return literal[0]
    return min(found, key=_position_keys) if found else None


def test_one_dialling_extension_per_allowed_pattern_and_9x_dot_never_dials(shipped_settings):
    extens = exten_patterns(render(shipped_settings)["extensions.conf"])
    for pattern in DEFAULT_PATTERNS:
        lines = extens[f"_9{pattern}"]
        assert lines[0] == f"exten => _9{pattern},1,Set(GROUP(hotline)=outbound)"
        assert "same => n,AGI(${HOTLINE_AGI}/outbound,${EXTEN:1})" in lines
        assert "same => n,Dial(PJSIP/${EXTEN:1}@outbound-trunk,60)" in lines
    refusal = extens["_9X."]
    assert refusal == [
        "exten => _9X.,1,AGI(${HOTLINE_AGI}/outbound,${EXTEN:1},refused)",
        "same => n,Congestion(5)",
    ]
    dialling = [
        e for e, lines in extens.items() if any("Dial(PJSIP/${EXTEN:1}@outbound-trunk" in ln for ln in lines)
    ]
    assert sorted(dialling) == sorted(f"_9{p}" for p in DEFAULT_PATTERNS)


@pytest.mark.parametrize(
    "dialled",
    [
        "900441234567890",  # international (UK)
        "9001212555123",  # international (USA)
        "916888123",  # voice information 168
        "912590123456",  # 1259x SP voice service
        "902016888123",  # voice information behind an area code
        "94008123123",  # 400 number
        "995598",  # the hotline's own service number on a line
        "9110",
        "9138000011112",  # a mobile with a digit too many
    ],
)
def test_international_and_premium_numbers_only_reach_the_refusal(shipped_settings, dialled):
    extens = list(exten_patterns(render(shipped_settings)["extensions.conf"]))
    assert best_match(extens, dialled) == "_9X."
    assert [e for e in extens if _matches(e, dialled)] == ["_9X."]


@pytest.mark.parametrize(
    "dialled, pattern",
    [
        ("913800001111", "1[3-9]XXXXXXXXX"),
        ("9013800001111", "01[3-9]XXXXXXXXX"),
        ("901062345678", "010[2-8]XXXXXXX"),
        ("9075523456789", "0[3-9]XX[2-8]XXXXXXX"),
        ("988776655", "[2-8]XXXXXXX"),
    ],
)
def test_an_allowed_number_runs_its_own_extension_before_the_refusal(shipped_settings, dialled, pattern):
    extens = list(exten_patterns(render(shipped_settings)["extensions.conf"]))
    assert best_match(extens, dialled) == f"_9{pattern}"
    assert best_match(extens, "95598") == "95598" and best_match(extens, "1001") == "1001"
