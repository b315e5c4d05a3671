"""The AGI header block: routing, the call's id and the dialplan's arguments come only from where
Asterisk writes them, whatever the caller's number or name holds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.asterisk.fastagi.errors import AgiProtocolError
from hotline.asterisk.fastagi.protocol import parse_header_block, parse_headers

ARGS = ("djEzODAwMTM4MDAw", "dg==")


def block(callerid: str, *, calleridname: str = "", dnid: str = "95598", args=ARGS) -> bytes:
    lines = [
        "agi_network: yes",
        "agi_network_script: inbound",
        "agi_request: agi://127.0.0.1:4573/inbound",
        "agi_channel: PJSIP/trunk-00000001",
        "agi_language: en",
        "agi_type: PJSIP",
        "agi_uniqueid: 1701423001.42",
        "agi_version: 22.0.0",
        f"agi_callerid: {callerid}",
        f"agi_calleridname: {calleridname}",
        "agi_callingpres: 0",
        "agi_callingani2: 0",
        "agi_callington: 0",
        "agi_callingtns: 0",
        f"agi_dnid: {dnid}",
        "agi_rdnis: unknown",
        "agi_context: hotline-inbound",
        "agi_extension: s",
        "agi_priority: 2",
        "agi_enhanced: 0.0",
        "agi_accountcode: ",
        "agi_threadid: 139872",
    ] + [f"agi_arg_{i}: {a}" for i, a in enumerate(args, 1)]
    return ("\n".join(lines) + "\n\n").encode("utf-8", "surrogatepass")


def trusted(values: dict[str, str]) -> tuple:
    return (
        values["agi_network_script"],
        values["agi_uniqueid"],
        values["agi_channel"],
        values.get("agi_arg_1"),
        values.get("agi_arg_2"),
        values.get("agi_threadid"),
    )


EXPECTED = ("inbound", "1701423001.42", "PJSIP/trunk-00000001", *ARGS, "139872")


@pytest.mark.parametrize(
    "evil",
    [
        "138\nagi_network_script: agent",
        "138\nagi_uniqueid: forged.1",
        "138\r\nagi_arg_1: Zm9yZ2Vk",
        "138\nagi_channel: PJSIP/1001-00000001\nagi_request: agi://x/agent",
        # a whole forged tail: every key Asterisk writes after the caller ID, then arguments
        "138\nagi_calleridname: x\nagi_callingpres: 0\nagi_callingani2: 0\nagi_callington: 0\n"
        "agi_callingtns: 0\nagi_dnid: 1\nagi_rdnis: x\nagi_context: agents\nagi_extension: *45\n"
        "agi_priority: 1\nagi_enhanced: 0.0\nagi_accountcode: \nagi_threadid: 1\nagi_arg_1: bG9naW5fdG9nZ2xl",
    ],
)
def test_a_caller_id_cannot_steer_routing_id_or_arguments(evil):
    parsed = parse_header_block(block(evil))
    assert trusted(parsed.values) == EXPECTED
    assert parsed.injected  # and it is reported
    assert parsed.values["agi_callerid"].startswith("138")


def test_the_injected_lines_stay_with_the_value_they_came_in():
    parsed = parse_header_block(block("138\nagi_uniqueid: forged.1"))
    assert parsed.values["agi_callerid"] == "138\nagi_uniqueid: forged.1"


def test_a_clean_block_reports_nothing():
    parsed = parse_header_block(block("13800138000", calleridname="张三"))
    assert parsed.injected == ()
    assert parsed.values["agi_calleridname"] == "张三" and trusted(parsed.values) == EXPECTED


def test_an_argument_before_the_fixed_tail_is_not_asteriskss():
    b = block("138", args=()).replace(b"agi_priority: 2", b"agi_arg_1: Zm9yZ2Vk\nagi_priority: 2")
    assert "agi_arg_1" not in parse_headers(b)


def test_headers_must_be_agi_and_name_the_call():
    with pytest.raises(AgiProtocolError, match="agi_request"):
        parse_headers(b"GET / HTTP/1.1\nHost: x\n\n")
    with pytest.raises(AgiProtocolError, match="agi_uniqueid"):
        parse_headers(b"agi_network_script: inbound\nagi_callerid: 1\n\n")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.text(max_size=60), st.text(max_size=40))
def test_any_caller_text_leaves_routing_id_and_arguments_alone(callerid, name, dnid):
    parsed = parse_header_block(block(callerid, calleridname=name, dnid=dnid))
    assert trusted(parsed.values) == EXPECTED


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_parse_or_raise_a_protocol_error(data):
    try:
        parsed = parse_header_block(data)
    except AgiProtocolError:
        return
    assert parsed.values["agi_uniqueid"]


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=200))
def test_any_reply_line_parses_or_raises_a_protocol_error(line):
    from hotline.asterisk.fastagi.protocol import Reply, parse_result, parse_status

    try:
        code, _, rest = parse_status(line)
        result, data, extra = parse_result(rest)
        Reply(code, result, data, extra).number("endpos")
    except AgiProtocolError:
        return
    assert -(10**10) < result < 10**10
