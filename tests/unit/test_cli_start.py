"""`hotline` starts without loading what only its commands need (issue "Performance", CLI start).

Importing the CLI and printing any command's help load no database, config model, logging,
template, YAML, asyncio or daemon module: each command imports those when it runs. A day report
loads what a report uses and not the other commands' modules. Each check runs this checkout's
code in a fresh interpreter and looks at the modules it has loaded at its end; the times are
measured by bench/cli_start.py, not here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cli_shape import describe_hotline

ROOT = Path(__file__).resolve().parents[2]
# what the commands use when they run, never needed to list them or print their help
RUN_ONLY = (
    "sqlalchemy",
    "alembic",
    "aiosqlite",
    "asyncpg",
    "structlog",
    "jinja2",
    "yaml",
    "asyncio",
    "hotline.settings",
    "hotline.store",
    "hotline.daemon",
    "hotline.web",
    "hotline.reports",
    "hotline.dialer",
    "hotline.orders",
    "hotline.selfservice",
    "hotline.asterisk",
    "ivr.menu_load",
    "prompts.catalog",
)
# typer 0.29 itself checks a group's --help flag with pydantic once a sub-command is named
# (`hotline db --help`, `hotline report --day ...`): only the CLI's import and the top-level help
# are free of it
PYDANTIC = ("pydantic",)
HEAD = "import json, sys\nfrom pathlib import Path\nDUMP_TO, ARGS = Path(sys.argv[1]), sys.argv[2:]\n"
DUMP = "\nDUMP_TO.write_text(json.dumps(sorted(sys.modules)))\n"
RUN_MAIN = """from hotline.cli import main
sys.argv = ["hotline", *ARGS]
try:
    main()
except SystemExit as exit:
    assert exit.code in (0, None), exit.code
"""


def loaded(tmp_path: Path, script: str, *args: str) -> list[str]:
    """Run `script` with `args` (ARGS in it) in a fresh interpreter on this checkout: the names
    of the modules loaded at its end."""
    dump = tmp_path / "modules.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", HEAD + script + DUMP, str(dump), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(dump.read_text())


def among(modules: list[str], packages: tuple[str, ...]) -> list[str]:
    """The packages of `packages` that `modules` holds (or any module of)."""
    return [p for p in packages if any(m == p or m.startswith(p + ".") for m in modules)]


def test_importing_the_cli_loads_nothing_a_command_needs_to_run(tmp_path):
    modules = loaded(tmp_path, "import hotline.cli\n")
    assert "hotline.cli.report_cmd" in modules  # every command module is registered...
    assert among(modules, RUN_ONLY + PYDANTIC) == []  # ...without what it runs with


def test_the_top_level_help_loads_nothing_a_command_needs_to_run(tmp_path):
    assert among(loaded(tmp_path, RUN_MAIN, "--help"), RUN_ONLY + PYDANTIC) == []


def test_no_command_or_group_help_loads_what_the_command_runs_with(tmp_path):
    paths = [c["path"].split()[1:] for c in describe_hotline()]
    assert len(paths) > 50
    script = """import typer.main
from hotline.cli import app
command = typer.main.get_command(app)
for path in json.loads(ARGS[0]):
    try:
        command.main([*path, "--help"], prog_name="hotline")
    except SystemExit as exit:
        assert exit.code == 0, (path, exit.code)
"""
    assert among(loaded(tmp_path, script, json.dumps(paths)), RUN_ONLY) == []


def test_a_day_report_runs_without_the_other_commands_modules(tmp_path):
    config = tmp_path / "hotline.yaml"
    url = f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}"
    config.write_text(f"company: 平安县\ndatabase:\n  url: {url}\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    upgrade = [sys.executable, "-m", "hotline.cli", "db", "upgrade", "-c", str(config)]
    subprocess.run(upgrade, cwd=tmp_path, env=env, check=True, capture_output=True, timeout=120)
    modules = loaded(tmp_path, RUN_MAIN, "report", "--day", "2026-11-23", "-c", str(config))
    assert among(modules, ("hotline.reports.report", "hotline.reports.text", "sqlalchemy")) == [
        "hotline.reports.report",
        "hotline.reports.text",
        "sqlalchemy",
    ]
    others = (
        "alembic",  # schema upgrades: `hotline db upgrade` and the daemon's start, not a report
        "jinja2",
        "hotline.daemon",
        "hotline.web",
        "hotline.asterisk",
        "hotline.kb",
        "hotline.harassment",
        "hotline.reports.html",
        "hotline.reports.export",
        "ivr.menu_load",
        "prompts.catalog",
        "rich.markdown",
    )
    assert among(modules, others) == []


def test_the_defaults_written_again_in_the_cli_are_their_sources(tmp_path):
    """Three option defaults are written in the CLI so that its help does not import their
    modules; they must stay what those modules say."""
    from hotline.asterisk import config_render
    from hotline.cli import asterisk_cmd, menu_cmd, report_cmd
    from hotline.reports import period
    from prompts import catalog

    assert asterisk_cmd.DEFAULT_MODULES_DIR == config_render.DEFAULT_MODULES_DIR
    assert report_cmd.DEFAULT_TZ == period.DEFAULT_TZ
    assert menu_cmd.CATALOG_FILE == catalog.CATALOG_FILE
