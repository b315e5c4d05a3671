"""Invariants of the IVR core, on the shipped menu and on generated menus (hypothesis).

- from anywhere, * at most 5 times reaches the top menu;
- 0 (outside a digit entry, where it is a digit) always reaches the agent node;
- whatever the caller does, HangUp only ever follows a hangup node (and its goodbye);
- every batch ends with the one command the new state waits on.
"""

from collections import deque
from itertools import count
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ivr.events import (
    DTMF,
    CallerHungUp,
    CollectDigits,
    Digit,
    DigitsEntered,
    HangUp,
    LogStep,
    Lookup,
    LookupResult,
    Play,
    Record,
    RecordDone,
    StartTimer,
    SurveyAnswer,
    TransferToAgent,
)
from ivr.menu_load import load_menu, menu_from
from ivr.menu_model import ALWAYS_NEEDED, CONFIRM_ENTRY, GOODBYE, PRESS_ANY_KEY, TRANSFER, Menu
from ivr.rules import STATES, accepts
from ivr.simulate import Caller
from ivr.yaml_source import Located
from prompts.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = load_menu(ROOT / "config" / "menu.yaml", known_prompts=set(load_catalog(company="X")))
KNOWN = {"p", "q", GOODBYE, TRANSFER, PRESS_ANY_KEY, CONFIRM_ENTRY, *ALWAYS_NEEDED}

AWAITS = {
    Play: {
        "menu_prompt",
        "announce",
        "entry_prompt",
        "confirm_prompt",
        "result",
        "record_prompt",
        "survey_prompt",
    },
    StartTimer: {"menu_wait", "confirm_wait", "survey_wait"},
    CollectDigits: {"entry"},
    Lookup: {"lookup"},
    Record: {"recording"},
    TransferToAgent: {"transferred"},
    HangUp: {"hung_up"},
    LogStep: {"ended"},
}
LEAVES = {
    "announce1": {"kind": "announce", "category": "policy", "prompts": ["p"]},
    "announce3": {"kind": "announce", "category": "policy", "prompts": ["p", "q", "p"]},
    "bill": {"kind": "bill_query", "category": "bill_query", "prompt": "p", "max_digits": 4},
    "bill_rb": {"kind": "bill_query", "category": "bill_query", "prompt": "p", "readback": "q"},
    "collect": {
        "kind": "collect",
        "category": "other",
        "prompt": "p",
        "lookup": "usage",
        "min_digits": 2,
        "max_digits": 3,
    },
    "outage": {"kind": "outage_query", "category": "outage_query", "mode": "caller_number"},
    "record": {"kind": "record", "category": "message", "prompt": "p", "purpose": "message", "done": "q"},
    "record_bye": {
        "kind": "record",
        "category": "complaint",
        "prompt": "p",
        "purpose": "complaint",
        "next": "bye",
    },
    "survey": {"kind": "survey", "category": "survey", "prompt": "p", "choices": "12"},
    "survey_bye": {"kind": "survey", "category": "survey", "prompt": "p", "next": "bye"},
    "fault_agent": {"kind": "agent", "category": "fault_repair", "priority": 9},
    "goto_top": {"kind": "goto", "category": "other", "target": "top"},
    "hangup": {"kind": "hangup", "category": "other", "prompts": "q"},
}


@st.composite
def generated_menus(draw) -> Menu:
    """A random valid menu: a tree of up to 5 menu levels with every kind of leaf."""
    ids = count()
    nodes: dict = {"agent": {"kind": "agent", "category": "consultation"}}

    def menu(nid: str, level: int) -> None:
        keys = draw(st.lists(st.sampled_from("123456789#"), min_size=1, max_size=3, unique=True))
        nodes[nid] = {"kind": "menu", "category": "other", "prompt": "p", "keys": {}}
        for key in keys:
            if level < 5 and draw(st.booleans()):
                child = f"m{next(ids)}"
                menu(child, level + 1)
            else:
                child = f"n{next(ids)}"
                nodes[child] = dict(LEAVES[draw(st.sampled_from(sorted(LEAVES)))])
                if nodes[child].get("next") == "bye":
                    nodes["bye"] = {"kind": "hangup", "category": "other"}
            nodes[nid]["keys"][key] = child

    menu("top", 1)
    data = {"version": "gen", "start": "top", "retries": draw(st.integers(1, 4)), "nodes": nodes}
    return menu_from(Located("gen.yaml", data), known_prompts=KNOWN)


any_menu = st.one_of(st.just(SHIPPED), generated_menus())


def random_event(data, state: str):
    kinds = [k for k in accepts(state) if k is not CallerHungUp]
    kind = data.draw(st.sampled_from(kinds))
    if kind is Digit:
        return Digit(data.draw(st.sampled_from(DTMF)))
    if kind is DigitsEntered:
        return DigitsEntered(data.draw(st.text(alphabet=DTMF, max_size=12)))
    if kind is LookupResult:
        return LookupResult(data.draw(st.lists(st.sampled_from(["p", "q"]), max_size=2)))
    if kind is RecordDone:
        return RecordDone("r.wav", data.draw(st.sampled_from([0, 0.5, 3, 30])))
    return kind()


