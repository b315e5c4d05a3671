"""Render the Asterisk configuration (config/asterisk/*.j2 + dialplan/*.j2) from the site settings."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2

from .settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = PROJECT_ROOT / "config" / "asterisk"
DIALPLAN = PROJECT_ROOT / "dialplan"
DEFAULT_MODULES_DIR = "/usr/lib/x86_64-linux-gnu/asterisk/modules"


@dataclass(frozen=True)
class RenderOptions:
    """Where Asterisk lives; the lab passes its chroot's values."""

    etc_dir: str = "/etc/asterisk"
    modules_dir: str = DEFAULT_MODULES_DIR
    sip_bind: str = "0.0.0.0:5060"
    media_address: str | None = None  # set to 127.0.0.1 in the lab to keep RTP on loopback


def _env(folder: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)), undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True, autoescape=False)


def outbound_dial_string(settings: Settings, number: str) -> str:
    """The Dial() target for `number` on an outbound line (daemon and dialplan use this one form)."""
    if settings.trunks.kind == "pjsip":
        return f"PJSIP/{number}@outbound-trunk"
    return f"DAHDI/g2/{number}"


def context(settings: Settings, opts: RenderOptions) -> dict:
    trunks = settings.trunks
    agent_ring = "&".join(f"PJSIP/{a.extension}" for a in settings.agents)
    return {
        "settings": settings, "trunks": trunks, "agents": settings.agents, "ami": settings.ami,
        "paths": settings.asterisk, "etc_dir": opts.etc_dir, "modules_dir": opts.modules_dir,
        "sip_bind": opts.sip_bind, "media_address": opts.media_address,
        "ring_seconds": int(round(settings.answer_target.seconds)),
        "agent_ring": agent_ring or "PJSIP/nobody",
        "outbound_dial": outbound_dial_string(settings, "${EXTEN:1}"),
    }


def render(settings: Settings, opts: RenderOptions = RenderOptions()) -> dict[str, str]:
    """Return {file name: text} for every Asterisk config file the hotline needs."""
    ctx = context(settings, opts)
    out: dict[str, str] = {}
    env = _env(TEMPLATES)
    for tpl in sorted(TEMPLATES.glob("*.conf.j2")):
        if tpl.name == "chan_dahdi.conf.j2" and settings.trunks.kind != "dahdi":
            continue
        out[tpl.name.removesuffix(".j2")] = env.get_template(tpl.name).render(ctx)
    dial_env = _env(DIALPLAN)
    pieces = [dial_env.get_template(p.name).render(ctx) for p in sorted(DIALPLAN.glob("*.conf.j2"))]
    out["extensions.conf"] = "\n".join(pieces)
    return out


def render_dahdi(settings: Settings) -> str:
    """chan_dahdi.conf for the analog card, whatever trunks.kind says (for checking it)."""
    return _env(TEMPLATES).get_template("chan_dahdi.conf.j2").render(context(settings, RenderOptions()))


def write(files: dict[str, str], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
