"""`hotline config check|show`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from hotline.cli.common import config_path, err, out
from hotline.cli.secret_check import load_or_exit, refuse_weak

app = typer.Typer(no_args_is_help=True, help="check or show the site config")


@app.command("check")
def check(file: Path = typer.Argument(None, help="config file (default: config/hotline.yaml)")) -> None:
    """Report every error at once as file:line, then every weak secret (refused unless the
    config says `lab: true`); exit 2 if there is any."""
    path = config_path(file)
    s, weak = load_or_exit(path)
    refuse_weak(s, weak, path)
    lab = f"; lab config: {len(weak)} weak secret problem(s) allowed" if weak else ""
    out.print(
        f"{path}: ok ({len(s.agents)} agents, {s.trunks.inbound} inbound + "
        f"{s.trunks.outbound} outbound lines, answer target {s.answer_target.seconds:g} s{lab})",
        markup=False,
    )


@app.command("show")
def show(file: Path = typer.Argument(None)) -> None:
    """Print the effective config (defaults filled in) with every secret masked."""
    from hotline.settings import ConfigError, load_settings

    path = config_path(file)
    try:
        s = load_settings(path)
    except ConfigError as exc:
        for line in exc.errors:
            err.print(line, markup=False, highlight=False)
        raise typer.Exit(2) from None
    data = s.model_dump(mode="json")  # SecretStr dumps as '**********'
    if "://" in data["database"]["url"] and "@" in data["database"]["url"]:
        scheme, rest = data["database"]["url"].split("://", 1)
        creds, host = rest.split("@", 1)
        data["database"]["url"] = f"{scheme}://{creds.split(':', 1)[0]}:**********@{host}"
    out.print_json(json.dumps(data, ensure_ascii=False))
