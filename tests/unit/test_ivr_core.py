"""The pure IVR core on the shipped menu: keys, retries, barge-in, announcements, entries, path."""

from pathlib import Path

import pytest

from core_errors import CoreError
from ivr.core import IvrCall
from ivr.errors import IvrError
from ivr.events import (
    CollectDigits,
    Digit,
    DigitsEntered,
    HangUp,
    LogStep,
    Lookup,
    LookupResult,
    Play,
    PromptDone,
    Record,
    Say,
    Started,
    StartTimer,
    SurveyAnswer,
    Timeout,
    TransferToAgent,
)
from ivr.menu_load import load_menu, parse_menu
from ivr.simulate import T0, Caller, walk
from prompts.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]
MENU = load_menu(ROOT / "config" / "menu.yaml", known_prompts=set(load_catalog(company="X")))
TO_LEVEL_5 = "4211"  # 业务咨询 > 业务办理指南 > 新装用电 > 居民新装


def started(caller_number: str = "") -> Caller:
    c = Caller(MENU, caller_number)
    c.start()
    return c


def transfers(cmds):
    return [c for c in cmds if isinstance(c, TransferToAgent)]


def test_start_greets_then_plays_the_top_menu_with_its_0_and_star_tail():
    c = Caller(MENU)
    assert c.start() == [
        Play(("greeting",), False),
        LogStep("top", "", c.now),
        Play(("menu_top", "menu_tail_top"), True),
    ]
    assert c.state == "menu_prompt" and c.call.level == 1
    assert c.listen() == [StartTimer(5)]


def test_walk_to_level_5_and_back_to_the_top_with_star_at_every_level():
    c = walk(MENU, TO_LEVEL_5)
    assert (c.node, c.call.level) == ("new_install_resident", 5)
    assert c.commands[-1] == Play(("menu_new_install_resident", "menu_tail"), True)
    for expected_level in (4, 3, 2, 1):
        c.listen()  # this time after the prompt
        cmds = c.press("*")
        assert c.call.level == expected_level and c.state == "menu_prompt"
        assert isinstance(cmds[-1], Play) and cmds[-1].prompt_ids[0] == MENU.nodes[c.node].prompt
    assert c.node == "top"
    cmds = c.press("*")  # on the top level * repeats the top menu
    assert c.node == "top" and cmds == [LogStep("top", "*", c.now), Play(("menu_top", "menu_tail_top"), True)]


@pytest.mark.parametrize(
    "prefix,menu",
    [
        ("", "top"),
        ("4", "guide"),
        ("42", "business"),
        ("421", "new_install"),
        (TO_LEVEL_5, "new_install_resident"),
    ],
)
def test_zero_on_every_level_transfers_to_the_agent(prefix, menu):
    c = walk(MENU, prefix)
    assert (c.node, c.call.level) == (menu, len(prefix) + 1)
    assert c.press("0") == [
        LogStep("agent", "0", c.now),
        Play(("transfer_agent",), False),
        TransferToAgent("consultation", 0, menu, "pressed_0"),
    ]
    assert c.state == "transferred"


def test_three_invalid_keys_transfer_to_the_agent_never_hang_up():
    c = started()
    assert c.press("7")[-1] == Play(("invalid_input", "menu_top", "menu_tail_top"), True)
    c.listen()
    assert c.press("8")[-1] == Play(("invalid_input", "menu_top", "menu_tail_top"), True)
    cmds = c.press("#")
    assert transfers(cmds) == [TransferToAgent("consultation", 0, "top", "retries")]
    assert not any(isinstance(x, HangUp) for x in c.commands)


def test_timeouts_count_as_invalid_keys():
    c = started()
    assert c.silence()[-1] == Play(("no_input", "menu_top", "menu_tail_top"), True)
    c.press("9")  # invalid
    assert transfers(c.silence()) == [TransferToAgent("consultation", 0, "top", "retries")]


def test_a_valid_key_resets_the_retries():
    c = started()
    c.press("9")
    c.press("9")
    c.press("4")
    c.press("9")
    c.press("9")
    assert c.state == "menu_prompt" and c.node == "guide"


def test_barge_in_a_key_during_the_prompt_is_taken_at_once():
    c = started()
    assert c.state == "menu_prompt"  # the menu prompt is still playing: no PromptDone
    cmds = c.press("4")
    assert cmds == [LogStep("guide", "4", c.now), Play(("menu_guide", "menu_tail"), True)]


def test_several_messages_say_press_any_key_first_and_a_key_returns_to_the_menu():
    c = walk(MENU, "41")
    assert c.commands[-1] == Play(
        ("press_any_key_to_stop", "policy_tiered_tariff", "policy_time_of_use", "policy_payment"), True
    )
    cmds = c.press("5")
    assert cmds == [LogStep("guide", "5", c.now), Play(("menu_guide", "menu_tail"), True)]


def test_one_message_has_no_press_any_key_and_returns_to_the_menu_when_done():
    c = walk(MENU, "43")
    assert c.commands[-1] == Play(("info_service_hours",), True)
    assert c.listen() == [LogStep("guide", "", c.now), Play(("menu_guide", "menu_tail"), True)]
    c = walk(MENU, "430")
    assert transfers(c.commands) and c.node == "agent"