def check_batch(menu: Menu, cmds: list, state: str) -> None:
    assert state in STATES
    assert cmds, "every event gets an answer"
    assert state in AWAITS[type(cmds[-1])], (state, cmds[-1])
    for cmd in cmds[:-1]:
        assert isinstance(cmd, (LogStep, Play, SurveyAnswer)), cmds
        assert not getattr(cmd, "interruptible", False), cmds
    if isinstance(cmds[-1], Play):
        assert cmds[-1].interruptible
    if any(isinstance(c, HangUp) for c in cmds):
        steps = [c for c in cmds if isinstance(c, LogStep)]
        assert menu.nodes[steps[-1].node].kind == "hangup", cmds
        assert cmds[-2] == Play(cmds[-2].prompt_ids, False) and cmds[-2].prompt_ids[-1] == GOODBYE


def wander(data, menu: Menu, max_steps: int) -> Caller:
    caller = Caller(menu, caller_number="13800001111")
    check_batch(menu, caller.start(), caller.state)
    for _ in range(data.draw(st.integers(0, max_steps))):
        if caller.state in ("transferred", "hung_up"):
            break
        cmds = caller.send(random_event(data, caller.state))
        check_batch(menu, cmds, caller.state)
    return caller


def press(caller: Caller, key: str) -> list:
    return caller.send(DigitsEntered(key) if caller.state == "entry" else Digit(key))


@settings(max_examples=300, deadline=None)
@given(menu=any_menu, data=st.data())
def test_no_hang_up_unless_a_hangup_node_and_every_batch_awaits_one_thing(menu, data):
    caller = wander(data, menu, 60)
    if caller.state not in ("transferred", "hung_up") and data.draw(st.booleans()):
        cmds = caller.send(CallerHungUp())
        assert cmds == [LogStep(caller.node, "hangup", caller.now)] and caller.state == "ended"
    hangups = [c for c in caller.commands if isinstance(c, HangUp)]
    assert len(hangups) <= 1
    if hangups:
        assert caller.state == "hung_up" and menu.nodes[caller.node].kind == "hangup"


def settle(caller: Caller) -> None:
    """Answer a lookup or a recording so that the caller can press keys again."""
    if caller.state == "lookup":
        caller.send(LookupResult(("p",)))
    elif caller.state == "recording":
        caller.send(RecordDone("r.wav", 5))


@settings(max_examples=300, deadline=None)
@given(menu=any_menu, data=st.data())
def test_star_at_most_five_times_reaches_the_top(menu, data):
    caller = wander(data, menu, 40)
    settle(caller)
    if caller.state in ("transferred", "hung_up"):
        return
    for _ in range(5):
        if caller.node == menu.start and caller.state == "menu_prompt":
            break
        check_batch(menu, press(caller, "*"), caller.state)
    assert (caller.node, caller.state) == (menu.start, "menu_prompt")


@settings(max_examples=300, deadline=None)
@given(menu=any_menu, data=st.data())
def test_zero_always_reaches_the_agent_outside_a_digit_entry(menu, data):
    caller = wander(data, menu, 40)
    settle(caller)
    if caller.state in ("transferred", "hung_up", "entry_prompt", "entry"):
        return  # in a digit entry 0 is a digit (and * cancels the entry)
    cmds = press(caller, "0")
    assert caller.node == menu.agent and caller.state == "transferred"
    assert isinstance(cmds[-1], TransferToAgent) and cmds[-1].reason == "pressed_0"


def key_paths(menu: Menu) -> dict[str, str]:
    """The shortest key sequence from the top to every node a menu key leads to."""
    paths = {menu.start: ""}
    queue = deque([menu.start])
    while queue:
        mid = queue.popleft()
        for key, target in menu.keymap[mid].items():
            if target not in paths:
                paths[target] = paths[mid] + key
                if target in menu.keymap:
                    queue.append(target)
    return paths


def test_from_every_node_of_the_shipped_menu_star_reaches_the_top_and_zero_the_agent():
    for nid, keys in key_paths(SHIPPED).items():
        for final in ("*", "0"):
            caller = Caller(SHIPPED)
            caller.start()
            for key in keys:
                press(caller, key)
            settle(caller)
            if caller.state in ("transferred", "hung_up"):
                continue
            if final == "0":
                if caller.state not in ("entry_prompt", "entry"):
                    press(caller, "0")
                    assert caller.node == SHIPPED.agent, nid
                continue
            for _ in range(5):
                if caller.node != SHIPPED.start or caller.state != "menu_prompt":
                    press(caller, "*")
            assert caller.node == SHIPPED.start, nid
