"""The `hotline` command. Each command or group of commands is in a `*_cmd` module of this
package; `common` has what they share (config loading, one-line errors, the store, output files).

run (the daemon), supervise (the daemon under a watchdog), service unit (the systemd unit),
report, report-rollup, config check|show, asterisk render, menu check|show|render|reload,
outage add|list and accounts import (selfservice_cmd), peak on|off|status, prompts render,
db upgrade, outbound done|notify|cancel|status, outbound dnc add|remove|list, orders
list|show|answer|close (work orders), agents secret, users add|passwd|list|disable|enable (the web
console's accounts), flags list|add|clear (harassment numbers) and kb import|list (the knowledge
base's standard answers).
`main` refuses arguments that are not UTF-8 before any command runs.

Registering every command here is cheap because a `*_cmd` module imports only light modules at
its top (typer, rich's console, the standard library, hotline.clock): what a command runs with
(the config models, SQLAlchemy, the daemon, Jinja, YAML...) is imported inside the function that
needs it, so `hotline --help` and each command's help never load it (tests/unit/test_cli_start.py).
"""

from __future__ import annotations

import sys

import typer

from hotline.cli import (
    agents_cmd,
    asterisk_cmd,
    common,
    config_cmd,
    db_cmd,
    flags_cmd,
    kb_cmd,
    menu_cmd,
    menu_reload_cmd,
    orders_cmd,
    outbound_cmd,
    peak_cmd,
    prompts_cmd,
    report_cmd,
    run_cmd,
    selfservice_cmd,
    service_cmd,
    supervise_cmd,
    users_cmd,
)

app = typer.Typer(no_args_is_help=True, add_completion=False, help="95598 hotline: IVR + ACD on Asterisk")
app.add_typer(config_cmd.app, name="config")
app.add_typer(asterisk_cmd.app, name="asterisk")
menu_cmd.app.command("reload")(menu_reload_cmd.reload)
app.add_typer(menu_cmd.app, name="menu")
app.add_typer(selfservice_cmd.outage_app, name="outage")
app.add_typer(peak_cmd.app, name="peak")
app.add_typer(selfservice_cmd.accounts_app, name="accounts")
app.add_typer(agents_cmd.app, name="agents")
app.add_typer(prompts_cmd.app, name="prompts")
app.add_typer(db_cmd.app, name="db")
app.add_typer(outbound_cmd.app, name="outbound")
app.add_typer(orders_cmd.app, name="orders")
app.command("run")(run_cmd.run)
app.command("supervise")(supervise_cmd.supervise)
app.add_typer(service_cmd.app, name="service")
app.command("report")(report_cmd.report)
app.command("report-rollup")(report_cmd.rollup)
app.add_typer(users_cmd.app, name="users")
app.add_typer(flags_cmd.app, name="flags")
app.add_typer(kb_cmd.app, name="kb")


def _check_arguments(argv: list[str]) -> None:
    """Arguments that are not UTF-8 (Python keeps their bytes as lone surrogates) are refused
    before any command runs: they cannot be stored, printed or matched."""
    for position, arg in enumerate(argv, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "backslashreplace").decode("utf-8")
            raise common.fail(f"argument {position} ({shown}) is not valid UTF-8 text") from None


def main() -> None:
    try:
        _check_arguments(sys.argv[1:])
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    app()
