"""The running daemon reconciles Asterisk's CDR ledger every `asterisk.cdr_reconcile_seconds`, not
only at start: a call the fallback took (after a watchdog restart, say) that ends while the daemon
runs again gets its row without another restart."""

from __future__ import annotations

import time

from daemon_settings import daemon_settings
from in_process import daemon_in_process
from polling import until
from test_ledger_reconcile import line

from hotline.store.queries import fetch_calls


async def test_a_fallback_call_ending_while_the_daemon_runs_gets_its_row(db_url, engine, tmp_path):
    ledger = tmp_path / "hotline-cdr"
    ledger.write_text("", encoding="utf-8")
    settings = daemon_settings(
        db_url, tmp_path, asterisk={"cdr_file": str(ledger), "cdr_reconcile_seconds": 0.2}
    )
    async with daemon_in_process(settings):
        now = time.time()
        with ledger.open("a", encoding="utf-8") as f:  # what Asterisk appends when the call ends
            f.write(
                line(
                    "fb1",
                    "hotline-fallback",
                    "Dial",
                    "ANSWERED",
                    now - 30,
                    now - 25,
                    now - 5,
                    dst="PJSIP/1001-0000000a",
                )
            )

        async def recorded() -> bool:
            return any(c.uniqueid == "fb1" for c in await fetch_calls(engine))

        await until(recorded, 10, "the fallback call's row")
        (row,) = [c for c in await fetch_calls(engine) if c.uniqueid == "fb1"]
        assert row.outcome == "fallback" and row.agent_id == "001"
