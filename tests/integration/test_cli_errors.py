"""No tracebacks from the CLI: bad input is a one-line `error: ...` and exit 2; an I/O failure
(output not writable, disk full, store unusable) is a one-line error and exit 1; nothing is
half-written. SQLite only: the errors come before or around the store, not from its dialect."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotline.cli import app

BAD_INPUT, IO_FAILURE = 2, 1


@pytest.fixture
def config(tmp_path) -> Path:
    path = tmp_path / "hotline.yaml"
    path.write_text(
        f"company: X\ndatabase:\n  url: sqlite+aiosqlite:///{tmp_path / 'h.db'}\n", encoding="utf-8"
    )
    assert cli(path, "db", "upgrade").exit_code == 0
    return path


def cli(config: Path, *args: str):
    result = CliRunner().invoke(app, [*args, "--config", str(config)], env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def one_line_error(result, code: int, *fragments: str) -> None:
    assert result.exit_code == code, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


# ---- hotline report -------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["missing/dir/report.txt", "a-file/report.txt", "."])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_report_into_a_path_that_cannot_be_written(config, tmp_path, where, fmt):
    (tmp_path / "a-file").write_text("not a folder")
    target = tmp_path / where
    r = cli(config, "report", "--day", "2026-11-23", "-f", fmt, "-o", str(target))
    one_line_error(r, IO_FAILURE, "cannot write")
    assert not (tmp_path / "missing").exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("fmt", ["text", "csv"])
def test_report_onto_a_full_disk(config, fmt):
    r = cli(config, "report", "--day", "2026-11-23", "-f", fmt, "-o", "/dev/full")
    one_line_error(r, IO_FAILURE, "cannot write", "/dev/full")


def test_report_replaces_the_output_whole_and_leaves_no_temp_file(config, tmp_path):
    target = tmp_path / "out" / "day.json"
    target.parent.mkdir()
    target.write_text("old report")
    r = cli(config, "report", "--day", "2026-11-23", "-f", "json", "-o", str(target))
    assert r.exit_code == 0, r.output
    assert json.loads(target.read_text(encoding="utf-8"))
    assert [p.name for p in target.parent.iterdir()] == ["day.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path):
    from hotline.cli.common import write_atomically

    target = tmp_path / "day.txt"
    target.write_text("old report")

    def half(f) -> None:
        f.write("half of a report")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left on device"):
        write_atomically(target, half)
    assert target.read_text() == "old report"
    assert [p.name for p in tmp_path.iterdir()] == ["day.txt"]


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--day", "9999-12-31"], "--day '9999-12-31'"),
        (["--day", "0001-01-01"], "--day '0001-01-01'"),
        (["--month", "9999-12"], "--month '9999-12'"),
        (["--year", "9999"], "--year '9999'"),
        (["--year", "1"], "--year '1'"),
        (["--day", ""], "give exactly one"),
        (["--day", "2026-02-30"], "--day '2026-02-30'"),
        (["--day", "2026-11-23", "--tz", ""], "time zone"),
        (["--day", "2026-11-23", "--tz", "Mars/Olympus"], "time zone"),
        (["--day", "2026-11-23", "--wrap-up", "nan"], "--wrap-up"),
        (["--day", "2026-11-23", "--wrap-up", "inf"], "--wrap-up"),
        (["--day", "2026-11-23", "--goal", "nan"], "--goal"),
    ],
)
def test_report_bad_periods_and_numbers(config, args, fragment):
    one_line_error(cli(config, "report", *args), BAD_INPUT, fragment)


# ---- hotline outage / accounts ---------------------------------------------------------------

OUTAGE = [
    "outage",
    "add",
    "--area",
    "320100",
    "--area-name",
    "城关",
    "--towns",
    "城关镇",
    "--start",
    "2099-11-30 08:00",
    "--end",
    "2099-11-30 18:00",
    "--reason",
    "线路检修",
]


def outage(**values: str) -> list[str]:
    args = list(OUTAGE)
    for option, value in values.items():
        args[args.index(option) + 1] = value
    return args


@pytest.mark.parametrize(
    "option,value",
    [
        ("--start", "0001-01-01 00:00"),
        ("--start", "9999-12-31 23:00"),
        ("--end", "9999-12-31T20:00-14:00"),
        ("--start", ""),
        ("--area-name", ""),
        ("--reason", " "),
        ("--towns", ","),
        ("--area", ""),
    ],
)
def test_outage_add_bad_values(config, option, value):
    r = cli(config, *outage(**{option: value}))
    one_line_error(r, BAD_INPUT)
    assert "no outage notices" in cli(config, "outage", "list", "--all").stdout


def test_outage_list_of_a_bad_area_is_refused(config):
    one_line_error(cli(config, "outage", "list", "--area", "abc"), BAD_INPUT, "'abc'")


def run_hotline(config: Path, *args: bytes) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200", "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": ""}
    return subprocess.run(
        [sys.executable, "-m", "hotline.cli", *args, b"--config", bytes(config)],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("option", [b"--area-name", b"--towns", b"--reason"])
def test_a_non_utf8_argument_is_refused(config, option):
    args = [a.encode() for a in OUTAGE]
    args[args.index(option) + 1] = b"\xff\xfe"
    p = run_hotline(config, *args)
    assert p.returncode == BAD_INPUT, p.stderr.decode(errors="replace")
    lines = p.stderr.decode(errors="replace").splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "UTF-8" in lines[0], lines
    assert b"Traceback" not in p.stderr


def test_accounts_import_of_unreadable_files(config, tmp_path):
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    one_line_error(cli(config, "accounts", "import", str(folder)), BAD_INPUT, "folder.csv")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    r = cli(config, "accounts", "import", str(binary))
    assert r.exit_code == BAD_INPUT and "Traceback" not in r.output
    assert "binary.csv" in r.stderr and "nothing was imported" in r.stderr


# ---- hotline outbound ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        [
            "outbound",
            "done",
            "--order",
            "GD-1",
            "--kind",
            "repair",
            "--number",
            "13800001111",
            "--at",
            "0001-01-01 00:00",
        ],
        [
            "outbound",
            "done",
            "--order",
            "GD-1",
            "--kind",
            "repair",
            "--number",
            "13800001111",
            "--at",
            "9999-12-31T20:00-14:00",
        ],
        ["outbound", "done", "--order", "", "--kind", "repair", "--number", "13800001111"],
        ["outbound", "done", "--order", "GD-1", "--kind", "repair", "--number", ""],
        ["outbound", "dnc", "add", ""],
        ["outbound", "notify", "999"],
        ["outbound", "cancel", ""],
    ],
)
def test_outbound_bad_input(config, args):
    one_line_error(cli(config, *args), BAD_INPUT)


# ---- the store itself ------------------------------------------------------------------------


def test_a_store_that_cannot_be_opened(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(f"company: X\ndatabase:\n  url: sqlite+aiosqlite:///{tmp_path}/a-file/h.db\n")
    csv = tmp_path / "accounts.csv"
    csv.write_text(
        "account_number,area_code,masked_name,phone,balance,last_bill_amount,"
        "last_bill_month,last_usage_kwh\n0000000001,320101,张*,,1,1,2026-10,1\n"
    )
    for args in (
        ["db", "upgrade"],
        ["outage", "list"],
        ["outbound", "dnc", "list"],
        ["outbound", "status"],
        ["accounts", "import", str(csv)],
        ["outbound", "dnc", "add", "13800001111"],
    ):
        one_line_error(cli(cfg, *args), IO_FAILURE, "database")


def test_peak_flag_under_a_file(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    cfg = tmp_path / "peak.yaml"
    cfg.write_text(f"company: X\npeak:\n  flag_file: {tmp_path}/a-file/peak.flag\n")
    one_line_error(cli(cfg, "peak", "on"), IO_FAILURE, "peak.flag")
