#!/usr/bin/env python3
"""Fallback outage notice: a classic AGI script (pyst2) that works while the hotline daemon is down.

Asterisk runs it from the fallback dialplan: AGI(<dir>/outage_notice.py,<db_url>,<prompts_dir>).
It reads the caller's number (agi_callerid), finds the caller's area(s) in `accounts` (by phone)
and the published (not cancelled) outage notices of those areas that are in force between now and the end of
today (the call center's time, Asia/Shanghai), then plays <prompts_dir>/outage_fault_known (a fault being
repaired) and/or <prompts_dir>/outage_planned, or <prompts_dir>/outage_none. A caller who is not in
`accounts` hears nothing (we do not know their area). Any error (bad arguments, database or table
missing, no number in the caller ID) is written to stderr and nothing is played. The script always
exits 0, so the dialplan goes on ringing the agents.

Databases: the daemon's URLs. `sqlite[+driver]:////absolute/path.db` through the stdlib sqlite3
(read-only); `postgresql[+driver]://user:password@host[:port]/db` through asyncpg in asyncio.run
(the only PostgreSQL driver installed; SQLAlchemy's sync engine would need psycopg or pg8000).
It never imports the daemon (`hotline`): only the stdlib, pyst2 and, for PostgreSQL, asyncpg.
The caller ID never goes into an AGI command: the commands are built from constants and the
prompts directory given by the dialplan.
"""

from __future__ import annotations

import asyncio
import io
import re
import sqlite3
import sys
import traceback
from datetime import UTC, datetime, time, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from asterisk.agi import AGI, AGIError, AGIHangup

PLANNED, FAULT, NONE = "outage_planned", "outage_fault_known", "outage_none"
TIMEOUT_S = 3.0  # the caller hears silence while we look: give up quickly
LOCAL_TZ = "Asia/Shanghai"  # "today" of the call center, as hotline.selfservice.local_time
PHONE = re.compile(r"\+?[0-9][0-9 ()-]{1,30}")
UNSAFE_IN_PATH = re.compile(r'["\\\x00-\x1f\x7f]')  # would break the quoted STREAM FILE argument
USAGE = (
    "usage: outage_notice.py DB_URL PROMPTS_DIR (dialplan: AGI(.../outage_notice.py,<db_url>,<prompts_dir>))"
)

AREAS_SQLITE = "SELECT DISTINCT area_code FROM accounts WHERE phone IN ({marks})"
KINDS_SQLITE = """SELECT DISTINCT kind FROM outage_notices
 WHERE area_code IN ({marks}) AND julianday(published_at) <= julianday(?)
   AND julianday(starts_at) < julianday(?) AND julianday(ends_at) > julianday(?)
   AND cancelled_at IS NULL"""
AREAS_PG = "SELECT DISTINCT area_code FROM accounts WHERE phone = ANY($1::text[])"
KINDS_PG = """SELECT DISTINCT kind FROM outage_notices
 WHERE area_code = ANY($1::text[]) AND published_at <= $2 AND starts_at < $3 AND ends_at > $2
   AND cancelled_at IS NULL"""


class NoticeError(Exception):
    """Why no notice can be played (written to stderr; the call goes on to the agents)."""


def caller_numbers(callerid: str) -> list[str]:
    """The forms of the caller's number to look for in accounts.phone, as the daemon's
    phone_candidates: its digits, without +86 / 0086 / 86 before a mobile, without a trunk 0."""
    if not PHONE.fullmatch(callerid.strip()):
        raise NoticeError(f"caller ID {callerid!r} is not a phone number")
    digits = "".join(ch for ch in callerid if "0" <= ch <= "9")
    forms = [digits]
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            forms.append(digits[len(prefix) :])
    if digits.startswith("0") and len(digits) == 12 and digits[1] == "1":  # 0 + mobile
        forms.append(digits[1:])
    return list(dict.fromkeys(forms))


def today_window(now: datetime) -> tuple[datetime, datetime]:
    """`now` and the end of today in the call center's time zone, both as aware UTC datetimes."""
    try:
        local = now.astimezone(ZoneInfo(LOCAL_TZ))
    except ZoneInfoNotFoundError as exc:
        raise NoticeError(f"time zone {LOCAL_TZ} unknown here (install tzdata): {exc}") from exc
    end = datetime.combine(local.date() + timedelta(days=1), time.min, tzinfo=local.tzinfo)
    return now.astimezone(UTC), end.astimezone(UTC)


def prompts_for(kinds: set[str]) -> list[str]:
    """A fault being repaired first, then a planned outage; `outage_none` when there is neither."""
    played = [FAULT] if "fault" in kinds else []
    if "planned" in kinds:
        played.append(PLANNED)
    return played or [NONE]


def masked(db_url: str) -> str:
    return re.sub(r"(//[^:/@]*:)[^@]*@", r"\1***@", db_url)


