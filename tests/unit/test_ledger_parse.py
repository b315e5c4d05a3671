"""Asterisk's CDR ledger (hotline.asterisk.cdr_ledger): parsing lines, grouping CDRs into inbound calls, and
the rendered Asterisk files that write it. Hand-written lines in cdr_custom's exact format."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from hotline.asterisk.cdr_ledger import COLUMNS, Cdr, LedgerLineError, inbound_calls, parse_ledger, parse_line
from hotline.asterisk.config_render import render
from hotline.settings import Settings

T0 = 1_795_000_000.0  # an epoch second in 2026
AGENTS = {"1001": "001", "1002": "002"}


def line(
    uid: str,
    dcontext: str,
    lastapp: str,
    disposition: str,
    start: float,
    answer: float,
    end: float,
    *,
    dst: str = "",
    src: str = "13800000001",
    channel: str = "PJSIP/trunk-00000001",
) -> str:
    """A line as cdr_custom writes it: CSV_QUOTE'd text, raw epoch times (answer 0 = never)."""
    quoted = ",".join(
        '"' + v.replace('"', '""') + '"'
        for v in (uid, uid, channel, dst, src, dcontext, lastapp, disposition)
    )
    return f"{quoted},{start:.6f},{answer:.6f},{end:.6f}"


def utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def ledger(*lines: str) -> bytes:
    return "".join(f"{x}\n" for x in lines).encode()


def test_a_caller_id_with_quotes_and_commas_is_kept_verbatim():
    cdr = parse_line(
        line(
            "1795000000.7",
            "hotline-fallback",
            "Playback",
            "ANSWERED",
            T0,
            T0 + 1,
            T0 + 9,
            src='"Bob, Jr" <138>',
        )
    )
    assert cdr == Cdr(
        "1795000000.7",
        "1795000000.7",
        "PJSIP/trunk-00000001",
        "",
        '"Bob, Jr" <138>',
        "hotline-fallback",
        "Playback",
        "ANSWERED",
        T0,
        T0 + 1,
        T0 + 9,
    )
    assert parse_line(line("u", "from-trunk", "Hangup", "NO ANSWER", T0, 0, T0)).answer is None


def test_a_dial_cdr_and_a_playback_cdr_are_one_fallback_call_answered_by_the_agent():
    data = ledger(
        line("u1", "hotline-fallback", "Dial", "ANSWERED", T0, T0 + 2, T0 + 70, dst="PJSIP/1002-0000000a"),
        line("u1", "hotline-fallback", "Playback", "ANSWERED", T0 + 70, T0 + 70, T0 + 72),
    )
    calls = inbound_calls(parse_ledger(data).cdrs, AGENTS)
    assert list(calls) == ["u1"]
    c = calls["u1"]
    assert (c.started_at, c.answered_at, c.ended_at) == (utc(T0), utc(T0 + 2), utc(T0 + 72))
    assert (c.via_fallback, c.refused_busy, c.caller_number, c.channel) == (
        True,
        False,
        "13800000001",
        "PJSIP/trunk-00000001",
    )
    assert (c.agent_extension, c.agent_id, c.talk_started_at, c.talk_s) == ("1002", "002", utc(T0 + 2), 68.0)


def test_in_a_ring_all_the_agent_answered_when_the_other_phones_stopped_ringing():
    data = ledger(
        line("u2", "hotline-fallback", "Dial", "NO ANSWER", T0, T0 + 1, T0 + 7.5, dst="PJSIP/1001-00000001"),
        line(
            "u2", "hotline-fallback", "Dial", "ANSWERED", T0 + 4, T0 + 4, T0 + 60.5, dst="PJSIP/1002-00000002"
        ),
    )
    c = inbound_calls(parse_ledger(data).cdrs, AGENTS)["u2"]
    assert (c.agent_id, c.talk_started_at, c.talk_s) == ("002", utc(T0 + 7.5), 53.0)


def test_no_agent_answered_the_fallback_and_a_busy_refusal():
    data = ledger(
        line("u3", "hotline-fallback", "Dial", "NO ANSWER", T0, T0 + 1, T0 + 13, dst="PJSIP/1001-00000003"),
        line("u3", "hotline-fallback", "Playback", "ANSWERED", T0 + 13, T0 + 13, T0 + 15),
        line("u4", "hotline-fallback", "Busy", "BUSY", T0, 0, T0 + 5),
    )
    calls = inbound_calls(parse_ledger(data).cdrs, AGENTS)
    assert (calls["u3"].agent_id, calls["u3"].refused_busy, calls["u3"].talk_s) == (None, False, None)
    assert (calls["u4"].refused_busy, calls["u4"].answered_at) == (True, None)


def test_an_agent_leg_outside_the_fallback_or_of_an_unknown_extension_is_not_the_fallback_s_agent():
    data = ledger(
        line("u5", "hotline-inbound", "Dial", "ANSWERED", T0, T0 + 1, T0 + 30, dst="PJSIP/1001-00000004"),
        line("u6", "hotline-fallback", "Dial", "ANSWERED", T0, T0 + 1, T0 + 30, dst="PJSIP/1009-00000005"),
    )
    calls = inbound_calls(parse_ledger(data).cdrs, AGENTS)
    assert calls["u5"].via_fallback is False and calls["u5"].agent_id is None
    assert calls["u6"].agent_id is None


