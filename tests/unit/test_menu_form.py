"""The menu editor's form, pure: strict UTF-8, the size cap, LF line ends, errors split by line,
the diff's line kinds."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from hotline.web.menu_form import (
    BadEdit,
    LineError,
    diff_lines,
    id_field,
    line_errors,
    menu_bytes,
    note_field,
    parse_form,
    sha256_field,
)
from ivr.yaml_source import MAX_BYTES

FORM = "application/x-www-form-urlencoded"


def status_of(call, *args) -> int:
    with pytest.raises(BadEdit) as exc:
        call(*args)
    assert exc.value.message  # always a message for the admin
    return exc.value.status


def test_a_form_is_read_as_utf8_and_anything_else_is_refused():
    body = urlencode({"yaml": "label: 主菜单\r\n", "csrf_token": "t"}).encode("ascii")
    assert parse_form(f"{FORM}; charset=UTF-8", body) == {"yaml": "label: 主菜单\r\n", "csrf_token": "t"}
    assert status_of(parse_form, FORM, b"yaml=%FF%FE") == 400  # GBK / Latin-1 bytes, not UTF-8
    assert status_of(parse_form, FORM, "yaml=主".encode()) == 400  # unescaped bytes in the body
    assert status_of(parse_form, FORM, b"yaml=a&yaml=b") == 400  # which one would be published?
    assert status_of(parse_form, FORM, b"&".join(b"f%d=1" % i for i in range(50))) == 400
    assert status_of(parse_form, "multipart/form-data; boundary=x", b"") == 415


def test_the_menu_gets_lf_line_ends_and_the_yaml_readers_size_cap():
    assert menu_bytes({"yaml": "a: 1\r\nb: 2\rc: 3\n"}) == b"a: 1\nb: 2\nc: 3\n"
    assert len(menu_bytes({"yaml": "#" * (MAX_BYTES - 1) + "\n"})) == MAX_BYTES
    assert status_of(menu_bytes, {"yaml": "#" * MAX_BYTES + "\n"}) == 413
    assert status_of(menu_bytes, {"yaml": "主" * (MAX_BYTES // 3 + 1)}) == 413  # bytes, not characters
    assert status_of(menu_bytes, {"yaml": " \r\n "}) == 400
    assert status_of(menu_bytes, {}) == 400


def test_hashes_and_notes():
    sha = "ab" * 32
    assert sha256_field({"base": sha}, "base") == sha
    for bad in ({}, {"base": sha.upper()}, {"base": sha[:-1]}, {"base": sha + "0"}):
        assert status_of(sha256_field, bad, "base") == 400
    assert id_field({"id": "12"}) == 12
    for bad in ({}, {"id": ""}, {"id": "0"}, {"id": "-1"}, {"id": "１２"}, {"id": "1" * 10}):
        assert status_of(id_field, bad) == 400
    assert note_field({"note": "  调整\n 主菜单 "}) == "调整 主菜单"
    assert note_field({"note": "  "}) is None and note_field({}) is None
    assert status_of(note_field, {"note": "字" * 201}) == 400


def test_errors_are_split_into_their_lines():
    path = "/etc/hotline:v2/menu.yaml"  # a colon in the path is no line number
    errors = [
        f"{path}:22: prompt 'x' is not in the prompt catalog",
        f"{path}:0: cannot load the menu: RecursionError()",
        f"{path}:7: menu 'top': key 0: is the agent",
        "some other text",
    ]
    assert line_errors(errors, path) == [
        LineError(22, "prompt 'x' is not in the prompt catalog"),
        LineError(None, "cannot load the menu: RecursionError()"),
        LineError(7, "menu 'top': key 0: is the agent"),
        LineError(None, "some other text"),
    ]


def test_the_diff_marks_its_lines():
    old, new = "a: 1\nb: 2\nc: 3\n", "a: 1\nb: 20\nc: 3\n"
    assert diff_lines(old, new, "running", "draft") == [
        ("head", "--- running"),
        ("head", "+++ draft"),
        ("hunk", "@@ -1,3 +1,3 @@"),
        ("ctx", " a: 1"),
        ("del", "-b: 2"),
        ("add", "+b: 20"),
        ("ctx", " c: 3"),
    ]
    assert diff_lines(old, old, "running", "draft") == []
