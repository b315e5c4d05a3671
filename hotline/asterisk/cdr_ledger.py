"""Asterisk's CDR ledger: read it, and fold its CDRs into the inbound calls they describe. Pure.

Why a ledger at all: while the daemon is down (or after it died mid-call) the dialplan sends
callers to [hotline-fallback], which rings every agent directly; no daemon sees those calls, so
they would leave no row in `calls`. Asterisk sees every call, and its CDR engine writes one
record per call leg when the leg ends. cdr_custom (config/asterisk/cdr_custom.conf.j2) appends
each record as one CSV line with exactly the columns below; at its start the daemon reads the
file and records what its store lacks (hotline.store.ledger).

The file, as Asterisk 22 writes it:
- one line per CDR, the values CSV-quoted ("" for a quote inside a value), start/answer/end as
  epoch seconds with microseconds ("0.000000" = never answered);
- several CDRs per call: Asterisk opens a new one for each Dial attempt and each agent of a
  ring-all Dial, and one for what the caller does after a conversation. They all carry the
  caller's channel uniqueid, which is the daemon's call id (agi_uniqueid): calls are grouped
  by it;
- `dcontext` is where the caller's channel was when that CDR ended. Inbound calls are those in
  from-trunk, hotline-inbound or hotline-fallback (a CDR in hotline-fallback = the fallback took
  the call); agents' feature codes and own calls (context agents) and the dialer's channels
  (uniqueid "dialer-...", context hotline-dialer) are not inbound calls;
- a call still in progress has no line yet: it is found at a later start.

Bad lines (wrong number of values, broken quoting, a time that is no number...) are counted and
logged one by one, never raised: one broken line must not hide the other calls. The last line is
left alone if it has no line break yet (Asterisk may be writing it).

Who answered in the fallback: a CDR of the fallback with disposition ANSWERED whose dstchannel
is `PJSIP/<agent's extension>-xxxxxxxx`. Its `answer` is when the CALLER's channel was answered
(the fallback answers before ringing), not when the agent picked up; the other agents' CDRs of
that same ring-all end at the moment the agent picked up (Asterisk stops their ringing), so the
agent's answer is the last of those ends, when there are any. With a single agent rung the
caller's answer is all the ledger tells, and talk time may include up to one ring (the answer
target, 12 s).
"""

from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import structlog

from hotline.calls.fields import call_uniqueid

log = structlog.get_logger("cdr_ledger")

COLUMNS = (
    "uniqueid",
    "linkedid",
    "channel",
    "dstchannel",
    "src",
    "dcontext",
    "lastapp",
    "disposition",
    "start",
    "answer",
    "end",
)
INBOUND_CONTEXTS = frozenset({"from-trunk", "hotline-inbound", "hotline-fallback"})
FALLBACK_CONTEXT = "hotline-fallback"
DIALER_PREFIX = "dialer-"
_AGENT_LEG = re.compile(r"PJSIP/([0-9A-Za-z_.\-]{1,40})-[0-9a-fA-F]{8}")
_LATEST = datetime(9000, 1, 1, tzinfo=UTC).timestamp()


class LedgerLineError(ValueError):
    """One line of the ledger is not a CDR of the expected shape; the message says why."""


@dataclass(frozen=True)
class Cdr:
    uniqueid: str
    linkedid: str
    channel: str
    dstchannel: str
    src: str
    dcontext: str
    lastapp: str
    disposition: str
    start: float  # epoch seconds
    answer: float | None  # None: never answered
    end: float


