"""The note a peak mode flag file holds (the wallboard's reason, shown in its alert)."""

from __future__ import annotations

from hotline.services.peak_mode import NOTE_MAX, flag_note, switch


def test_the_clis_flag_holds_no_note_and_a_note_is_one_clean_line():
    assert flag_note("on\n") == ""
    assert flag_note("城关大面积停电\n") == "城关大面积停电"
    assert flag_note(" 检修\x1b[31m\x00 \nsecond line") == "检修[31m"
    assert flag_note("长" * 300) == "长" * NOTE_MAX


def test_switch_writes_the_note_or_the_clis_mark(tmp_path):
    flag = tmp_path / "var" / "peak_mode"
    switch(flag, True, "城关停电")
    assert flag.read_text(encoding="utf-8") == "城关停电\n"
    switch(flag, True)
    assert flag.read_text(encoding="utf-8") == "on\n"
    switch(flag, False)
    assert not flag.exists()
