"""`hotline prompts render`."""

from __future__ import annotations

from pathlib import Path

import typer

from hotline.cli.common import ConfigOption, out, settings_or_exit

app = typer.Typer(no_args_is_help=True, help="voice prompts")


@app.command("render")
def render_cmd(
    out_dir: Path = typer.Option(Path("var/prompts"), "--out", help="prompt WAV files"),
    moh_dir: Path = typer.Option(Path("var/moh"), "--moh", help="music-on-hold files"),
    config: Path = ConfigOption,
) -> None:
    """Synthesise every catalog prompt (recorded overrides win) to 8 kHz mono WAV.

    A prompt overridden by a studio recording in the console (OUT/studio/ID.*) is left as it is."""
    from prompts.catalog import site_catalog
    from prompts.render import render_all, render_moh

    s = settings_or_exit(config)
    result = render_all(site_catalog(company=s.company, agent_ids=[a.id for a in s.agents]), out_dir)
    render_moh(moh_dir)
    counts = {
        k: sum(1 for v in result.values() if v == k) for k in ("generated", "recorded", "cached", "studio")
    }
    out.print(f"{len(result)} prompts in {out_dir}: {counts}; music on hold in {moh_dir}", markup=False)
