import re

from hotline.asterisk.config_render import RenderOptions, render, render_dahdi


def parse_conf(text: str) -> list[tuple[str, str, str]]:
    """Asterisk .conf syntax check: (section, key, value) triples; raises on a bad line."""
    out, section = [], None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split(";", 1)[0].strip()
        if not line or re.fullmatch(r"#tryinclude /\S+", line):
            continue
        m = re.fullmatch(r"\[([^\]]+)\](\([^)]*\))?", line)
        if m:
            section = m.group(1)
            continue
        m = re.fullmatch(r"([A-Za-z_][\w\-() ]*?)\s*(=>|=)\s*(.*)", line)
        assert m and section is not None, f"line {n}: {raw!r} is not Asterisk config syntax"
        out.append((section, m.group(1).strip(), m.group(3)))
    return out


def test_every_file_parses_and_agents_are_digest_with_one_contact(shipped_settings):
    files = render(shipped_settings, RenderOptions(media_address="127.0.0.1"))
    for text in files.values():
        parse_conf(text)
    pj = parse_conf(files["pjsip.conf"])
    assert ("agent-aor", "max_contacts", "1") in pj
    assert ("ep-common", "allow", "alaw,ulaw") in pj
    assert ("1001", "password", "pw1001-lab") in pj and ("agent-auth", "auth_type", "userpass") in pj
    mgr = parse_conf(files["manager.conf"])
    assert ("general", "bindaddr", "127.0.0.1") in mgr and ("hotline", "secret", "lab-ami-secret") in mgr


def test_inbound_goes_to_fastagi_with_a_fallback_that_rings_agents(shipped_settings):
    ext = render(shipped_settings)["extensions.conf"]
    assert "AGI(${HOTLINE_AGI}/inbound," in ext
    assert "HOTLINE_AGI = agi://127.0.0.1:4573" in ext
    assert "Dial(${AGENT_RING},${RING_SECONDS},m)" in ext
    assert "AGENT_RING = PJSIP/1001&PJSIP/1002&PJSIP/1003" in ext and "RING_SECONDS = 12" in ext


def test_dahdi_card_8_in_4_out(shipped_settings):
    conf = parse_conf(render_dahdi(shipped_settings))
    chans = [v for s, k, v in conf if k == "channel"]
    assert chans == ["1-8", "9-12"]
    assert ("channels", "signalling", "fxs_ks") in conf


def test_fallback_reads_outage_notices_only_when_configured(shipped_settings):
    s = shipped_settings
    assert "outage_notice.py" not in render(s)["extensions.conf"]
    paths = s.asterisk.model_copy(
        update={
            "fallback_agi": "/opt/hotline/agi_scripts/outage_notice.py",
            "fallback_db_url": "sqlite:////var/lib/hotline/hotline.db",
        }
    )
    ext = render(s.model_copy(update={"asterisk": paths}))["extensions.conf"]
    line = next(ln for ln in ext.splitlines() if "outage_notice.py" in ln)
    assert (
        "AGI(/opt/hotline/agi_scripts/outage_notice.py,sqlite:////var/lib/hotline/hotline.db,${PROMPTS})"
        in line
    )
    assert ext.index("fallback_notice") < ext.index("outage_notice.py") < ext.index("n(ring)")


def dialplan_lines(ext: str, context: str) -> list[str]:
    body = ext.split(f"[{context}]", 1)[1].split("\n[", 1)[0]
    return [
        line.split(";", 1)[0].strip()
        for line in body.splitlines()
        if line.strip().startswith(("exten", "same"))
    ]


def test_a_caller_who_talked_to_an_agent_never_rings_the_agents_again(shipped_settings):
    ext = render(shipped_settings)["extensions.conf"]
    inbound = dialplan_lines(ext, "hotline-inbound")
    # the daemon's agent Dial left DIALSTATUS=ANSWER on the caller's channel: no fallback after it
    talked = inbound.index('same => n,GotoIf($["${DIALSTATUS}" = "ANSWER"]?talked)')
    assert talked < inbound.index("same => n,Goto(hotline-fallback,s,1)")
    fallback = dialplan_lines(ext, "hotline-fallback")
    dial = fallback.index("same => n(ring),Dial(${AGENT_RING},${RING_SECONDS},m)")
    assert fallback[dial + 1] == 'same => n,GotoIf($["${DIALSTATUS}" = "ANSWER"]?talked)'
    assert "same => n(talked),Playback(${PROMPTS}/goodbye)" in fallback


def test_dead_media_and_vanished_peers_are_hung_up(shipped_settings):
    pj = parse_conf(render(shipped_settings)["pjsip.conf"])
    assert ("ep-common", "rtp_timeout", "60") in pj
    assert ("ep-common", "timers", "yes") in pj and ("ep-common", "timers_sess_expires", "1800") in pj
    s = shipped_settings
    off = s.model_copy(update={"sip": s.sip.model_copy(update={"rtp_timeout_seconds": 0})})
    assert not any(k == "rtp_timeout" for _, k, _ in parse_conf(render(off)["pjsip.conf"]))