def test_hangup_node_plays_goodbye_then_hangs_up():
    c = walk(MENU, "61")
    cmds = c.press("1")
    assert cmds == [
        LogStep("satisfaction", "1", c.now),
        SurveyAnswer("satisfaction", "1"),
        Play(("survey_thanks",), False),
        LogStep("bye", "", c.now),
        Play(("thanks_for_calling", "goodbye"), False),
        HangUp(),
    ]
    assert c.state == "hung_up"


def test_bill_query_with_barge_in_read_back_confirm_lookup_and_result():
    c = walk(MENU, "2")
    assert c.commands[-1] == Play(("enter_account",), True)
    assert c.press("1") == [CollectDigits(9, "#", 5)]  # first digit barged in
    cmds = c.send(DigitsEntered("234567890"))
    assert cmds[-1] == Play(("entered_account", Say("digits", "1234567890"), "confirm_or_reenter"), True)
    c.listen()
    assert c.press("1")[-1] == Lookup("bill", "1234567890")
    cmds = c.answer_lookup("bill_balance", Say("amount", "123.45"))
    assert cmds == [Play(("bill_balance", Say("amount", "123.45")), True)]
    assert c.listen() == [LogStep("top", "", c.now), Play(("menu_top", "menu_tail_top"), True)]


def test_entry_errors_reenter_and_cancel():
    c = walk(MENU, "2")
    assert c.enter("12345")[-1] == Play(("invalid_input", "enter_account"), True)  # too short
    c.enter("1234567890")
    assert c.press("2")[-1] == Play(("enter_account",), True)  # enter again
    assert c.enter("12*") == [LogStep("top", "*", c.now), Play(("menu_top", "menu_tail_top"), True)]
    c = walk(MENU, "2")
    c.send(PromptDone())
    assert c.send(Timeout())[-1] == Play(("no_input", "enter_account"), True)


def test_outage_by_registered_number_uses_the_caller_number():
    c = Caller(MENU, caller_number="13800001111")
    c.start()
    c.press("1")
    assert c.press("2")[-2:] == [
        Play(("outage_by_phone_wait",), False),
        Lookup("outage_by_caller", "13800001111"),
    ]
    assert c.answer_lookup() == [LogStep("outage", "", c.now), Play(("menu_outage", "menu_tail"), True)]


def test_fault_report_is_recorded_then_a_repair_agent_answers_first():
    c = walk(MENU, "3")
    assert c.commands[-1] == Play(("record_fault",), True)
    assert c.listen() == [Record(90, "fault")]
    assert c.record(0)[-1] == Play(("no_input", "record_fault"), True)  # nothing said: ask again
    cmds = c.record(25)
    assert cmds[-2:] == [
        Play(("transfer_agent",), False),
        TransferToAgent("fault_repair", 9, "fault", "route"),
    ]
    assert Play(("record_fault_done",), False) in cmds


def test_every_step_is_logged_in_the_path():
    c = walk(MENU, "4*9" + "0")
    assert [(s.node, s.key) for s in c.call.path] == [
        ("top", ""),
        ("guide", "4"),
        ("top", "*"),
        ("top", "9"),
        ("agent", "0"),
    ]
    assert [s.at for s in c.call.path] == sorted(s.at for s in c.call.path)
    assert c.call.path == [x for x in c.commands if isinstance(x, LogStep)]


def test_goto_back_to_the_top_resets_the_star_stack():
    c = walk(MENU, TO_LEVEL_5 + "9")
    assert c.node == "top" and c.call.stack == ("top",)
    assert [(s.node, s.key) for s in c.call.path[-2:]] == [("to_top", "9"), ("top", "")]


def test_illegal_transitions_name_state_and_event():
    call = IvrCall(MENU)
    with pytest.raises(IvrError, match=r"state 'idle' at node 'top' cannot take event Timeout\(\)"):
        call.handle(Timeout(), T0)
    call.handle(Started(), T0)
    with pytest.raises(IvrError, match="state 'menu_prompt'.*LookupResult"):
        call.handle(LookupResult(("x",)), T0)
    with pytest.raises(ValueError, match="DTMF") as bad_key:
        Digit("a")
    assert isinstance(bad_key.value, IvrError) and issubclass(IvrError, CoreError)


def test_caller_hang_up_ends_the_call_without_a_hang_up_command():
    c = walk(MENU, "41")
    assert c.hang_up() == [LogStep("policy", "hangup", c.now)]
    with pytest.raises(IvrError, match="state 'ended'"):
        c.press("1")


def test_a_call_keeps_the_menu_it_started_with():
    text = (ROOT / "config" / "menu.yaml").read_text(encoding="utf-8")
    assert "      1: outage\n      2: bill\n" in text
    text = text.replace('"2025.1"', '"2025.2"').replace(
        "      1: outage\n      2: bill\n", "      1: bill\n      2: outage\n"
    )
    new_menu = parse_menu(text, known_prompts=set(load_catalog(company="X")))
    old_call = started()  # in progress when the menu is reloaded
    new_call = Caller(new_menu)
    new_call.start()
    old_call.press("1")
    new_call.press("1")
    assert (old_call.call.version, old_call.node) == ("2025.1", "outage")
    assert (new_call.call.version, new_call.node) == ("2025.2", "bill")
    with pytest.raises(TypeError, match="does not support item assignment"):
        MENU.nodes["top"] = MENU.nodes["agent"]  # a Menu cannot be changed under a call
