"""Live supervision from the wallboard, on a composed console (supervise_rig.py): the exact AMI
Originate a listen/whisper/barge click sends, what refuses it (and sends nothing), forced pause
and log-out fed to the real ACD, peak mode by hand, roles and CSRF, the audit log."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from polling import until
from sqlalchemy.ext.asyncio import AsyncEngine
from supervise_rig import Rig, start_rig
from web_harness import STATIC, add_user, client, csrf_of, log_in


@pytest.fixture
async def rig(engine: AsyncEngine, db_url: str, tmp_path: Path) -> AsyncIterator[Rig]:
    rig = await start_rig(engine, db_url, tmp_path)
    yield rig
    await rig.close()


async def logged_in(
    rig: Rig, user: str, role: str = "supervisor"
) -> tuple[httpx.AsyncClient, dict[str, str]]:
    """A client logged in as `user` and the header its fetch() POSTs carry."""
    await add_user(rig.engine, user, role, agent_id="001" if role == "agent" else None)
    c = client(rig.app)
    rig.clients.append(c)
    await log_in(c, user)
    token = await csrf_of(c, "/board")  # an agent gets the 403 page: its logout form has the token
    return c, {"X-CSRF-Token": token, "Accept": "application/json"}


@pytest.mark.parametrize("mode", ["listen", "whisper", "barge"])
async def test_a_click_rings_the_supervisors_phone_into_the_spy_context(rig: Rig, mode: str) -> None:
    rig.talking("001", "call.1")
    c, headers = await logged_in(rig, "wang")
    r = await c.post("/supervise/spy", data={"agent_id": "001", "mode": mode}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["result"] == "answered" and "座席001" in r.json()["message"]
    assert rig.ami_server.originates() == [
        {
            "Action": "Originate",
            "Channel": "PJSIP/1101",  # wang's phone (supervisors:)
            "Context": "hotline-spy",
            "Exten": mode,
            "Priority": "1",
            "Timeout": "20000",
            "CallerID": f'"{mode} 1001" <1001>',
            "Variable": "HOTLINE_SPY_EXT=1001",  # agent 001's extension: ChanSpy(PJSIP/1001-,...)
            "Async": "true",
        }
    ]
    (audited,) = await rig.audit("supervise_spy")
    assert audited == (
        "wang",
        {"agent_id": "001", "mode": mode, "phone": "1101", "result": "answered", "reason": None},
    )
    assert rig.acd.agent("001").state == "talking"  # listening changes nothing in the ACD


async def test_a_phone_that_does_not_answer_is_said_so_and_audited(rig: Rig) -> None:
    rig.talking("001", "call.1")
    rig.ami_server.originate = ("Failure", "3")  # rang, nobody answered
    c, headers = await logged_in(rig, "wang")
    r = await c.post("/supervise/spy", data={"agent_id": "001", "mode": "listen"}, headers=headers)
    assert r.status_code == 409 and r.json() == {"error": "您的话机 1101 未接听", "result": "no_answer"}
    assert [d["result"] for _, d in await rig.audit("supervise_spy")] == ["no_answer"]


@pytest.mark.parametrize(
    "user, agent, status, message",
    [
        ("wang", "002", 409, "座席002当前空闲，没有可监听的通话"),  # ready, not talking
        ("li", "001", 409, "您的监听话机 1102 未注册"),
        ("ops", "001", 409, "您的账号没有配置监听话机"),  # an admin without a phone
    ],
)
async def test_a_spy_that_cannot_work_is_refused_and_nothing_is_sent(rig, user, agent, status, message):
    rig.talking("001", "call.1")
    c, headers = await logged_in(rig, user, "admin" if user == "ops" else "supervisor")
    r = await c.post("/supervise/spy", data={"agent_id": agent, "mode": "listen"}, headers=headers)
    assert r.status_code == status and message in r.json()["error"]
    assert rig.ami_server.originates() == [] and await rig.audit("supervise_spy") == []


@pytest.mark.parametrize(
    "form, status",
    [
        ({"agent_id": "001\r\nAction: Command\r\nCommand: core stop now", "mode": "listen"}, 404),
        ({"agent_id": "001,qESB", "mode": "listen"}, 404),
        ({"agent_id": "1001", "mode": "listen"}, 404),  # an extension is not a 工号
        ({"agent_id": "001", "mode": "listen\r\nAction: Command"}, 400),
        ({"agent_id": "001", "mode": "listen,qESB"}, 400),
        ({"agent_id": "001"}, 400),
        ({"mode": "listen"}, 400),
    ],
)
async def test_hostile_input_cannot_reach_ami_or_the_dialplan(
    rig: Rig, form: dict[str, str], status: int
) -> None:
    rig.talking("001", "call.1")
    c, headers = await logged_in(rig, "wang")
    r = await c.post("/supervise/spy", data=form, headers=headers)
    assert r.status_code == status
    assert "originate" not in rig.ami_server.actions and "command" not in rig.ami_server.actions


async def test_listening_is_refused_while_ami_is_down(rig: Rig) -> None:
    rig.talking("001", "call.1")
    c, headers = await logged_in(rig, "wang")
    rig.ami_server.answer_login = False  # the reconnect never logs in
    rig.ami_server.drop_clients()
    await until(lambda: not rig.ami.connected.is_set(), 5, "AMI seen down")
    r = await c.post("/supervise/spy", data={"agent_id": "001", "mode": "listen"}, headers=headers)
    phone = (await c.get("/supervise/phone")).json()
    assert r.status_code == 503 and "AMI" in r.json()["error"]
    assert phone["ami"] is False and rig.ami_server.originates() == []


async def test_the_phone_status_follows_registrations(rig: Rig) -> None:
    c, _ = await logged_in(rig, "wang")
    assert (await c.get("/supervise/phone")).json() == {
        "extension": "1101",
        "registered": True,
        "ami": True,
    }
    rig.ami_server.send_event(
        "Event: ContactStatus\r\nAOR: 1101\r\nEndpointName: 1101\r\nContactStatus: Removed\r\n\r\n"
    )
    await until(lambda: "1101" not in rig.ami.registered, 5, "1101 unregistered")
    assert (await c.get("/supervise/phone")).json()["registered"] is False


async def test_a_forced_pause_and_logout_go_to_the_acd_and_are_audited(rig: Rig) -> None:
    c, headers = await logged_in(rig, "wang")
    r = await c.post("/supervise/agent", data={"agent_id": "002", "action": "pause"}, headers=headers)
    assert r.status_code == 200 and r.json()["state"] == "paused"
    view = rig.acd.agent("002")
    assert (view.state, view.reason) == ("paused", "supervisor")
    again = await c.post("/supervise/agent", data={"agent_id": "002", "action": "pause"}, headers=headers)
    assert again.status_code == 409 and "暂停" in again.json()["error"]
    r = await c.post("/supervise/agent", data={"agent_id": "002", "action": "logout"}, headers=headers)
    assert r.status_code == 200 and rig.acd.agent("002").state == "logged_out"
    changes = [e["to"] for e in rig.bus_events if e["kind"] == "agent_state" and e["agent_id"] == "002"]
    assert changes[-2:] == ["paused(supervisor)", "logged_out"]  # on the wallboard and the desk
    assert [d for _, d in await rig.audit("supervise_agent")] == [
        {"agent_id": "002", "action": "pause", "from": "ready"},
        {"agent_id": "002", "action": "logout", "from": "paused"},
    ]


@pytest.mark.parametrize("action", ["pause", "logout"])
async def test_an_agent_on_a_call_keeps_it(rig: Rig, action: str) -> None:
    rig.talking("001", "call.1")
    c, headers = await logged_in(rig, "wang")
    r = await c.post("/supervise/agent", data={"agent_id": "001", "action": action}, headers=headers)
    assert r.status_code == 409 and r.json()["error"] == "座席001当前状态（通话）不能执行此操作"
    assert rig.acd.agent("001").state == "talking" and await rig.audit("supervise_agent") == []


async def test_peak_mode_by_hand_with_its_reason(rig: Rig) -> None:
    flag = Path(rig.settings.peak.flag_file)
    c, headers = await logged_in(rig, "wang")
    r = await c.post("/supervise/peak", data={"state": "on", "reason": "城关大面积停电"}, headers=headers)
    assert r.status_code == 200 and r.json()["active"] is True
    assert flag.read_text(encoding="utf-8") == "城关大面积停电\n"
    assert rig.peak.active_reason == "switched on by hand: 城关大面积停电"  # the wallboard's alert
    r = await c.post("/supervise/peak", data={"state": "off", "reason": "已恢复"}, headers=headers)
    assert r.status_code == 200 and r.json() == {
        "active": False,
        "reason": None,
        "message": "高峰模式已关闭",
    }
    assert not flag.exists() and rig.peak.active_reason is None
    alerts = [(e["active"], e["reason"]) for e in rig.bus_events if e["kind"] == "peak_mode"]
    assert alerts == [
        (True, "switched on by hand: 城关大面积停电"),
        (False, "switched on by hand: 城关大面积停电"),
    ]
    assert [d["state"] for _, d in await rig.audit("supervise_peak")] == ["on", "off"]


@pytest.mark.parametrize(
    "form",
    [
        {"state": "on"},
        {"state": "on", "reason": "a\nb"},
        {"state": "on", "reason": "长" * 101},
        {"state": "1", "reason": "x"},
    ],
)
async def test_a_bad_peak_switch_changes_nothing(rig: Rig, form: dict[str, str]) -> None:
    c, headers = await logged_in(rig, "wang")
    r = await c.post("/supervise/peak", data=form, headers=headers)
    assert r.status_code == 400
    assert not Path(rig.settings.peak.flag_file).exists() and await rig.audit("supervise_peak") == []


POSTS = {
    "/supervise/spy": {"agent_id": "001", "mode": "listen"},
    "/supervise/agent": {"agent_id": "002", "action": "pause"},
    "/supervise/peak": {"state": "on", "reason": "x"},
}


async def test_roles_and_csrf(rig: Rig) -> None:
    rig.talking("001", "call.1")
    async with client(rig.app) as anonymous:
        for path, form in POSTS.items():
            assert (await anonymous.post(path, data=form)).status_code in (401, 403)  # no session, no token
        assert (
            await anonymous.get("/supervise/phone", headers={"accept": "application/json"})
        ).status_code == 401
    agent, agent_headers = await logged_in(rig, "a001", "agent")
    admin, admin_headers = await logged_in(rig, "ops", "admin")
    for path, form in POSTS.items():
        assert (await agent.post(path, data=form, headers=agent_headers)).status_code == 403
        assert (await admin.post(path, data=form)).status_code == 403  # no CSRF token
        assert (await admin.post(path, data={}, headers=admin_headers)).status_code == 400
    assert (await agent.get("/supervise/phone", headers={"accept": "application/json"})).status_code == 403
    assert (await admin.get("/supervise/phone")).json() == {
        "extension": None,
        "registered": False,
        "ami": True,
    }
    assert rig.ami_server.originates() == [] and rig.acd.agent("002").state == "ready"
    assert not Path(rig.settings.peak.flag_file).exists()


async def test_the_wallboard_carries_the_buttons_script_and_token(rig: Rig) -> None:
    c, headers = await logged_in(rig, "wang")
    html = (await c.get("/board")).text
    assert '/static/supervise.js"></script>' in html and 'th class="ops"' in html
    assert (
        re.search(r'id="supervise" class="supervise" data-csrf="([^"]+)"', html).group(1)
        == headers["X-CSRF-Token"]
    )


def test_the_scripts_write_text_only() -> None:
    for name in ("supervise.js", "wallboard.js"):
        js = (STATIC / name).read_text(encoding="utf-8")
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", js), name
    supervise = (STATIC / "supervise.js").read_text(encoding="utf-8")
    assert '"X-CSRF-Token": csrf' in supervise and supervise.count("fetch(") == 2  # one POST helper, one GET
