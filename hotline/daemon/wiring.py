"""`hotline run`: one process, one TaskGroup, ordered graceful shutdown.

Start: migrate the store, close calls a previous run left open, connect AMI, listen on FastAGI.
`hotline run` holds the config's lock and pid file (daemon_lock) around all of it, so that a
second daemon never gets as far as closing the first one's calls.
Stop (SIGTERM/SIGINT): stop accepting calls, let calls in progress finish up to the grace
deadline, flush the store, close AMI.
"""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass
from pathlib import Path

import structlog

from acd.trunks import TrunkCapacity
from hotline.asterisk.ami import AmiClient
from hotline.asterisk.fastagi.errors import AgiHangup
from hotline.asterisk.fastagi.server import FastAgiServer
from hotline.calls.agent_codes import handle_agent_code
from hotline.calls.agent_dialout import handle_agent_outbound
from hotline.calls.context import CallContext
from hotline.calls.dialer_call import handle_dialer_call
from hotline.calls.inbound import handle_inbound
from hotline.clock import utcnow
from hotline.dialer.service_done import service_done_handler
from hotline.observability.wiring import make_bus, make_metrics, watch_acd
from hotline.services.acd_driver import AcdRuntime
from hotline.services.dialer_driver import OutboundRuntime
from hotline.services.line_auditor import LineAuditor
from hotline.services.menus import MenuStore
from hotline.services.peak_mode import PeakMode
from hotline.settings import Settings
from hotline.store.db import make_engine, upgrade
from hotline.store.ledger import LedgerError, reconcile_ledger
from hotline.store.recorder import CallRecorder
from ivr.errors import MenuError
from prompts.catalog import site_catalog

log = structlog.get_logger("daemon")


@dataclass
class Running:
    """Handles on a running daemon, for tests and the CLI."""

    server: FastAgiServer
    ctx: CallContext


