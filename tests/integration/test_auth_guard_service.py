"""The SIP auth guard against a loopback AMI (fake_ami) and a real mosquitto: failed-login events
in, the blocklist file, a res_pjsip Reload, metrics and the `sip_blocked` event out. Time is a
fake clock + scheduler (the block's end takes no wall time)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from daemon_settings import daemon_settings
from fake_ami import FakeAmi
from fake_scheduler import FakeClock, FakeScheduler
from in_process import daemon_in_process
from polling import until
from test_bus_events import broker, mqtt_settings, subscribed  # noqa: F401  (broker: a fixture)

from hotline.asterisk.ami import AmiClient
from hotline.bus import EventBus
from hotline.observability.metrics import Metrics
from hotline.services import blocklist_file
from hotline.services.auth_guard import AuthGuardService
from hotline.settings import Settings

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def failure(address: str, kind: str = "ChallengeResponseFailed", service: str = "PJSIP") -> str:
    return (
        f"Event: {kind}\r\nPrivilege: security,all\r\nEventTV: 2026-11-23T08:00:00.000+0000\r\n"
        f"Severity: Error\r\nService: {service}\r\nEventVersion: 2\r\nAccountID: 1001\r\n"
        f"SessionID: abc@{address}\r\nLocalAddress: IPV4/UDP/127.0.0.1/5060\r\n"
        f"RemoteAddress: IPV4/UDP/{address}/5060\r\nChallenge: x\r\nResponse: y\r\nExpectedResponse: \r\n\r\n"
    )


def settings_for(tmp: Path, ami_port: int, **security) -> Settings:
    return Settings.model_validate(
        {
            "company": "测试县",
            "ami": {"host": "127.0.0.1", "port": ami_port, "username": "hotline", "secret": "s3cret"},
            "security": {
                "max_failures": 3,
                "blocklist_file": str(tmp / "hotline-blocklist.conf"),
                **security,
            },
        }
    )


def metric(metrics: Metrics, line: str) -> bool:
    return line.encode() in metrics.exposition()[0].splitlines()


@asynccontextmanager
async def guard_running(
    settings: Settings, server: FakeAmi, bus: EventBus, wall_rate: float = 1.0
) -> AsyncIterator[tuple]:
    """`wall_rate`: how fast the guard's wall clock runs against its timers (NTP slews it)."""
    clock = FakeClock(T0)
    scheduler = FakeScheduler(clock)
    metrics = Metrics()
    ami = AmiClient(settings.ami)

    def wall() -> datetime:
        return T0 + (clock.now - T0) * wall_rate

    guard = AuthGuardService(settings, ami, metrics, bus, wall, scheduler, retry_s=5)
    guard.start()
    ami.start()
    tasks = [asyncio.create_task(guard.run()), asyncio.create_task(bus.run())]
    try:
        await ami.wait_connected(5)
        yield guard, metrics, scheduler
    finally:
        guard.close()
        ami.close()
        await bus.close()
        await asyncio.wait(tasks, timeout=5)


async def test_guessing_is_blocked_reloaded_published_then_lifted(tmp_path, broker):  # noqa: F811
    server = FakeAmi(contacts=[])
    await server.start()
    settings = settings_for(tmp_path, server.port)
    cfg = mqtt_settings(broker)
    path = Path(settings.security.blocklist_file)
    try:
        async with (
            subscribed(broker, f"{cfg.topic_prefix}/events/sip_blocked") as got,
            guard_running(settings, server, EventBus(cfg)) as (guard, metrics, scheduler),
        ):
            server.send_event(failure("127.0.0.6"))  # another address: twice, not blocked
            server.send_event(failure("127.0.0.6", kind="InvalidAccountID"))
            server.send_event(failure("127.0.0.5", kind="InvalidPassword", service="AMI"))  # not SIP
            for _ in range(3):
                server.send_event(failure("127.0.0.5"))
            await until(lambda: guard.reloads == 1, 5, "res_pjsip reloaded after the block")
            reloads = [m for m in server.received if m.get("Action") == "Reload"]
            assert [m["Module"] for m in reloads] == ["res_pjsip.so"]
            assert blocklist_file.read(path) == [("127.0.0.5/32", datetime(2026, 11, 23, 8, 15, tzinfo=UTC))]
            assert "127.0.0.6" not in path.read_text()
            assert metric(metrics, 'hotline_sip_auth_failures_total{kind="ChallengeResponseFailed"} 4.0')
            assert metric(metrics, 'hotline_sip_auth_failures_total{kind="InvalidAccountID"} 1.0')
            assert metric(metrics, 'hotline_sip_auth_failures_total{kind="InvalidPassword"} 0.0')
            assert metric(metrics, "hotline_sip_blocks_total 1.0")
            assert metric(metrics, "hotline_sip_blocked_addresses 1.0")
            await until(lambda: len(got) == 1, 10, "the sip_blocked event")
            payload = got[0][2]
            assert (payload["network"], payload["failures"], payload["account"]) == (
                "127.0.0.5/32",
                3,
                "1001",
            )
            assert payload["until"] == "2026-11-23T08:15:00+00:00"

            scheduler.advance(899)
            assert guard.core.blocked() and guard.reloads == 1
            scheduler.advance(1)  # block_seconds (900) after the block
            await until(lambda: guard.reloads == 2, 5, "res_pjsip reloaded after the unblock")
            assert blocklist_file.read(path) == [] and "deny" not in path.read_text()
            assert metric(metrics, "hotline_sip_blocked_addresses 0.0")
            assert server.actions.count("reload") == 2
    finally:
        await server.stop()


