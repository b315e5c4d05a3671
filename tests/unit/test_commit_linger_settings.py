"""`database.commit_linger_ms` and `database.commit_busy_window_ms`: the recorder's group commit
windows (always, and under load only), bounded and whole numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.settings import ConfigError, Database, load_settings

WINDOWS = ("commit_linger_ms", "commit_busy_window_ms")


def config_with(tmp_path: Path, linger: str, key: str = "commit_linger_ms") -> Path:
    path = tmp_path / "hotline.yaml"
    text = f"company: X\ndatabase:\n  url: sqlite+aiosqlite:///var/x.db\n  {key}: {linger}\n"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_commits_at_once_and_waits_20_ms_under_load_only():
    assert (Database().commit_linger_ms, Database().commit_busy_window_ms) == (0, 250)


@pytest.mark.parametrize("key", WINDOWS)
@pytest.mark.parametrize("ms", [0, 1, 250, 1000])
def test_bounds_are_accepted(tmp_path, ms, key):
    assert getattr(load_settings(config_with(tmp_path, str(ms), key)).database, key) == ms


@pytest.mark.parametrize(
    ("linger", "message"),
    [
        ("-1", "Input should be greater than or equal to 0"),
        ("1001", "Input should be less than or equal to 1000"),
        ("0.25", "Input should be a valid integer"),  # seconds where milliseconds are meant
        ("250.0", "Input should be a valid integer"),
        ("true", "Input should be a valid integer"),
        ("'250'", "Input should be a valid integer"),
        (".nan", "Input should be a valid integer"),
        ("", "Input should be a valid integer"),  # null
    ],
)
@pytest.mark.parametrize("key", WINDOWS)
def test_out_of_bounds_or_not_a_whole_number_names_the_line(tmp_path, linger, message, key):
    path = config_with(tmp_path, linger, key)
    with pytest.raises(ConfigError) as exc:
        load_settings(path)
    assert exc.value.errors == [f"{path}:4: database.{key}: {message}"]
