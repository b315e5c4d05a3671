"""bench/baselines/ivr_classic.py (the per-process IVR baseline) as Asterisk runs it: a subprocess
with a scripted Asterisk on its stdin/stdout (the AGI env block, then one reply per command)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "baselines" / "ivr_classic.py"
ANY_KEY = '"0123456789*#"'


@dataclass
class Transcript:
    rc: int = -1
    sent: list[str] = field(default_factory=list)
    stderr: str = ""
    notes: list[str] = field(default_factory=list)


def env_block() -> bytes:
    lines = [
        "agi_request: ivr_classic.py",
        "agi_channel: DAHDI/1-1",
        "agi_language: zh",
        "agi_uniqueid: 1700000000.9",
        "agi_callerid: 13800138000",
        "agi_dnid: 95598",
        "agi_context: from-trunk",
        "agi_extension: s",
        "agi_priority: 2",
    ]
    return ("\n".join(lines) + "\n\n").encode()


def keys_then_zero(keys: str) -> Callable[[str], bytes]:
    """Press `keys` one by one on the interruptible prompts (barge-in); everything else: 0."""
    left = list(keys)

    def reply(cmd: str) -> bytes:
        if cmd.startswith("STREAM FILE") and cmd.endswith(ANY_KEY) and left:
            return f"200 result={ord(left.pop(0))}\n".encode()
        return b"200 result=0\n"

    return reply


def run_script(args: list[str], reply: Callable[[str], bytes]) -> Transcript:
    out = Transcript()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, str(SCRIPT), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err
        )

        def asterisk() -> None:
            try:
                proc.stdin.write(env_block())
                proc.stdin.flush()
                for line in proc.stdout:
                    cmd = line.decode().rstrip("\n")
                    out.sent.append(cmd)
                    proc.stdin.write(reply(cmd))
                    proc.stdin.flush()
            except BrokenPipeError:  # the script left without reading: recorded, the test decides
                out.notes.append("script closed stdin")
            finally:
                proc.stdin.close()

        talker = threading.Thread(target=asterisk, daemon=True)
        talker.start()
        try:
            out.rc = proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        talker.join(timeout=30)
        assert not talker.is_alive(), "scripted Asterisk still talking after the script exited"
        err.seek(0)
        out.stderr = err.read().decode("utf-8", "replace")
    return out


def stream(prompts: Path, pid: str, interruptible: bool) -> str:
    return f'STREAM FILE "{prompts}/{pid}" ' + (ANY_KEY if interruptible else '""')


def test_greeting_first_then_key_4_walks_to_the_guide_menu(tmp_path):
    prompts = tmp_path / "prompts dir"  # a space: the quoted argument must hold it
    t = run_script([str(prompts), str(tmp_path / "rec")], keys_then_zero("40"))
    assert t.rc == 0, t.stderr
    assert t.sent == [
        "ANSWER",
        stream(prompts, "greeting", False),
        stream(prompts, "menu_top", True),  # answered with '4' (result=52)
        stream(prompts, "menu_guide", True),  # answered with '0': the agent
        stream(prompts, "transfer_agent", False),
        'SET VARIABLE "HOTLINE_TRANSFER" "consultation"',
    ]
    assert "call transferred at node agent" in t.stderr


def test_silent_caller_is_transferred_after_the_retries(tmp_path):
    t = run_script([str(tmp_path / "p"), str(tmp_path / "rec")], keys_then_zero(""))
    assert t.rc == 0, t.stderr
    assert t.sent[1] == stream(tmp_path / "p", "greeting", False)
    assert t.sent.count('WAIT FOR DIGIT "5000"') == 3  # retries: 3, digit_timeout_s: 5
    assert t.sent[-1] == 'SET VARIABLE "HOTLINE_TRANSFER" "consultation"'


def test_hangup_during_the_greeting_ends_the_script_cleanly(tmp_path):
    def reply(cmd: str) -> bytes:
        return b"200 result=-1\n" if "/greeting" in cmd else b"200 result=0\n"

    t = run_script([str(tmp_path / "p"), str(tmp_path / "rec")], reply)
    assert t.rc == 0, t.stderr
    assert t.sent == ["ANSWER", stream(tmp_path / "p", "greeting", False)]
    assert "call ended by Asterisk at node top" in t.stderr and "Traceback" not in t.stderr


def test_missing_arguments_exit_2_with_the_usage(tmp_path):
    t = run_script([str(tmp_path / "p")], keys_then_zero(""))
    assert (t.rc, t.sent) == (2, [])
    assert "usage: ivr_classic.py PROMPTS_DIR RECORDINGS_DIR" in t.stderr