def test_dialer_channels_agents_own_calls_and_feature_codes_are_not_inbound_calls():
    data = ledger(
        line(
            "dialer-j1-1",
            "hotline-dialer",
            "AGI",
            "ANSWERED",
            T0,
            T0 + 1,
            T0 + 20,
            channel="PJSIP/138-00000006",
        ),
        line("dialer-j1-2", "from-trunk", "AGI", "ANSWERED", T0, T0 + 1, T0 + 20),
        line(
            "a1",
            "agents",
            "Dial",
            "ANSWERED",
            T0,
            T0 + 1,
            T0 + 20,
            channel="PJSIP/1001-00000007",
            dst="PJSIP/1002-00000008",
        ),
        line("a2", "agents", "AGI", "ANSWERED", T0, T0 + 1, T0 + 2, channel="PJSIP/1001-00000009"),
        line("in1", "from-trunk", "Hangup", "ANSWERED", T0, T0 + 1, T0 + 40),
    )
    assert list(inbound_calls(parse_ledger(data).cdrs, AGENTS)) == ["in1"]


def test_garbage_lines_are_counted_and_skipped_and_a_half_written_last_line_waits():
    good = line("u7", "hotline-fallback", "Playback", "ANSWERED", T0, T0 + 1, T0 + 9)
    data = (
        ledger(
            "garbage",
            good,
            '"unterminated,"quote',
            line("u8", "from-trunk", "Dial", "ANSWERED", T0, T0 + 1, T0 + 9).replace(f"{T0 + 9:.6f}", "soon"),
            line("u9", "from-trunk", "Dial", "ANSWERED", T0 + 9, T0 + 1, T0),  # ends before it starts
            line("u10", "from-trunk", "Dial", "ANSWERED", T0, T0 + 99, T0 + 9),  # answered after the end
            line("", "from-trunk", "Dial", "ANSWERED", T0, 0, T0 + 9),
            line("u11", "from-trunk", "Dial", "ANSWERED", T0, 0, float("inf")).replace("inf", "nan"),
            "",
            "\x00\xff" * 10,
        )
        + b'"u12","u12","PJSIP/trunk-0000000f",'
    )  # Asterisk is still writing this one
    parsed = parse_ledger(data)
    assert [c.uniqueid for c in parsed.cdrs] == ["u7"]
    assert (parsed.bad_lines, parsed.incomplete_tail) == (8, True)
    assert parse_ledger(b"").cdrs == [] and parse_ledger(ledger(good)).incomplete_tail is False


@given(st.text(max_size=300))
def test_any_line_is_a_cdr_or_a_clear_error(text):
    try:
        cdr = parse_line(text)
    except LedgerLineError as exc:
        assert str(exc)
    else:
        assert cdr.uniqueid and cdr.start <= cdr.end


_field = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x00"), max_size=30)


@given(st.lists(_field, min_size=8, max_size=8), st.floats(1, 4e9), st.floats(0, 1e5), st.floats(0, 1e5))
def test_what_csv_quote_writes_reads_back_exactly(texts, start, answered_after, talk):
    texts[0] = texts[0] or "u"
    answer = start + answered_after
    end = answer + talk
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="").writerow(texts)
    cdr = parse_line(f"{out.getvalue()},{start:.6f},{answer:.6f},{end:.6f}")
    assert [getattr(cdr, n) for n in COLUMNS[:8]] == texts
    assert (cdr.start, cdr.answer, cdr.end) == (
        float(f"{start:.6f}"),
        float(f"{answer:.6f}"),
        float(f"{end:.6f}"),
    )


def _conf(text: str) -> dict[str, str]:
    pairs = (re.split(r"\s*=>?\s*", x.strip(), maxsplit=1) for x in text.splitlines())
    return {p[0]: p[1] for p in pairs if len(p) == 2 and not p[0].startswith(";")}


def test_asterisk_is_rendered_to_write_the_ledger_in_the_parser_s_columns():
    files = render(Settings(company="平安县"))
    cdr = _conf(files["cdr.conf"])
    assert (cdr["enable"], cdr["unanswered"], cdr["batch"]) == ("yes", "yes", "no")
    mapping = _conf(files["cdr_custom.conf"])["hotline-cdr"]
    # the fallback marks its CDRs (a Gosub leaves dcontext at from-trunk): the route column
    route = '${IF($["${CDR(userfield)}" = ""]?${CDR(dcontext)}:${CDR(userfield)})}'
    assert route in mapping and "Set(CDR(userfield)=hotline-fallback)" in files["extensions.conf"]
    fields = re.findall(r"\$\{CDR\(([a-z]+)(?:,u)?\)\}", mapping.replace(route, "${CDR(dcontext)}"))
    assert tuple(fields) == COLUMNS
    assert mapping.count("CSV_QUOTE") == 8 and mapping.endswith(
        "${CDR(start,u)},${CDR(answer,u)},${CDR(end,u)}"
    )
    loads = [
        v
        for k, v in (x.split(" = ", 1) for x in files["modules.conf"].splitlines() if " = " in x)
        if k == "load"
    ]
    assert {"cdr_custom.so", "func_cdr.so", "func_strings.so", "res_cdrel_custom.so"} <= set(loads)
