"""SIP password guessing in the lab. 127.0.0.5 guesses agent 1009's password with REGISTERs; after
security.max_failures (5) failed logins the daemon blocks it (the PJSIP ACL in the chroot's
blocklist file + a res_pjsip reload over AMI): its REGISTERs get 403, no challenge any more.
Meanwhile agent 1001 registers from 127.0.0.1 and takes a call. After security.block_seconds
(20 s in the e2e config) the block is lifted and 127.0.0.5 is challenged again."""

from __future__ import annotations

import pytest
from e2e_setup import rows_for
from polling import until

from hotline.services import blocklist_file
from hotline.settings import load_settings
from lab.agent_phone import AgentPhone
from lab.caller_steps import Dtmf, Wait
from lab.hotline_stack import LAB_BLOCKLIST
from lab.register_guess import GUESSER, register_try
from lab.sipp import start_call

pytestmark = pytest.mark.e2e
BLOCKED = f"{GUESSER}/32"


def log_offset(daemon) -> int:
    """Where the daemon's log ends now: only later lines belong to this test."""
    return daemon.log.stat().st_size


async def logged(daemon, offset: int, what: str, match, timeout: float) -> dict:
    found: list[dict] = []

    def seen() -> bool:
        found[:] = [e for e in daemon.events(offset) if match(e)]
        return bool(found)

    try:
        await until(seen, timeout, what)
    except TimeoutError as exc:  # what the daemon did say, for the next reader of a failed run
        sip = [e for e in daemon.events(offset) if str(e.get("event", "")).startswith("sip.")]
        raise TimeoutError(f"{exc}; the daemon's sip.* events since the test began: {sip}") from None
    return found[0]


async def test_a_register_guesser_is_blocked_while_agent_1001_takes_a_call_then_let_go(hotline_lab, daemon):
    settings = load_settings(hotline_lab[1])
    sec = settings.security
    offset = log_offset(daemon)

    for attempt in range(sec.max_failures):
        assert await register_try("1009", f"guess-{attempt}") == "refused_password", attempt
    block = await logged(
        daemon, offset, "the guesser blocked", lambda e: e.get("event") == "sip.address_blocked", 10
    )
    assert (
        block["address"] == BLOCKED and block["failures"] == sec.max_failures and block["account"] == "1009"
    )
    await logged(
        daemon,
        offset,
        "res_pjsip reloaded with the block",
        lambda e: e.get("event") == "sip.blocklist_reloaded" and BLOCKED in e.get("blocked", []),
        10,
    )
    in_chroot = blocklist_file.read(hotline_lab[0].host_path(LAB_BLOCKLIST))
    assert [net for net, _ in in_chroot] == [BLOCKED]
    assert await register_try("1009", "guess-after-block") == "forbidden"  # 403: no 401 challenge

    # an agent at another address works as before: registers and takes a call
    async with AgentPhone("1001", "pw1001-e2e", answer_after=1.0, talk_seconds=3.0) as phone:
        await logged(
            daemon,
            offset,
            "1001 registered",
            lambda e: (
                e.get("event") == "ami.registration" and e.get("endpoint") == "1001" and e.get("registered")
            ),
            10,
        )
        h = await start_call(caller="13900009701", steps=[Wait(7.5), Dtmf("0"), Wait(15.0)], timeout=40)
        assert (await h.wait()).ok
        assert phone.count("answered") == 1
    (row,) = await rows_for(settings.database.url, "13900009701")
    assert row.outcome == "agent_answered" and row.agent_id == "001"

    # the block is lifted after block_seconds, and Asterisk challenges the address again
    await logged(
        daemon,
        offset,
        "the block lifted",
        lambda e: e.get("event") == "sip.address_unblocked" and e.get("address") == BLOCKED,
        sec.block_seconds + 15,
    )
    await logged(
        daemon,
        offset,
        "res_pjsip reloaded without the block",
        lambda e: e.get("event") == "sip.blocklist_reloaded" and BLOCKED not in e.get("blocked", [BLOCKED]),
        10,
    )
    assert await register_try("1009", "guess-after-unblock") == "refused_password"
