"""How a call-store outage is configured and shown: settings and the two store gauges."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import ValidationError

from hotline.observability.metrics import Metrics
from hotline.settings import Database


def gauges(m: Metrics) -> dict[str, float]:
    body, _ = m.exposition()
    return {
        s.name: s.value
        for f in text_string_to_metric_families(body.decode())
        for s in f.samples
        if s.name.startswith("hotline_store_")
    }


def test_store_gauges_are_sampled_from_the_recorder_at_each_scrape():
    m = Metrics()
    assert gauges(m) == {"hotline_store_backlog": 0.0, "hotline_store_up": 1.0}
    state = {"backlog": 0, "up": True}
    m.watch_store(lambda: state["backlog"], lambda: state["up"])
    state.update(backlog=1234, up=False)
    assert gauges(m) == {"hotline_store_backlog": 1234.0, "hotline_store_up": 0.0}
    state.update(backlog=0, up=True)
    assert gauges(m) == {"hotline_store_backlog": 0.0, "hotline_store_up": 1.0}


def test_database_settings_bound_memory_and_name_the_spill_file():
    d = Database()
    assert (d.max_memory_items, d.spill_path) == (100_000, "var/hotline.db.spill.jsonl")
    assert Database(url="postgresql+asyncpg://u:p@h/db").spill_path == "var/hotline-spill.jsonl"
    assert Database(spill_file="/srv/spill.jsonl").spill_path == "/srv/spill.jsonl"
    for bad, message in (
        ({"max_memory_items": 0}, r"max_memory_items\s+Input should be greater than or equal to 1"),
        ({"spill_file": ""}, r"spill_file\s+String should have at least 1 character"),
        ({"spill_file": "var/a\nb"}, r"spill_file\s+.*without control characters \(found U\+000A\)"),
    ):
        with pytest.raises(ValidationError, match=message):
            Database(**bad)