async def run_daemon(
    settings: Settings,
    stop: asyncio.Event,
    *,
    ami_enabled: bool = True,
    started: asyncio.Future | None = None,
    signals: bool = False,
) -> None:
    await upgrade(settings.database.url)
    engine = make_engine(settings.database.url)
    recorder = CallRecorder(
        engine,
        max_memory_items=settings.database.max_memory_items,
        spill_path=Path(settings.database.spill_path),
    )
    # a spill file left by a crash is replayed first, then open calls are closed from their events
    closed = await recorder.recover_orphans(utcnow(), extensions={a.id: a.extension for a in settings.agents})
    if closed:
        log.warning("daemon.orphans_closed", calls=closed)
    await _reconcile_ledger(settings, engine)
    trunks = TrunkCapacity(settings.trunks.inbound, settings.trunks.outbound)
    metrics = make_metrics(settings, trunks)
    metrics.watch_store(lambda: recorder.backlog, lambda: recorder.reachable)
    bus = make_bus(settings, engine, trunks, metrics)
    ami = (
        AmiClient(settings.ami, on_reconnect=metrics.ami_reconnect, on_error=metrics.ami_error)
        if ami_enabled
        else None
    )
    prompts = site_catalog(company=settings.company, agent_ids=[a.id for a in settings.agents])
    menus = MenuStore(Path(settings.menu_file), set(prompts))
    acd = AcdRuntime(settings, recorder, bus, utcnow, Path(settings.acd.state_file))
    watch_acd(bus, metrics, trunks, acd.snapshot)
    if ami is not None:
        ami.on_registration = acd.registration
    else:  # no AMI (tests, or AMI turned off): every configured softphone counts as registered
        for a in settings.agents:
            acd.registration(a.extension, True)
    peak = PeakMode(settings.peak, engine, bus, utcnow)
    outbound = OutboundRuntime(settings, engine, trunks, ami, bus, utcnow)
    bus.set_service_done_handler(service_done_handler(outbound.schedule_followup))
    ctx = CallContext(
        settings=settings,
        recorder=recorder,
        trunks=trunks,
        ami=ami,
        menus=menus,
        acd=acd,
        peak=peak,
        engine=engine,
        bus=bus,
        metrics=metrics,
        clock=utcnow,
        outbound=outbound,
    )

    def route(handler):
        async def run(chan):
            try:
                await handler(chan, ctx)
            except AgiHangup:
                raise
            except Exception:
                metrics.agi_error()  # counted here, logged by the server
                raise

        return run

    server = FastAgiServer(
        {
            "inbound": route(handle_inbound),
            "outbound": route(handle_agent_outbound),
            "agent": route(handle_agent_code),
            "dialer": route(handle_dialer_call),
        },
        host=settings.fastagi.host,
        port=settings.fastagi.port,
        header_timeout=settings.fastagi.header_timeout,
        max_header_bytes=settings.fastagi.max_header_bytes,
        reply_timeout=settings.fastagi.reply_timeout,
    )
    auditor = LineAuditor(
        trunks,
        server,
        ami,
        metrics,
        utcnow,
        interval_s=settings.trunks.audit_seconds,
        grace_s=settings.trunks.audit_grace_seconds,
    )
    if signals:
        install_signal_handlers(stop, MenuReloader(menus))
    try:
        async with asyncio.TaskGroup() as tg:
            writer = tg.create_task(recorder.run(), name="store-writer")
            tg.create_task(bus.run(), name="mqtt-bus")
            dialer = tg.create_task(outbound.run(), name="dialer")
            if settings.metrics is not None:
                await metrics.serve(settings.metrics.host, settings.metrics.port)
            if ami is not None:
                ami.start()
            await server.start()
            audit = tg.create_task(auditor.run(), name="line-audit")
            log.info("daemon.ready", fastagi_port=server.port, database=_safe_url(settings.database.url))
            if started is not None and not started.done():
                started.set_result(Running(server, ctx))
            await stop.wait()
            log.info("daemon.stopping", calls_in_progress=server.active)
            outbound.close()  # no new dialer calls; those in progress end with their sessions
            audit.cancel()
            server.stop_accepting()
            cut = await server.drain(settings.shutdown_grace_seconds)
            if cut:
                log.warning("daemon.calls_cut_at_deadline", calls=cut)
            await dialer
            await recorder.close()
            await writer
            await bus.close()  # ends bus.run(); flushes what the broker will take
            await metrics.close()
            acd.close()
            if ami is not None:
                ami.close()
    finally:
        await engine.dispose()
    log.info("daemon.stopped")


async def _reconcile_ledger(settings: Settings, engine) -> None:
    """Calls Asterisk handled while the daemon was away (its CDR ledger) get their one row."""
    if not settings.asterisk.cdr_file:
        return
    try:
        await reconcile_ledger(
            engine, settings.asterisk.cdr_file, utcnow(), {a.extension: a.id for a in settings.agents}
        )
    except LedgerError as exc:  # an unreadable ledger must not keep the hotline down
        log.error("daemon.ledger_unreadable", error=str(exc))


class MenuReloader:
    """SIGHUP: the menu file is read and checked in a worker thread, one reload at a time, so the
    calls on the event loop never wait for it; the new menu is swapped in by one assignment."""

    def __init__(self, menus: MenuStore):
        self.menus = menus
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task] = set()

    def __call__(self) -> None:
        task = asyncio.get_running_loop().create_task(self.reload(), name="menu-reload")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def reload(self) -> None:
        async with self._lock:
            try:
                await asyncio.to_thread(self.menus.reload)
            except MenuError:
                pass  # MenuStore.reload logged every error; the running menu stays


def _safe_url(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def install_signal_handlers(stop: asyncio.Event, reload_menu) -> None:
    """SIGTERM/SIGINT: graceful stop. SIGHUP: reload the menu (an invalid file is logged, kept out)."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.add_signal_handler(signal.SIGHUP, reload_menu)
