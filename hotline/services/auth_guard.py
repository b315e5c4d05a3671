"""Carries the auth guard out (acd/auth_guard.py): Asterisk's failed-SIP-login events in, blocked
addresses out as a PJSIP ACL file (blocklist_file) that Asterisk reloads.

AMI security events (hotline/asterisk/security_events.py) become `AuthFailed`; each `Block` or
`Unblock` rewrites the file at once and asks for a reload (AMI `Reload`, `Module: res_pjsip.so`:
res_pjsip_acl has no reload of its own, res_pjsip's reloads every object of pjsip.conf, the ACL
included, and leaves registrations and calls alone). Reloads run one at a time in `run()`; blocks
that come meanwhile are carried by the next one; a failed reload (or file write) is retried after
`retry_s`. A block is logged as an error (`sip.address_blocked`), counted, and published
(`sip_blocked`); its end is logged (`sip.address_unblocked`). At start the blocks the file still
holds are kept until their time (a restart frees no attacker). One timer ticks at the first
block's end; it comes from an injected scheduler, so tests move time by hand. The loop's timers count
monotonic time while blocks end by the wall clock (the file keeps wall times): where NTP slews the
wall clock slower, the timer fires before the block is over by it, the tick lifts nothing, and the
timer is armed again for what is left (at least `MIN_TICK_S` on), so no block outlives its time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog

from acd.auth_guard import AuthFailed, AuthGuard, AuthGuardError, Block, Command, GuardPolicy, Restore, Tick
from hotline.asterisk.ami import AmiClient, AmiError
from hotline.asterisk.ami_protocol import header, messages
from hotline.asterisk.security_events import AUTH_FAILURE_EVENTS, sip_failure
from hotline.bus.notifier import Notifier
from hotline.observability.metrics import Metrics
from hotline.services import blocklist_file
from hotline.services.scheduling import Cancellable, LoopScheduler, Scheduler
from hotline.settings import Settings

log = structlog.get_logger("sip")
RELOAD = {"Action": "Reload", "Module": "res_pjsip.so"}
MIN_TICK_S = 0.05  # a tick that came early by the wall clock is tried again no sooner than this


def guard_policy(settings: Settings) -> GuardPolicy:
    """The policy from `security:`; the trunk gateway's address is never blocked."""
    sec = settings.security
    gateway = (settings.trunks.pjsip.gateway_match,) if settings.trunks.kind == "pjsip" else ()
    return GuardPolicy(
        max_failures=sec.max_failures,
        window_s=sec.window_seconds,
        block_s=sec.block_seconds,
        never_block=(*sec.never_block, *gateway),
    )