def _epoch(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise LedgerLineError(f"{name} {text[:40]!r} is not a number of seconds") from None
    if not math.isfinite(value) or not 0 <= value < _LATEST:
        raise LedgerLineError(f"{name} {text[:40]!r} is not a time")
    return value


def parse_line(line: str) -> Cdr:
    """One ledger line (without its line break) as a Cdr, or LedgerLineError."""
    try:
        rows = list(csv.reader([line], strict=True))
    except csv.Error as exc:
        raise LedgerLineError(f"broken CSV quoting ({exc})") from None
    values = rows[0] if len(rows) == 1 else []
    if len(values) != len(COLUMNS):
        raise LedgerLineError(f"{len(values)} values, a CDR line has {len(COLUMNS)}")
    text = dict(zip(COLUMNS, values, strict=True))
    if not text["uniqueid"]:
        raise LedgerLineError("empty uniqueid")
    start, answer, end = (_epoch(text[n], n) for n in ("start", "answer", "end"))
    if start == 0 or end < start:
        raise LedgerLineError(f"start {start} / end {end} are not a call's times")
    if answer and not start <= answer <= end:
        raise LedgerLineError(f"answer {answer} is outside start {start} .. end {end}")
    return Cdr(**{n: text[n] for n in COLUMNS[:8]}, start=start, answer=answer or None, end=end)


@dataclass(frozen=True)
class ParsedLedger:
    cdrs: list[Cdr]
    bad_lines: int
    incomplete_tail: bool  # the last line had no line break yet (being written): left for next time


def parse_ledger(data: bytes, source: str = "ledger") -> ParsedLedger:
    """Every complete line of the file's bytes; bad lines are logged (line number, reason) and counted."""
    lines = data.split(b"\n")
    tail = lines.pop()  # b"" when the file ends with a line break
    cdrs: list[Cdr] = []
    bad = 0
    for number, raw in enumerate(lines, start=1):
        line = raw.decode("utf-8", errors="replace").removesuffix("\r")
        if not line.strip():
            continue
        try:
            cdrs.append(parse_line(line))
        except LedgerLineError as exc:
            bad += 1
            log.warning("ledger.bad_line", file=source, line=number, reason=str(exc), text=ascii(line[:120]))
    return ParsedLedger(cdrs, bad, bool(tail.strip()))


@dataclass(frozen=True)
class LedgerCall:
    """One inbound call as the ledger tells it (times are aware UTC datetimes)."""

    uniqueid: str  # as the store keeps it (hotline.calls.fields.call_uniqueid)
    linkedid: str
    channel: str
    caller_number: str
    started_at: datetime
    answered_at: datetime | None  # the caller's channel was answered (by the daemon or the fallback)
    ended_at: datetime
    via_fallback: bool  # some CDR ended in hotline-fallback: the fallback dialplan took the call
    refused_busy: bool  # the fallback refused it (all lines busy) and rang no agent
    agent_extension: str | None = None  # the agent who answered in the fallback
    agent_id: str | None = None
    talk_started_at: datetime | None = None
    talk_s: float | None = None


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _agent_leg(cdrs: list[Cdr], agents: Mapping[str, str]) -> tuple[Cdr, str] | None:
    """The first fallback CDR an agent answered, with the agent's extension."""
    for cdr in sorted(cdrs, key=lambda c: (c.start, c.end)):
        m = _AGENT_LEG.fullmatch(cdr.dstchannel)
        if cdr.dcontext == FALLBACK_CONTEXT and cdr.disposition == "ANSWERED" and m and m.group(1) in agents:
            return cdr, m.group(1)
    return None


def _agent_answer(leg: Cdr, cdrs: list[Cdr]) -> float:
    """When the agent picked up: the last end of the call's other CDRs inside the leg's answer..end
    (the other agents of the same ring-all stop ringing then), else the leg's own answer."""
    start = leg.answer if leg.answer is not None else leg.start
    ends = [c.end for c in cdrs if c is not leg and start <= c.end <= leg.end and c.dstchannel]
    return max([start, *ends])


def fold_call(uniqueid: str, cdrs: list[Cdr], agents: Mapping[str, str]) -> LedgerCall:
    """The call of `cdrs` (all of one uniqueid). `agents`: extension -> 工号 of the site's agents."""
    first = min(cdrs, key=lambda c: c.start)
    answers = [c.answer for c in cdrs if c.answer is not None]
    fallback = [c for c in cdrs if c.dcontext == FALLBACK_CONTEXT]
    rang = any(c.dstchannel for c in fallback)
    call = LedgerCall(
        uniqueid=call_uniqueid(uniqueid),
        linkedid=first.linkedid,
        channel=first.channel,
        caller_number=first.src,
        started_at=_utc(first.start),
        answered_at=_utc(min(answers)) if answers else None,
        ended_at=_utc(max(c.end for c in cdrs)),
        via_fallback=bool(fallback),
        refused_busy=bool(fallback)
        and not rang
        and not answers
        and any(c.lastapp == "Busy" for c in fallback),
    )
    found = _agent_leg(cdrs, agents)
    if found is None:
        return call
    leg, ext = found
    picked_up = _agent_answer(leg, cdrs)
    return replace(
        call,
        agent_extension=ext,
        agent_id=agents[ext],
        talk_started_at=_utc(picked_up),
        talk_s=round(leg.end - picked_up, 3),
    )


def is_inbound(cdrs: list[Cdr]) -> bool:
    return not cdrs[0].uniqueid.startswith(DIALER_PREFIX) and any(
        c.dcontext in INBOUND_CONTEXTS for c in cdrs
    )


def inbound_calls(cdrs: Iterable[Cdr], agents: Mapping[str, str]) -> dict[str, LedgerCall]:
    """The ledger's inbound calls by the store's uniqueid, oldest first."""
    groups: dict[str, list[Cdr]] = defaultdict(list)
    for cdr in cdrs:
        groups[cdr.uniqueid].append(cdr)
    calls = [fold_call(uid, group, agents) for uid, group in groups.items() if is_inbound(group)]
    return {c.uniqueid: c for c in sorted(calls, key=lambda c: c.started_at)}
