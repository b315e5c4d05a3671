"""`retention:` and `quality:` in the site config: the checks refuse what would break the norm."""

from __future__ import annotations

import pytest

from hotline.settings import ConfigError, settings_from
from ivr.yaml_source import Located, load_yaml


def check(tmp_path, text: str):
    path = tmp_path / "hotline.yaml"
    path.write_text("company: X\n" + text, encoding="utf-8")
    doc: Located = load_yaml(path)
    return settings_from(doc)


def test_defaults(tmp_path):
    s = check(tmp_path, "")
    assert (s.retention.recordings_months, s.retention.run_at_minutes) == (3, 210)
    assert s.quality.calls_per_agent == 3 and len(s.quality.checklist) == 5
    assert s.asterisk.recordings_on_host == "/var/spool/asterisk/monitor"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("retention: {recordings_months: 2}\n",
         "retention.recordings_months: Input should be greater than or equal to 3"),
        ("retention: {recordings_months: 0}\n", "greater than or equal to 3"),
        ("retention: {run_at: '24:00'}\n", "HH:MM"),
        ("quality: {calls_per_agent: 0}\n", "greater than or equal to 1"),
        ("quality: {checklist: []}\n", "at least one item"),
        ("quality: {checklist: [{id: a, label: 甲, max_points: 5}, {id: a, label: 乙, max_points: 5}]}\n",
         "item id a is used twice"),
        ("quality: {checklist: [{id: A-1, label: 甲, max_points: 5}]}\n", "lowercase"),
        ("quality: {checklist: [{id: a, label: 甲, max_points: 0}]}\n", "greater than or equal to 1"),
        ("asterisk: {recordings_host_dir: relative/dir}\n", "absolute path"),
        ("asterisk: {recordings_host_dir: '/a b'}\n", "spaces"),
    ],
)  # fmt: skip
def test_refused(tmp_path, text, message):
    with pytest.raises(ConfigError) as caught:
        check(tmp_path, text)
    assert message in str(caught.value) and "hotline.yaml:" in str(caught.value)


def test_a_host_dir_for_a_chroot(tmp_path):
    host = "/srv/chroot/var/spool/asterisk/monitor"
    s = check(tmp_path, f"retention: {{recordings_months: 6}}\nasterisk: {{recordings_host_dir: {host}}}\n")
    assert s.retention.recordings_months == 6
    assert s.asterisk.recordings_on_host == "/srv/chroot/var/spool/asterisk/monitor"
