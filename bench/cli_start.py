"""How long the CLI takes to start, against the interpreter's own start, measured in one run.

Target (issue "Performance"): `hotline --help` in at most 0.25 s, and at most 12x `python -c pass`.
Also timed: a command's help, and a real `hotline report --day` over an empty SQLite call store
(made in a temporary folder by `hotline db upgrade` before the timing; its config names only the
company and the store): the time a report takes before it has anything to count.
The floor, also timed: the help of a two-command typer app (typer and the rich help formatting it
imports, which `hotline --help` cannot do without). A command's help also loads pydantic: typer
0.29 checks a group's --help flag with it once a sub-command is named. Almost all of it is
imports; the breakdown: python -X importtime -c "import hotline.cli".
Run: .venv/bin/python bench/cli_start.py [runs]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOTLINE = Path(sys.executable).with_name("hotline")
CASES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import hotline.cli": [sys.executable, "-c", "import hotline.cli"],
    "hotline --help": [str(HOTLINE), "--help"],
    "hotline report --help": [str(HOTLINE), "report", "--help"],
}


TYPER_ALONE = """import typer
app = typer.Typer(no_args_is_help=True, add_completion=False, help="typer alone")
@app.command("one")
def one(config: str = typer.Option(None, "--config", "-c", help="a file")) -> None:
    \"\"\"One command.\"\"\"
@app.command("two")
def two() -> None:
    \"\"\"Another.\"\"\"
app()
"""


def wall_s(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def report_case(folder: Path) -> list[str]:
    """`hotline report --day` on an empty call store in `folder`, migrated here (not timed)."""
    config = folder / "hotline.yaml"
    url = f"sqlite+aiosqlite:///{folder / 'hotline.db'}"
    config.write_text(f"company: 平安县\ndatabase:\n  url: {url}\n", encoding="utf-8")
    subprocess.run([str(HOTLINE), "db", "upgrade", "-c", str(config)], check=True, stdout=subprocess.DEVNULL)
    return [str(HOTLINE), "report", "--day", "2026-11-23", "-c", str(config)]


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="hotline-bench-cli-") as tmp:
        (Path(tmp) / "typer_alone.py").write_text(TYPER_ALONE, encoding="utf-8")
        floor = [sys.executable, str(Path(tmp) / "typer_alone.py"), "--help"]
        cases = {**CASES, "typer alone --help (floor)": floor}
        cases["hotline report --day (empty)"] = report_case(Path(tmp))
        for argv in cases.values():
            wall_s(argv)  # warm the page cache and the .pyc files
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(runs):  # round after round: a busy moment slows every case alike
            for name, argv in cases.items():
                times[name].append(wall_s(argv))
    medians = {name: statistics.median(seconds) for name, seconds in times.items()}
    base = medians["python -c pass"]
    print(f"CLI start, median of {runs} rounds of every case (wall time)")
    for name, seconds in medians.items():
        print(f"  {name:29s} {seconds:6.3f} s  {seconds / base:6.1f}x python -c pass")
    help_s = medians["hotline --help"]
    own_ms = (help_s - medians["typer alone --help (floor)"]) * 1000
    print(f"  hotline --help above the floor: {own_ms:.0f} ms (its commands and their modules)")
    verdict = "met" if help_s <= 0.25 and help_s / base <= 12 else "NOT met"
    print(f"  target: hotline --help <= 0.25 s and <= 12x python -c pass: {verdict}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 9)
