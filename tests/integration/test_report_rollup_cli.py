"""`hotline report-rollup` on the hand-made report day (report_day.py), SQLite and PostgreSQL:
what it computes, --rebuild with and without a range, refused option mixes."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from hotline.cli.report_cmd import rollup

app = typer.Typer()
app.command()(rollup)


@pytest.fixture
def store(config, loaded_engine):
    return config


def run(config, *args: str):
    return CliRunner().invoke(app, [*args, "--config", str(config)])


def test_refresh_then_nothing_left_then_rebuild_a_range(store):
    first = run(store)
    assert first.exit_code == 0, first.stderr
    # the triggers marked the two UTC days of the hand-made day's calls and offers when loaded
    assert "report rollup: 2 day(s) computed" in first.stderr
    assert "report rollup: 0 day(s) computed" in run(store).stderr
    # a Shanghai day covers two UTC days
    ranged = run(store, "--rebuild", "--from", "2026-11-23", "--to", "2026-11-23")
    assert "report rollup: 2 day(s) computed" in ranged.stderr
    assert "report rollup: 2 day(s) computed" in run(store, "--rebuild").stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2026-11-23", "--to", "2026-11-23"), "--from and --to go with --rebuild"),
        (("--rebuild", "--from", "2026-11-23"), "give both --from and --to"),
        (("--rebuild", "--from", "2026-11-24", "--to", "2026-11-23"), "is after --to"),
        (("--rebuild", "--from", "2026-02-30", "--to", "2026-03-01"), "--from '2026-02-30'"),
        (
            ("--rebuild", "--from", "2026-11-23", "--to", "2026-11-23", "--tz", "Mars/Base"),
            "unknown time zone",
        ),
    ],
)
def test_bad_options_exit_2(store, args, message):
    result = run(store, *args)
    assert result.exit_code == 2
    assert message in result.stderr