class AuthGuardService:
    def __init__(
        self,
        settings: Settings,
        ami: AmiClient | None,
        metrics: Metrics,
        bus: Notifier,
        clock: Callable[[], datetime],
        scheduler: Scheduler | None = None,
        retry_s: float = 5.0,
    ) -> None:
        self.core = AuthGuard(guard_policy(settings))
        self.path = Path(settings.security.blocklist_file)
        self.ami, self.metrics, self.bus, self.clock = ami, metrics, bus, clock
        self.scheduler = scheduler or LoopScheduler()
        self.retry_s = retry_s
        self.reloads = 0  # reloads Asterisk confirmed
        self._wanted = asyncio.Event()  # the file changed since the last reload
        self._timers: set[Cancellable] = set()  # retries
        self._tick_timer: Cancellable | None = None  # at `_tick_for`, the first block's end
        self._tick_for: datetime | None = None
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    def start(self) -> None:
        """Keep the blocks the file still holds, and listen to AMI's failed-login events."""
        try:
            kept = blocklist_file.read(self.path)
        except OSError as exc:
            log.error("sip.blocklist_unreadable", path=str(self.path), error=str(exc))
            kept = []
        self._carry_out([c for net, until in kept for c in self._feed(Restore(net, until))])
        for network, until in self.core.blocked().items():
            log.warning("sip.address_still_blocked", address=network, until=until.isoformat())
        self.metrics.set_sip_blocked(len(self.core.blocked()))
        if self.ami is not None:
            for name in AUTH_FAILURE_EVENTS:
                self.ami.on_event(name, self.on_ami_event)

    # ---- events in -----------------------------------------------------------------------------
    def on_ami_event(self, event: Mapping[str, Any]) -> None:
        failure = sip_failure(event)
        if failure is None:
            if header(event, "Service").upper() == "PJSIP":
                log.warning("sip.security_event_unreadable", ami_event=header(event, "Event"))
            return
        kind, address, account = failure
        self.metrics.sip_auth_failed(kind)
        log.info("sip.auth_failed", kind=kind, address=address, account=account)
        self._carry_out(self._feed(AuthFailed(address)), account)

    def _tick(self) -> None:
        self._tick_timer = None
        self._carry_out(self._feed(Tick()))

    def _feed(self, event: AuthFailed | Tick | Restore) -> list[Command]:
        """The core's commands for `event`; the tick timer follows the core's first block end."""
        try:
            commands = self.core.handle(event, self.clock())
        except AuthGuardError as exc:
            log.warning("sip.guard_refused", error=str(exc))
            return []
        self._arm_tick()
        return commands

    # ---- commands out --------------------------------------------------------------------------
    def _carry_out(self, commands: list[Command], account: str = "") -> None:
        """`account`: the one the failure that caused a Block named."""
        if not commands:
            return
        blocked_now = len(self.core.blocked())
        for cmd in commands:
            if isinstance(cmd, Block):
                log.error(
                    "sip.address_blocked",
                    address=cmd.network,
                    until=cmd.until.isoformat(),
                    failures=cmd.failures,
                    account=account,
                )
                self.metrics.sip_blocked(blocked_now)
                self.bus.sip_blocked(cmd.network, cmd.until, cmd.failures, account)
            else:
                log.info("sip.address_unblocked", address=cmd.network)
        self.metrics.set_sip_blocked(blocked_now)
        self._sync()

    def _sync(self) -> None:
        """Write the file as the core has it now, then ask for a reload (or retry both later)."""
        try:
            blocklist_file.write(self.path, blocklist_file.render(self.core.blocked()))
        except (OSError, ValueError) as exc:
            log.error("sip.blocklist_write_failed", path=str(self.path), error=str(exc), retry_s=self.retry_s)
            self._later(self.retry_s, self._sync)
            return
        self._wanted.set()

    def _arm_tick(self) -> None:
        """Keep the one timer at the first block's end (none if nothing is blocked); a tick that
        lifted nothing (early by the wall clock) left no timer, so it is armed again."""
        end = self.core.next_end()
        if self._tick_timer is not None and end == self._tick_for:
            return
        self._cancel_tick()
        if end is not None and not self._closed:
            delay = max(MIN_TICK_S, (end - self.clock()).total_seconds())
            self._tick_timer, self._tick_for = self.scheduler.call_later(delay, self._tick), end

    def _cancel_tick(self) -> None:
        if self._tick_timer is not None:
            self._tick_timer.cancel()
        self._tick_timer = self._tick_for = None

    def _later(self, delay: float, callback: Callable[[], None]) -> None:
        handle: list[Cancellable] = []

        def fire() -> None:
            self._timers.difference_update(handle)
            callback()

        handle.append(self.scheduler.call_later(delay, fire))
        self._timers.update(handle)

    # ---- reloads -------------------------------------------------------------------------------
    async def run(self) -> None:
        """Reload res_pjsip whenever the file changed, one reload at a time, until cancelled
        (`close()` does it)."""
        self._task = asyncio.current_task()
        while not self._closed:
            await self._wanted.wait()
            self._wanted.clear()
            if self.ami is None or self._closed:
                continue  # no AMI: Asterisk reads the file at its next reload or start
            await self.ami.connected.wait()
            await self._reload()

    async def _reload(self) -> None:
        assert self.ami is not None
        try:
            reply = messages(await self.ami.action(RELOAD, timeout=30))[0]
            refused = header(reply, "Response") != "Success"
            why = header(reply, "Message") or "no message"
        except (AmiError, TimeoutError) as exc:
            refused, why = True, str(exc) or type(exc).__name__
        if refused:
            log.error("sip.blocklist_reload_failed", error=why, retry_s=self.retry_s)
            self.metrics.ami_error()
            self._later(self.retry_s, self._wanted.set)
            return
        self.reloads += 1
        log.info("sip.blocklist_reloaded", blocked=sorted(self.core.blocked()), reloads=self.reloads)

    def close(self) -> None:
        """Stop: no more ticks, retries or reloads (the file stays as it is)."""
        self._cancel_tick()
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
        self._closed = True
        self._wanted.set()  # a run() that has not started yet ends at once
        if self._task is not None:
            self._task.cancel()