def notice_kinds(db_url: str, phones: list[str], now: datetime) -> set[str] | None:
    """The kinds of today's notices for the caller's areas; None if no account has the number."""
    scheme, sep, rest = db_url.partition("://")
    backend = scheme.partition("+")[0]
    if not sep:
        raise NoticeError(
            f"database URL {masked(db_url)!r} is not a URL (sqlite:////path or postgresql://...)"
        )
    if backend == "sqlite":
        path = rest.partition("?")[0][1:] if rest.startswith("/") else ""
        if not path.startswith("/"):
            raise NoticeError(
                f"database URL {db_url!r}: give the SQLite file as an absolute path "
                f"(sqlite:////var/lib/hotline/hotline.db); Asterisk runs this script "
                f"in its own working directory"
            )
        return _sqlite_kinds(path, phones, *today_window(now))
    if backend in ("postgresql", "postgres"):
        return _pg_kinds("postgresql://" + rest, masked(db_url), phones, *today_window(now))
    raise NoticeError(f"database URL {masked(db_url)!r}: only sqlite and postgresql are supported")


def _sqlite_kinds(path: str, phones: list[str], now: datetime, end: datetime) -> set[str] | None:
    def text(t: datetime) -> str:  # how SQLAlchemy stores a UTC timestamp in SQLite
        return t.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")

    try:  # read-only: a missing file is an error, not a new empty database
        con = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, timeout=TIMEOUT_S)
    except sqlite3.Error as exc:
        raise NoticeError(f"cannot open the SQLite database {path}: {exc}") from exc
    try:
        marks = ",".join("?" * len(phones))
        areas = [r[0] for r in con.execute(AREAS_SQLITE.format(marks=marks), phones) if r[0] is not None]
        if not areas:
            return None
        rows = con.execute(
            KINDS_SQLITE.format(marks=",".join("?" * len(areas))), [*areas, text(now), text(end), text(now)]
        )
        return {r[0] for r in rows}
    except sqlite3.Error as exc:
        raise NoticeError(f"SQLite database {path}: {exc}") from exc
    finally:
        con.close()


def _pg_kinds(dsn: str, where: str, phones: list[str], now: datetime, end: datetime) -> set[str] | None:
    import asyncpg  # here, not at the top: a SQLite-only host needs no PostgreSQL driver

    async def query() -> set[str] | None:
        con = await asyncpg.connect(dsn, timeout=TIMEOUT_S, command_timeout=TIMEOUT_S)
        try:
            areas = [r[0] for r in await con.fetch(AREAS_PG, phones) if r[0] is not None]
            if not areas:
                return None
            return {r[0] for r in await con.fetch(KINDS_PG, areas, now, end)}
        finally:
            await con.close()

    try:
        return asyncio.run(asyncio.wait_for(query(), 2 * TIMEOUT_S))
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
        raise NoticeError(f"PostgreSQL {where}: {type(exc).__name__}: {exc}") from exc


def check_prompts_dir(prompts_dir: str) -> str:
    if not prompts_dir or UNSAFE_IN_PATH.search(prompts_dir):
        raise NoticeError(
            f"prompts directory {prompts_dir!r} is empty or holds a quote, backslash or control character"
        )
    return prompts_dir


def quoted_prompt(prompts_dir: str, prompt_id: str) -> str:
    """The STREAM FILE argument: "<prompts_dir>/<id>" (no extension: Asterisk picks the format)."""
    return f'"{check_prompts_dir(prompts_dir).rstrip("/")}/{prompt_id}"'


def log(message: str) -> None:
    print(f"outage_notice: {message}", file=sys.stderr, flush=True)


def open_agi() -> AGI:
    """pyst2's AGI on stdin/stdout, reading lines split on \\n only (a \\r in a caller ID must not
    end a line). pyst2 traces every argument (the database password) and env line on the
    stderr it is given: that trace goes nowhere."""
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace", newline="\n")
    stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n", write_through=True)
    return AGI(stdin=stdin, stdout=stdout, stderr=io.StringIO())


def run(args: list[str], agi: AGI, now: datetime) -> None:
    try:
        if len(args) != 2:
            raise NoticeError(f"{len(args)} argument(s) given; {USAGE}")
        db_url, prompts_dir = args[0], check_prompts_dir(args[1])
        kinds = notice_kinds(db_url, caller_numbers(agi.env.get("agi_callerid", "")), now)
    except NoticeError as exc:
        log(f"{exc}; playing nothing")
        return
    if kinds is None:
        log("the caller's number is in no account (area unknown); playing nothing")
        return
    for pid in prompts_for(kinds):
        try:
            agi.execute("STREAM FILE", quoted_prompt(prompts_dir, pid), '""')
        except AGIHangup:
            log("the caller hung up")
            return
        except AGIError as exc:  # result=-1 (no such file), 510/520, an unknown code
            log(f"could not play {pid} (missing file?): {exc}")
            return
        except ValueError as exc:  # pyst2 fails so on a reply line that is no "<code> ..." line
            log(f"unreadable reply from Asterisk to STREAM FILE {pid}: {exc}")
            return


def main() -> int:
    try:
        run(sys.argv[1:], open_agi(), datetime.now(UTC))
    except Exception:  # the call must go on to the agents whatever failed here: say it, exit 0
        log("unexpected error; playing nothing more\n" + traceback.format_exc())
    return 0


if __name__ == "__main__":
    sys.exit(main())
