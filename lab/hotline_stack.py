"""The lab Asterisk configured for the hotline: render its config, prompts and music, start it.

Used by `make run` (`python -m lab up --hotline`) and by the e2e tests.
"""

from __future__ import annotations

from pathlib import Path

from hotline.asterisk.config_render import RenderOptions, render, write
from hotline.settings import Settings
from lab.asterisk import LabAsterisk
from lab.session import LabSession
from prompts.catalog import site_catalog
from prompts.render import render_all, render_moh


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
    )
    write(render(settings, opts), conf)
    prompts_dir = work_dir / "prompts"
    render_all(site_catalog(company=settings.company, agent_ids=[a.id for a in settings.agents]), prompts_dir)
    moh_dir = work_dir / "moh"
    render_moh(moh_dir)
    files = {settings.asterisk.prompts_dir: prompts_dir, settings.asterisk.moh_dir: moh_dir}
    return conf, files


async def hotline_up(
    settings: Settings, work_dir: Path, *, public: bool = False, session: LabSession | None = None
) -> LabAsterisk:
    """Start (or reuse, when nothing changed) the lab Asterisk running the hotline's config."""
    session = session or LabSession()
    conf, files = prepare(settings, work_dir, session.asterisk.modules_dir(), public=public)
    return await session.use(conf, files)
