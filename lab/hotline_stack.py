"""The lab Asterisk configured for the hotline: render its config, prompts and music, start it.

Used by `make run` (`python -m lab up --hotline`) and by the e2e tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hotline.asterisk.config_render import RenderOptions, render, write
from hotline.settings import Settings
from lab.asterisk import LabAsterisk
from lab.session import LabSession
from prompts.catalog import site_catalog
from prompts.render import render_all, render_moh

# the auth guard's blocklist inside the chroot; the daemon's security.blocklist_file must be
# its host path (LabAsterisk.host_path(LAB_BLOCKLIST)) for blocks to reach the lab's Asterisk
LAB_BLOCKLIST = "/etc/asterisk/hotline-blocklist.conf"


def prepare(
    settings: Settings, work_dir: Path, modules_dir: str, *, public: bool
) -> tuple[Path, dict[str, Path]]:
    """Render Asterisk config + prompts + music into `work_dir`; returns (config dir, files)."""
    conf = work_dir / "asterisk"
    for old in conf.glob("*.conf"):
        old.unlink()
    opts = RenderOptions(
        modules_dir=modules_dir,
        sip_bind="0.0.0.0:5060" if public else "127.0.0.1:5060",
        media_address=None if public else "127.0.0.1",
        blocklist_include=LAB_BLOCKLIST,
    )
    write(render(settings, opts), conf)
    prompts_dir = work_dir / "prompts"
    catalog = site_catalog(company=settings.company, agent_ids=[a.id for a in settings.agents])
    native = settings.prompts.native_formats  # G.711 copies beside every WAV (prompts.native)
    render_all(catalog, prompts_dir, native=native)
    moh_dir = work_dir / "moh"
    render_moh(moh_dir, native=native)
    files = {settings.asterisk.prompts_dir: prompts_dir, settings.asterisk.moh_dir: moh_dir}
    return conf, files


async def hotline_up(
    settings: Settings, work_dir: Path, *, public: bool = False, session: LabSession | None = None
) -> LabAsterisk:
    """Start (or reuse, when nothing changed) the lab Asterisk running the hotline's config."""
    session = session or LabSession()
    expected = session.asterisk.host_path(LAB_BLOCKLIST)
    if Path(settings.security.blocklist_file) != expected:
        print(
            f"lab: warning: security.blocklist_file is {settings.security.blocklist_file}, but the lab "
            f"Asterisk reads {expected}: addresses the daemon blocks would not be refused",
            file=sys.stderr,
        )
    prompts = session.asterisk.host_path(settings.asterisk.prompts_dir)
    if Path(settings.asterisk.prompts_dir_on_host()) != prompts:
        print(
            f"lab: warning: asterisk.prompts_host_dir is {settings.asterisk.prompts_dir_on_host()}, but the "
            f"lab Asterisk reads {prompts}: recordings uploaded in the console would not be heard",
            file=sys.stderr,
        )
    conf, files = prepare(settings, work_dir, session.asterisk.modules_dir(), public=public)
    return await session.use(conf, files)