async def test_a_refused_reload_is_retried_and_a_block_survives_a_restart(tmp_path):
    server = FakeAmi(contacts=[])
    server.refuse = {"reload"}
    await server.start()
    settings = settings_for(tmp_path, server.port, block_seconds=600)
    path = Path(settings.security.blocklist_file)
    # left by the daemon before a restart: one block still running, one over
    earlier = {"192.0.2.7/32": datetime(2026, 11, 23, 8, 5, tzinfo=UTC), "192.0.2.8/32": T0}
    blocklist_file.write(path, blocklist_file.render(earlier))
    try:
        async with guard_running(settings, server, EventBus(None)) as (guard, metrics, scheduler):
            assert guard.core.blocked() == {"192.0.2.7/32": earlier["192.0.2.7/32"]}
            assert [net for net, _ in blocklist_file.read(path)] == ["192.0.2.7/32"]  # the over one gone
            await until(lambda: server.actions.count("reload") == 1, 5, "first reload (refused)")
            assert guard.reloads == 0 and metric(metrics, "hotline_ami_errors_total 1.0")
            server.refuse = set()
            scheduler.advance(5)  # retry_s
            await until(lambda: guard.reloads == 1, 5, "the retried reload")
            scheduler.advance(295)  # 08:05: the kept block ends
            await until(lambda: guard.reloads == 2, 5, "reload after the kept block ended")
            assert blocklist_file.read(path) == []
    finally:
        await server.stop()


async def test_a_block_ends_when_the_wall_clock_runs_slower_than_the_timers(tmp_path):
    """The loop's timers count monotonic time, a block ends by the wall clock (the file keeps wall
    times). With the wall clock slewed 0.05 % slow, the tick at block_seconds comes 0.45 s before
    `until` by the wall clock: the block must still end, not stay for ever."""
    server = FakeAmi(contacts=[])
    await server.start()
    settings = settings_for(tmp_path, server.port)
    try:
        async with guard_running(settings, server, EventBus(None), wall_rate=0.9995) as (guard, _, scheduler):
            for _ in range(3):
                server.send_event(failure("127.0.0.5"))
            await until(lambda: guard.reloads == 1, 5, "res_pjsip reloaded after the block")
            scheduler.advance(900)  # the timer fires; the wall clock reads 899.55 s
            assert guard.core.blocked()
            scheduler.advance(1)
            assert guard.core.blocked() == {}, "the block outlived its time"
            await until(lambda: guard.reloads == 2, 5, "res_pjsip reloaded after the unblock")
            assert blocklist_file.read(Path(settings.security.blocklist_file)) == []
    finally:
        await server.stop()


async def test_the_daemon_runs_the_guard_on_its_ami_connection(db_url, tmp_path):
    server = FakeAmi(contacts=[])
    await server.start()
    ami = {"host": "127.0.0.1", "port": server.port, "username": "hotline", "secret": "s3cret"}
    settings = daemon_settings(db_url, tmp_path, ami=ami, shutdown_grace_seconds=1)
    settings = settings.model_copy(
        update={"security": settings.security.model_copy(update={"max_failures": 2})}
    )
    try:
        async with daemon_in_process(settings, ami_enabled=True) as running:
            server.send_event(failure("127.0.0.1"))  # the trunk gateway's address: never blocked
            server.send_event(failure("127.0.0.1"))
            server.send_event(failure("198.51.100.4"))
            server.send_event(failure("198.51.100.4"))
            assert running.guard is not None
            await until(lambda: running.guard.reloads == 1, 5, "the daemon's guard reloaded res_pjsip")
            assert set(running.guard.core.blocked()) == {"198.51.100.4/32"}
            assert "deny = 198.51.100.4/32" in Path(settings.security.blocklist_file).read_text()
    finally:
        await server.stop()
