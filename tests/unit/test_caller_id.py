import base64

import pytest

from hotline.calls.caller_id import CallerIdError, caller_from, decode_arg


def b64(s: str) -> str:
    return base64.b64encode(b"v" + s.encode()).decode()


def test_verbatim_roundtrip_of_hostile_caller_id():
    evil = '"evil\nEXEC System ls"'
    assert caller_from([b64(evil), b64("张三")], {}) == (evil, "张三")
    assert caller_from([b64(""), b64("")], {"agi_callerid": "139"}) == ("", "")


def test_bad_base64_is_a_clear_error_and_headers_are_the_fallback():
    with pytest.raises(CallerIdError, match="not base64"):
        decode_arg("***")
    with pytest.raises(CallerIdError, match="prefix"):
        decode_arg(base64.b64encode(b"139").decode())
    assert caller_from(["***", ""], {"agi_callerid": "139", "agi_calleridname": "unknown"}) == ("139", "")
