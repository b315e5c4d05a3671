#!/usr/bin/env python3
"""The 95598 voice menu run the classic way: one Python process per call (a benchmark baseline).

Asterisk starts it for every call: AGI(<dir>/bench/baselines/ivr_classic.py,<prompts_dir>,<recordings_dir>)
and talks AGI on its stdin/stdout (pyst2). Each process pays what the daemon pays once at start:
the interpreter, the imports (pyst2, pydantic, PyYAML), loading and validating config/menu.yaml
against the prompt catalog. Then it drives the pure IVR core (`ivr.core.IvrCall`) with the same
command -> AGI mapping as hotline/calls/menu_session.py:

    Play            -> STREAM FILE <prompts_dir>/<id>, escape digits when interruptible and last
    StartTimer      -> WAIT FOR DIGIT
    CollectDigits   -> WAIT FOR DIGIT until max digits, the end key or a timeout
    Lookup          -> an empty LookupResult: the baseline has no database
    Record          -> RECORD FILE <recordings_dir>/<purpose>-<uniqueid>-<n> wav # ... BEEP s=5
    TransferToAgent -> SET VARIABLE HOTLINE_TRANSFER <category>, then exit (the dialplan queues)
    HangUp          -> HANGUP

It keeps no call record (LogStep / SurveyAnswer are dropped): the baseline does less work per call
than the daemon, never more. It imports `ivr` and `prompts.catalog` (pure) but never `hotline`.
Exit 0 when the call leaves the IVR or Asterisk reports a hang-up; 2 on bad arguments; any other
error is raised (traceback on stderr) and the dialplan goes on.

    .venv/bin/python bench/baselines/ivr_classic.py PROMPTS_DIR RECORDINGS_DIR [MENU_FILE]
"""

from __future__ import annotations

import io
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # Asterisk runs the file directly: find the project's packages
    sys.path.insert(0, str(ROOT))

from asterisk.agi import AGI, AGIAppError  # noqa: E402

from ivr.core import IvrCall  # noqa: E402
from ivr.events import (  # noqa: E402
    CollectDigits,
    Command,
    Digit,
    DigitsEntered,
    Event,
    HangUp,
    LogStep,
    Lookup,
    LookupResult,
    Play,
    PromptDone,
    Record,
    RecordDone,
    Started,
    StartTimer,
    SurveyAnswer,
    Timeout,
    TransferToAgent,
)
from ivr.menu_load import load_menu  # noqa: E402
from ivr.menu_model import Menu  # noqa: E402
from ivr.say_zh import render_items  # noqa: E402
from prompts.catalog import load_catalog  # noqa: E402

