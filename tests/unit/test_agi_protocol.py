import pytest

from hotline.asterisk.fastagi.errors import AgiProtocolError
from hotline.asterisk.fastagi.protocol import command_line, parse_headers, parse_result, parse_status, quote


def test_quote_escapes_quotes_and_backslashes():
    assert quote('say "hi" \\ now') == '"say \\"hi\\" \\\\ now"'


@pytest.mark.parametrize("evil", ["evil\nEXEC System ls", "a\r\nHANGUP", "x\x00y", "\n\n"])
def test_a_line_break_never_leaves_the_argument(evil):
    line = command_line("SET VARIABLE", "HOTLINE_CALLER", evil)
    assert line.endswith(b"\n") and line.count(b"\n") == 1 and b"\r" not in line


def test_verb_must_be_the_daemons_own_words():
    with pytest.raises(ValueError, match=r"AGI verb must be plain upper-case words, got 'EXEC System\\nls'"):
        command_line("EXEC System\nls")


def test_reply_parsing():
    assert parse_status(b"200 result=1 (ANSWER)\n") == (200, False, "result=1 (ANSWER)")
    assert parse_status(b"520-Invalid command syntax.\n")[1] is True
    assert parse_result("result=49 endpos=1234") == (49, None, "endpos=1234")
    assert parse_result("result=1 (value (with) parens)") == (1, "value (with) parens", "")
    assert parse_result("result=-1") == (-1, None, "")
    with pytest.raises(AgiProtocolError, match="not an AGI reply line: b'HELLO"):
        parse_status(b"HELLO\n")
    with pytest.raises(AgiProtocolError, match="200 reply without a result: 'nothing'"):
        parse_result("nothing")


def test_a_uniqueid_after_the_caller_id_is_not_asterisks():
    block = (
        b"agi_network_script: inbound\nagi_uniqueid: 1.1\n"
        b"agi_callerid: evil\nEXEC System ls\nagi_uniqueid: 1.2\n\n"
    )
    h = parse_headers(block)
    assert h["agi_callerid"] == "evil\nEXEC System ls\nagi_uniqueid: 1.2" and h["agi_uniqueid"] == "1.1"


def test_headers_must_be_agi():
    with pytest.raises(AgiProtocolError, match="AGI header block without agi_request / agi_network_script"):
        parse_headers(b"GET / HTTP/1.1\nHost: x\n\n")


def test_a_number_after_the_result_is_read_or_refused():
    from hotline.asterisk.fastagi.protocol import Reply

    assert Reply(200, 0, None, "endpos=16000").number("endpos") == 16000
    assert Reply(200, 0, None, "").number("endpos") is None
    with pytest.raises(AgiProtocolError, match="endpos='abc' is not a number"):
        Reply(200, 0, None, "endpos=abc").number("endpos")
    with pytest.raises(AgiProtocolError, match="200 reply without a result: 'result=99999999999999999999'"):
        parse_result("result=99999999999999999999")
