"""What the e2e tests share besides fixtures: the lab's hotline config and polling the store.
(Kept out of conftest.py: a test module importing `conftest` by name may get another folder's.)"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import yaml
from polling import until

from hotline.selfservice.local_time import LOCAL_TZ
from hotline.store.db import make_engine
from hotline.store.queries import fetch_calls

ROOT = Path(__file__).resolve().parents[2]
AGENTS = [{"id": f"00{i}", "extension": f"100{i}", "secret": f"pw100{i}-e2e"} for i in range(1, 10)]
# live supervision (test_live_supervision): the console user's phone, rung to listen to a call
SUPERVISORS = [{"user": "jianting", "extension": "1201", "secret": "pw1201-e2e", "name": "监听班长"}]
VIP = "13900002999"
WEB_PORT = 18598


RECORDINGS_DIR = "/var/spool/asterisk/monitor"  # asterisk.recordings_dir's default, in the chroot


def write_config(
    path: Path,
    db_url: str,
    cdr_file: Path | None = None,
    blocklist: Path | None = None,
    prompts_host_dir: Path | None = None,
    recordings: Path | None = None,
) -> Path:
    """The lab's hotline.yaml; `cdr_file`, `blocklist`, `prompts_host_dir` and `recordings` are
    host paths of what the chroot's Asterisk writes or reads (its CDR ledger, its blocklist, its
    prompts, RECORDINGS_DIR)."""
    asterisk = {
        **({"cdr_file": str(cdr_file)} if cdr_file else {}),
        **({"recordings_host_dir": str(recordings)} if recordings else {}),
        **({"prompts_host_dir": str(prompts_host_dir)} if prompts_host_dir else {}),
    }
    path.write_text(
        yaml.safe_dump(
            {
                "company": "平安县",
                "lab": True,  # the agents' secrets (pw1001-e2e...) are weak on purpose
                # SIP password guessing (test_sip_guessing): 5 failures in 60 s block an address
                # for 20 s; the blocklist is the file the lab's Asterisk reads in its chroot
                "security": {
                    "max_failures": 5,
                    "window_seconds": 60,
                    "block_seconds": 20,
                    **({"blocklist_file": str(blocklist)} if blocklist else {}),
                },
                "agents": AGENTS,
                "supervisors": SUPERVISORS,
                "database": {"url": db_url, "spill_file": str(path.with_suffix(".spill.jsonl"))},
                "ami": {"username": "hotline", "secret": "e2e-ami-secret"},
                "shutdown_grace_seconds": 5,
                # held lines are checked against Asterisk's channels every 2 s (test_hostile_input)
                "trunks": {"audit_seconds": 2, "audit_grace_seconds": 4},
                # the lab's sipp phones send no RTP while they wait: no dead-media cut-off in e2e
                "sip": {"rtp_timeout_seconds": 0},
                "menu_file": str(ROOT / "config" / "menu.yaml"),
                "pid_file": str(path.with_suffix(".pid")),
                "acd": {
                    "state_file": str(path.with_suffix(".agents.json")),
                    "wrap_up_seconds": 3,
                    "position_announce_seconds": 6,
                    "vip_numbers": [VIP],
                },
                "peak": {"flag_file": str(path.with_suffix(".peak"))},
                # the console (test_web_console): 3 failed logins lock a name or address for 10 s
                "web": {
                    "host": "127.0.0.1",
                    "port": WEB_PORT,
                    "secret_file": str(path.with_suffix(".web_secret")),
                    "login_attempts": 3,
                    "login_window_seconds": 10,
                },
                # Asterisk's CDR ledger (inside the chroot): calls the fallback took get their row;
                # its prompts and recordings as the daemon sees them (uploaded prompts are what it
                # plays; the console plays the recordings)
                **({"asterisk": asterisk} if asterisk else {}),
                # the dialer may call at any hour of the test run; tries come 3 s apart
                "outbound": {
                    "window": "00:00-24:00",
                    "extra_workdays": weekend_days_ahead(),
                    "ring_seconds": 8,
                    "followup_delay_minutes": 0,
                    "poll_seconds": 0.5,
                    "max_attempts": {"followup": 2, "outage_notice": 2, "callback": 2},
                    "retry_minutes": {"followup": 0.05, "outage_notice": 0.05, "callback": 0.05},
                    "callback_after_abandon_seconds": 0,
                },
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    return path


def weekend_days_ahead(days: int = 4) -> list[str]:
    """Saturdays/Sundays of the next few local days, worked (调休) so follow-ups may be called."""
    today = datetime.now(LOCAL_TZ).date()
    ahead = (today + timedelta(days=i) for i in range(days))
    return [d.isoformat() for d in ahead if d.weekday() >= 5]


async def rows_for(db_url: str, caller: str, count: int = 1, timeout: float = 15):
    """Poll the store until `count` calls from `caller` have a final outcome."""
    engine = make_engine(db_url)
    rows: list = []

    async def finished() -> bool:
        rows[:] = [r for r in await fetch_calls(engine) if r.caller_number == caller]
        return len(rows) >= count and all(r.outcome for r in rows)

    try:
        await until(finished, timeout, f"{count} finished call(s) from {caller!r}")
        return rows
    finally:
        await engine.dispose()
