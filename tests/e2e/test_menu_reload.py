"""Hot reload of the voice menu with 20 calls in progress (a daemon with 24 lines for this test)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

import pytest
import yaml
from daemon_proc import DaemonProc
from e2e_setup import ROOT, rows_for, write_config

from lab.caller_steps import Dtmf, Wait
from lab.sipp import start_call

pytestmark = pytest.mark.e2e


def reload_cli(cfg) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hotline.cli", "menu", "reload", "-c", str(cfg)],
        capture_output=True,
        text=True,
    )


async def test_reload_during_20_calls_drops_none_and_an_invalid_reload_changes_nothing(
    hotline_lab, daemon, e2e_dir
):
    menu_file = e2e_dir / "menu-reload.yaml"
    original = (ROOT / "config" / "menu.yaml").read_text(encoding="utf-8")
    menu_file.write_text(original, encoding="utf-8")
    db = f"sqlite+aiosqlite:///{e2e_dir / 'reload.db'}"
    cfg = write_config(e2e_dir / "hotline-reload.yaml", db)
    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    data.update(menu_file=str(menu_file), trunks={"inbound": 24})
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    daemon.stop()
    d = DaemonProc(cfg, e2e_dir / "daemon-reload.log")
    try:
        d.start()
        steps = [Wait(7.5), Dtmf("4"), Wait(8.0), Dtmf("*"), Wait(1.0)]
        handles = [await start_call(caller=f"139000009{i:02d}", steps=steps, timeout=60) for i in range(20)]
        d.wait_log(lambda e: e.get("event") == "call.started" and e.get("caller") == "13900000919", 20)
        # a valid new menu: swapped in for new calls only
        menu_file.write_text(original.replace('version: "2025.1"', 'version: "2025.2"'), encoding="utf-8")
        ok = reload_cli(cfg)
        assert ok.returncode == 0, ok.stderr
        d.wait_log(lambda e: e.get("event") == "menu.reloaded" and e.get("new", "").startswith("2025.2+"), 10)
        # an invalid one (0 bound to a menu entry): rejected by the CLI, and by the daemon on SIGHUP
        menu_file.write_text(
            original.replace('version: "2025.1"', 'version: "2025.3"').replace(
                "      6: feedback", "      6: feedback\n      0: outage"
            ),
            encoding="utf-8",
        )
        bad = reload_cli(cfg)
        assert bad.returncode == 2 and "menu-reload.yaml:" in bad.stderr, bad.stderr
        os.kill(d.proc.pid, signal.SIGHUP)
        rejected = d.wait_log(lambda e: e.get("event") == "menu.reload_rejected", 10)
        assert rejected["running"].startswith("2025.2+")
        results = await asyncio.gather(*(h.wait() for h in handles))
        assert all(r.ok for r in results), [r for r in results if not r.ok]
        for i in range(20):
            (row,) = await rows_for(db, f"139000009{i:02d}")
            assert row.outcome == "ivr_only" and row.menu_version.startswith("2025.1+")
            assert [(s["node"], s["key"]) for s in row.ivr_path][:3] == [
                ("top", ""),
                ("guide", "4"),
                ("top", "*"),
            ]
        after = await start_call(caller="13900000999", steps=[Wait(1.0)])
        assert (await after.wait()).ok
        (row,) = await rows_for(db, "13900000999")
        assert row.menu_version.startswith("2025.2+")  # the invalid file changed nothing
    finally:
        d.stop()
        daemon.start()
