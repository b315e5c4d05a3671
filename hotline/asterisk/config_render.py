"""Render the Asterisk configuration (config/asterisk/*.j2 + dialplan/*.j2) from the site settings.

Every value is refused if it holds a line break or another control character (the config check
refuses them too; this is for Settings built some other way): one would start a new line, a new
setting or `[section]`, in the rendered file. The files hold secrets (AMI and agent passwords, the
fallback's database URL), so they are written with mode 0640.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel, SecretStr

from acd.dial_policy import DialPolicy, DialPolicyError
from hotline.asterisk.sip_acl import AclError, permitted_networks
from hotline.asterisk.spy_dialplan import SPY_CONTEXT, SPY_OPTIONS, SPY_VARIABLE, SUPERVISOR_CONTEXT
from hotline.config_text import control_char, dialplan_path
from hotline.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = PROJECT_ROOT / "config" / "asterisk"
DIALPLAN = PROJECT_ROOT / "dialplan"
DEFAULT_MODULES_DIR = "/usr/lib/x86_64-linux-gnu/asterisk/modules"
FILE_MODE = 0o640  # owner read/write, group (Asterisk's) read, nobody else


class RenderError(ValueError):
    """A value cannot be written into an Asterisk file; the message names it (never a secret's text)."""


@dataclass(frozen=True)
class RenderOptions:
    """Where Asterisk lives; the lab passes its chroot's values."""

    etc_dir: str = "/etc/asterisk"
    modules_dir: str = DEFAULT_MODULES_DIR
    sip_bind: str = "0.0.0.0:5060"
    media_address: str | None = None  # set to 127.0.0.1 in the lab to keep RTP on loopback
    # the auth guard's blocklist as Asterisk sees it (the lab's chroot); None = security.blocklist_file
    blocklist_include: str | None = None


def _env(folder: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def outbound_dial_string(settings: Settings, number: str) -> str:
    """The Dial() target for `number` on an outbound line (daemon and dialplan use this one form)."""
    if settings.trunks.kind == "pjsip":
        return f"PJSIP/{number}@outbound-trunk"
    return f"DAHDI/g2/{number}"


def _texts(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """(dotted name, text) of every string in the settings/options, secrets included."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, SecretStr):
        yield where, value.get_secret_value()
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _texts(getattr(value, name), f"{where}.{name}" if where else name)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _texts(getattr(value, f.name), f"{where}.{f.name}")
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _texts(k, f"{where}[{k!r}]")
            yield from _texts(v, f"{where}.{k}")
    elif isinstance(value, (list, tuple, set, frozenset)):
        for i, item in enumerate(value):
            yield from _texts(item, f"{where}.{i}")


def check_one_line(settings: Settings, opts: RenderOptions) -> None:
    """Raise RenderError naming the first value with a control character (a line break...)."""
    for where, text in [*_texts(settings, ""), *_texts(opts, "render options")]:
        bad = control_char(text)
        if bad:
            raise RenderError(
                f"refusing to render: {where} holds a control character ({bad}); "
                f"a line break would inject lines into the Asterisk config"
            )


def _checked_again(settings: Settings) -> tuple[list[str], tuple[str, ...]]:
    """(the SIP ACL's permitted networks, the dial patterns), parsed again: a Settings built
    without validation cannot put a list separator or a dialplan character into either."""
    try:
        return permitted_networks(settings), DialPolicy(settings.outbound.dial_patterns).patterns
    except DialPolicyError as exc:
        raise RenderError(f"refusing to render: outbound.dial_patterns: {exc}") from None
    except AclError as exc:
        raise RenderError(f"refusing to render: {exc}") from None


def context(settings: Settings, opts: RenderOptions) -> dict[str, Any]:
    check_one_line(settings, opts)
    sip_acl, dial_patterns = _checked_again(settings)
    trunks = settings.trunks
    agent_ring = "&".join(f"PJSIP/{a.extension}" for a in settings.agents)
    return {
        "settings": settings,
        "trunks": trunks,
        "agents": settings.agents,
        "supervisors": settings.supervisors,
        "spy": {
            "context": SPY_CONTEXT,
            "supervisor_context": SUPERVISOR_CONTEXT,
            "variable": SPY_VARIABLE,
            "options": SPY_OPTIONS,
        },
        "ami": settings.ami,
        "paths": settings.asterisk,
        "etc_dir": opts.etc_dir,
        "modules_dir": opts.modules_dir,
        "sip_bind": opts.sip_bind,
        "media_address": opts.media_address,
        "ring_seconds": int(round(settings.answer_target.seconds)),
        "agent_ring": agent_ring or "PJSIP/nobody",
        "outbound_dial": outbound_dial_string(settings, "${EXTEN:1}"),
        "blocklist_include": _blocklist_include(settings, opts),
        "sip_acl": sip_acl,
        "dial_patterns": dial_patterns,
    }


def _blocklist_include(settings: Settings, opts: RenderOptions) -> str:
    """The path pjsip.conf #tryincludes: absolute, no spaces or special characters."""
    try:
        return dialplan_path(opts.blocklist_include or settings.security.blocklist_file)
    except ValueError as exc:
        raise RenderError(f"refusing to render: blocklist_include {exc}") from None


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
    """Write each file (mode 0640, replaced atomically: never readable by others, never half-written).

    Run as root, a file gets the group of `out_dir` (e.g. /etc/asterisk's group `asterisk`), so
    that Asterisk running as its own user can still read it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    group = out_dir.stat().st_gid if os.geteuid() == 0 else -1
    return [_write_private(out_dir / name, text, group) for name, text in files.items()]


def _write_private(path: Path, text: str, group: int) -> Path:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    replaced = False
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            os.fchmod(f.fileno(), FILE_MODE)  # before any byte of a secret is written
            if group != -1:
                os.fchown(f.fileno(), -1, group)
            f.write(text)
        os.replace(tmp, path)
        replaced = True
    finally:
        if not replaced:
            Path(tmp).unlink(missing_ok=True)
    return path
