"""The `hotline` command: run the daemon, check and show config, render Asterisk config, prompts."""
from __future__ import annotations

import typer

from . import (asterisk_cmd, config_cmd, db_cmd, menu_cmd, menu_reload_cmd, outbound_cmd, peak_cmd,
               prompts_cmd, report_cmd, run_cmd, selfservice_cmd)

app = typer.Typer(no_args_is_help=True, add_completion=False, help="95598 hotline: IVR + ACD on Asterisk")
app.add_typer(config_cmd.app, name="config")
app.add_typer(asterisk_cmd.app, name="asterisk")
menu_cmd.app.command("reload")(menu_reload_cmd.reload)
app.add_typer(menu_cmd.app, name="menu")
app.add_typer(selfservice_cmd.outage_app, name="outage")
app.add_typer(peak_cmd.app, name="peak")
app.add_typer(selfservice_cmd.accounts_app, name="accounts")
app.add_typer(prompts_cmd.app, name="prompts")
app.add_typer(db_cmd.app, name="db")
app.add_typer(outbound_cmd.app, name="outbound")
app.command("run")(run_cmd.run)
app.command("report")(report_cmd.report)


def main() -> None:
    app()
