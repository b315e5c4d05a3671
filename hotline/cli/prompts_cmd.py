"""`hotline prompts render`."""

from __future__ import annotations

from pathlib import Path

import typer

from hotline.cli.common import IO_FAILURE, ConfigOption, fail, out, settings_or_exit

app = typer.Typer(no_args_is_help=True, help="voice prompts")


@app.command("render")
def render_cmd(
    out_dir: Path = typer.Option(Path("var/prompts"), "--out", help="prompt WAV files"),
    moh_dir: Path = typer.Option(Path("var/moh"), "--moh", help="music-on-hold files"),
    config: Path = ConfigOption,
) -> None:
    """Synthesise every catalog prompt (recorded overrides win) to 8 kHz mono WAV, with .alaw and
    .ulaw copies of every prompt and of the music on hold (prompts.native_formats; false: removed).

    A prompt overridden by a studio recording in the console (OUT/studio/ID.*) is left as it is."""
    from prompts.catalog import site_catalog
    from prompts.render import OUTCOMES, RenderError, render_all, render_moh

    s = settings_or_exit(config)
    native = s.prompts.native_formats
    catalog = site_catalog(company=s.company, agent_ids=[a.id for a in s.agents])
    try:
        result = render_all(catalog, out_dir, native=native)
        render_moh(moh_dir, native=native)
    except RenderError as exc:
        raise fail(f"prompts render: {exc}", IO_FAILURE) from exc
    counts = {k: sum(1 for v in result.values() if v == k) for k in OUTCOMES}
    formats = "WAV + G.711 .alaw/.ulaw" if native else "WAV only"
    out.print(
        f"{len(result)} prompts in {out_dir} ({formats}): {counts}; music on hold in {moh_dir}", markup=False
    )