ANY_KEY = "0123456789*#"
MENU_FILE = ROOT / "config" / "menu.yaml"
USAGE = (
    "usage: ivr_classic.py PROMPTS_DIR RECORDINGS_DIR [MENU_FILE] "
    "(dialplan: AGI(.../ivr_classic.py,<prompts_dir>,<recordings_dir>))"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class UsageError(ValueError):
    pass


def quote(value: object) -> str:
    """One AGI argument, double-quoted as the daemon quotes it (no line break can get through)."""
    text = _CONTROL.sub(" ", str(value))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def now() -> datetime:
    return datetime.now(UTC)


def log(message: str) -> None:
    print(f"ivr_classic: {message}", file=sys.stderr, flush=True)


def open_agi() -> AGI:
    """pyst2 on stdin/stdout, lines split on \\n only; pyst2's own trace goes nowhere."""
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace", newline="\n")
    stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n", write_through=True)
    return AGI(stdin=stdin, stdout=stdout, stderr=io.StringIO())


def load(menu_file: Path) -> Menu:
    """What the daemon does once at start, done here for every call: catalog ids + the menu."""
    known = set(load_catalog(company="-"))  # only the ids matter here; {company} is for the texts
    return load_menu(menu_file, known_prompts=known)


class ClassicIvr:
    def __init__(self, agi: AGI, menu: Menu, prompts_dir: str, recordings_dir: str):
        self.agi = agi
        self.core = IvrCall(menu)
        self.prompts_dir = prompts_dir.rstrip("/")
        self.recordings_dir = recordings_dir.rstrip("/")
        self.recordings = 0

    def command(self, verb: str, *args: object) -> dict[str, tuple[str, str]]:
        """pyst2's reply: each `key=value (data)` of the result line as key -> (value, data)."""
        reply: dict[str, tuple[str, str]] = self.agi.execute(verb, *(quote(a) for a in args))
        return reply

    def key(self, verb: str, *args: object) -> str | None:
        result = int(self.command(verb, *args)["result"][0])
        return chr(result) if result > 0 else None

    def run(self) -> str:
        """The call until it leaves the IVR: "transferred" or "hung up"."""
        self.command("ANSWER")
        commands = self.core.handle(Started(self.agi.env.get("agi_callerid", "")), now())
        while True:
            event = None
            for i, cmd in enumerate(commands):
                if isinstance(cmd, TransferToAgent):
                    self.command("SET VARIABLE", "HOTLINE_TRANSFER", cmd.category)
                    return "transferred"
                if isinstance(cmd, HangUp):
                    self.command("HANGUP")
                    return "hung up"
                event = self.execute(cmd, last=i == len(commands) - 1)
            if event is None:
                raise RuntimeError(f"IVR batch {commands!r} left nothing to wait for")
            commands = self.core.handle(event, now())

    def execute(self, cmd: Command, *, last: bool) -> Event | None:
        if isinstance(cmd, (LogStep, SurveyAnswer)):
            return None  # no call store in the baseline
        if isinstance(cmd, Play):
            return self.play(cmd, interruptible=cmd.interruptible and last)
        if isinstance(cmd, StartTimer):
            key = self.key("WAIT FOR DIGIT", int(cmd.seconds * 1000))
            return Digit(key) if key else Timeout()
        if isinstance(cmd, CollectDigits):
            return self.collect(cmd)
        if isinstance(cmd, Lookup):
            return LookupResult(())  # no database in the baseline: "nothing found, go on"
        if isinstance(cmd, Record):
            return self.record(cmd)
        raise TypeError(f"the classic IVR does not know command {cmd!r}")

    def play(self, cmd: Play, *, interruptible: bool) -> Digit | PromptDone:
        for prompt_id in render_items(cmd.prompt_ids):
            key = self.key("STREAM FILE", f"{self.prompts_dir}/{prompt_id}", ANY_KEY if interruptible else "")
            if key:
                return Digit(key)  # barge-in
        return PromptDone()

    def collect(self, cmd: CollectDigits) -> DigitsEntered | Timeout:
        digits = ""
        while len(digits) < cmd.max_digits:
            key = self.key("WAIT FOR DIGIT", int(cmd.timeout_s * 1000))
            if key is None:
                return DigitsEntered(digits) if digits else Timeout()
            if key == cmd.end_key:
                break
            digits += key
        return DigitsEntered(digits)

    def record(self, cmd: Record) -> RecordDone:
        """pyst2 raises on result=-1, so a message cut by a hang-up ends the call (not kept)."""
        self.recordings += 1
        uid = self.agi.env.get("agi_uniqueid", "unknown")
        path = f"{self.recordings_dir}/{cmd.purpose}-{uid}-{self.recordings}"
        reply = self.command("RECORD FILE", path, "wav", "#", cmd.max_s * 1000, 0, "BEEP", "s=5")
        endpos = reply.get("endpos", ("0", ""))[0]
        return RecordDone(f"{path}.wav", int(endpos) / 8000 if endpos.isdigit() else 0.0)


def parse_args(args: list[str]) -> tuple[str, str, Path]:
    if len(args) not in (2, 3):
        raise UsageError(f"{len(args)} argument(s) given; {USAGE}")
    for what, value in (("prompts", args[0]), ("recordings", args[1])):
        if not value or _CONTROL.search(value):
            raise UsageError(f"{what} directory {value!r} is empty or holds a control character")
    return args[0], args[1], Path(args[2]) if len(args) == 3 else MENU_FILE


def main(argv: list[str]) -> int:
    try:
        prompts_dir, recordings_dir, menu_file = parse_args(argv)
    except UsageError as exc:
        log(str(exc))
        return 2
    agi = open_agi()
    ivr = ClassicIvr(agi, load(menu_file), prompts_dir, recordings_dir)
    try:
        outcome = ivr.run()
    except AGIAppError as exc:  # AGIHangup and result=-1 ("error or hang-up" to pyst2)
        log(f"call ended by Asterisk at node {ivr.core.node}: {type(exc).__name__}: {exc}")
        return 0
    log(f"call {outcome} at node {ivr.core.node}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
