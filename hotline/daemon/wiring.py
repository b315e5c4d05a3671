"""`hotline run`: one process, one TaskGroup, ordered graceful shutdown.

Start: the store (`store_start`), the call context (`build_context`), the FastAGI routes
(`build_server`), the store's writer (beside the group: `store_writer`), then the services in
order (`_serve`): live events (and the repair orders no broker confirmed before, sent again),
dialer, metrics, the SIP auth guard and AMI, the web console (`hotline.web.console`), FastAGI,
line audit. `hotline run` holds the config's lock and pid file (daemon_lock) around all of it,
so that a second daemon never gets as far as closing the first one's calls.
Stop (SIGTERM/SIGINT): stop accepting calls, let calls in progress finish up to the grace
deadline, close the web console, flush the store, close AMI.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import structlog
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from acd.trunks import TrunkCapacity
from hotline.asterisk.ami import AmiClient
from hotline.asterisk.fastagi.channel import AgiChannel
from hotline.asterisk.fastagi.errors import AgiHangup
from hotline.asterisk.fastagi.server import FastAgiServer, Handler
from hotline.calls.agent_codes import handle_agent_code
from hotline.calls.agent_dialout import handle_agent_dialout
from hotline.calls.caller_facts import CallerFacts
from hotline.calls.context import CallContext
from hotline.calls.dialer_call import handle_dialer_call
from hotline.calls.inbound import handle_inbound
from hotline.clock import utcnow
from hotline.daemon.event_loop import loop_name
from hotline.daemon.loop_pulse import LoopPulse
from hotline.daemon.sd_notify import SdNotify
from hotline.daemon.signals import MenuReloader, install_signal_handlers
from hotline.daemon.store_start import open_store
from hotline.daemon.store_writer import store_writer, watch_writer
from hotline.dialer.service_done import service_done_handler
from hotline.observability.dial_refusals import DialRefusals
from hotline.observability.wiring import make_bus, make_metrics, watch_acd
from hotline.orders import republish_unconfirmed
from hotline.orders.order_closed import dispatch_closer, order_closed_handler
from hotline.reports.figures import Thresholds
from hotline.reports.rollup_job import RollupJob
from hotline.services.acd_driver import AcdRuntime
from hotline.services.auth_guard import AuthGuardService
from hotline.services.dialer_driver import OutboundRuntime
from hotline.services.ledger_watch import LedgerWatch
from hotline.services.line_auditor import LineAuditor
from hotline.services.menu_history import reload_recorder
from hotline.services.menus import MenuStore
from hotline.services.peak_mode import PeakMode
from hotline.services.retention import RetentionJob
from hotline.settings import Settings
from hotline.store.recorder import CallRecorder
from hotline.web.console import Console
from prompts.catalog import site_catalog

log = structlog.get_logger("daemon")


@dataclass
class Running:
    """Handles on a running daemon, for tests and the CLI."""

    server: FastAgiServer
    ctx: CallContext
    guard: AuthGuardService | None = None  # the SIP password-guessing guard (with AMI only)
    console: Console | None = None  # the web console (with `web:` only)


async def run_daemon(
    settings: Settings,
    stop: asyncio.Event,
    *,
    ami_enabled: bool = True,
    started: asyncio.Future[Running] | None = None,
    signals: bool = False,
) -> None:
    engine, recorder = await open_store(settings)
    ctx = None
    try:
        ctx = build_context(settings, engine, recorder, ami_enabled)
        server = build_server(settings, ctx)
        if signals:
            reloader = MenuReloader(ctx.menus, on_reloaded=reload_recorder(engine, utcnow))
            assert ctx.outbound is not None  # the daemon always has its dialer
            install_signal_handlers(stop, reloader, ctx.outbound.poll_soon)
        async with store_writer(recorder, settings.shutdown_grace_seconds) as writer:
            await _serve(settings, ctx, server, stop, started, writer)
    finally:
        if ctx is not None:
            await ctx.caller_facts.close()
        await engine.dispose()
    log.info("daemon.stopped")


def build_context(
    settings: Settings, engine: AsyncEngine, recorder: CallRecorder, ami_enabled: bool
) -> CallContext:
    """Everything a call needs, wired once: lines, metrics, live events, AMI, menu, ACD, peak
    mode and the dialer."""
    trunks = TrunkCapacity(settings.trunks.inbound, settings.trunks.outbound)
    metrics = make_metrics(settings, trunks)
    metrics.watch_store(lambda: recorder.backlog, lambda: recorder.reachable)
    bus = make_bus(settings, engine, trunks, metrics)
    ami = None
    if ami_enabled:
        ami = AmiClient(settings.ami, on_reconnect=metrics.ami_reconnect, on_error=metrics.ami_error)
    prompts = site_catalog(company=settings.company, agent_ids=[a.id for a in settings.agents])
    acd = AcdRuntime(settings, recorder, bus, utcnow, Path(settings.acd.state_file))
    watch_acd(bus, metrics, trunks, acd.snapshot)
    if ami is not None:
        ami.on_registration = acd.registration
    else:  # no AMI (tests, or AMI turned off): every configured softphone counts as registered
        for a in settings.agents:
            acd.registration(a.extension, True)
    refusals = DialRefusals(bus, metrics)
    outbound = OutboundRuntime(settings, engine, trunks, ami, bus, utcnow, refusals=refusals)
    bus.set_service_done_handler(service_done_handler(outbound.schedule_followup))
    close_from_dispatch = dispatch_closer(engine, outbound.schedule_followup, utcnow)
    bus.set_order_closed_handler(order_closed_handler(close_from_dispatch))
    return CallContext(
        settings=settings,
        recorder=recorder,
        trunks=trunks,
        ami=ami,
        menus=MenuStore(Path(settings.menu_file), set(prompts), settings.categories.keys),
        acd=acd,
        peak=PeakMode(settings.peak, engine, bus, utcnow),
        engine=engine,
        caller_facts=CallerFacts(engine),
        bus=bus,
        metrics=metrics,
        refusals=refusals,
        clock=utcnow,
        outbound=outbound,
    )


def build_server(settings: Settings, ctx: CallContext) -> FastAgiServer:
    """The FastAGI routes the dialplan uses, each a call flow of `hotline.calls`."""

    def route(handler: Callable[[AgiChannel, CallContext], Awaitable[None]]) -> Handler:
        async def run(chan: AgiChannel) -> None:
            try:
                await handler(chan, ctx)
            except AgiHangup:
                raise
            except Exception:
                ctx.metrics.agi_error()  # counted here, logged by the server
                raise

        return run

    routes = {
        "inbound": route(handle_inbound),
        "outbound": route(handle_agent_dialout),
        "agent": route(handle_agent_code),
        "dialer": route(handle_dialer_call),
    }
    fastagi = settings.fastagi
    return FastAgiServer(
        routes,
        host=fastagi.host,
        port=fastagi.port,
        header_timeout=fastagi.header_timeout,
        max_header_bytes=fastagi.max_header_bytes,
        reply_timeout=fastagi.reply_timeout,
    )


async def _serve(
    settings: Settings,
    ctx: CallContext,
    server: FastAgiServer,
    stop: asyncio.Event,
    started: asyncio.Future[Running] | None,
    writer: asyncio.Task[None],
) -> None:
    """Start the services in order, tell the supervisor (READY=1) and ping its watchdog from the
    event loop, serve until `stop`, then stop them in order (STOPPING=1)."""
    assert ctx.outbound is not None  # the daemon always has its dialer
    notify = SdNotify()
    live = settings.liveness
    pulse = LoopPulse(
        notify, ctx.metrics.set_loop_lag, tick_s=live.loop_tick_seconds, warn_s=live.loop_lag_warn_seconds
    )
    async with asyncio.TaskGroup() as tg:
        beating = tg.create_task(pulse.run(), name="loop-pulse")
        tg.create_task(watch_writer(writer), name="store-writer")  # beside the group (store_writer.py)
        tg.create_task(ctx.bus.run(), name="mqtt-bus")
        tg.create_task(republish_unconfirmed(ctx.engine, ctx.bus), name="orders-republish")
        dialer = tg.create_task(ctx.outbound.run(), name="dialer")
        if settings.metrics is not None:
            await ctx.metrics.serve(settings.metrics.host, settings.metrics.port)
        guard = _start_guard(settings, ctx, tg)
        console = await _start_console(settings, ctx)
        await server.start()
        audit = tg.create_task(_auditor(settings, ctx, server).run(), name="line-audit")
        watch = LedgerWatch(settings, ctx.engine, utcnow, console.reload if console is not None else None)
        ledger = tg.create_task(watch.run(), name="cdr-ledger")
        retention = tg.create_task(RetentionJob(settings, ctx.engine, utcnow).run(), name="retention")
        rollup = tg.create_task(RollupJob(ctx.engine, _thresholds(settings)).run(), name="report-rollup")
        log.info(
            "daemon.ready",
            fastagi_port=server.port,
            database=make_url(settings.database.url).render_as_string(hide_password=True),
            event_loop=loop_name(asyncio.get_running_loop()),
        )
        notify.ready()
        if started is not None and not started.done():
            started.set_result(Running(server, ctx, guard, console))
        await stop.wait()
        log.info("daemon.stopping", calls_in_progress=server.active)
        notify.stopping()
        ctx.outbound.close()  # no new dialer calls; those in progress end with their sessions
        for job in (audit, ledger, retention, rollup):
            job.cancel()
        await _stop_in_order(settings, ctx, server, dialer, guard, console)
        beating.cancel()  # the watchdog is fed until the very end of the drain


async def _stop_in_order(
    settings: Settings,
    ctx: CallContext,
    server: FastAgiServer,
    dialer: asyncio.Task[None],
    guard: AuthGuardService | None,
    console: Console | None,
) -> None:
    server.stop_accepting()
    cut = await server.drain(settings.shutdown_grace_seconds)
    if cut:
        log.warning("daemon.calls_cut_at_deadline", calls=cut)
    await dialer
    if console is not None:  # the wallboard showed the drain; now its streams end
        await console.close()
    await ctx.recorder.close()  # writes what is queued, then awaits the writer
    await ctx.bus.close()  # ends bus.run(); flushes what the broker will take
    await ctx.metrics.close()
    ctx.acd.close()
    if guard is not None:
        guard.close()
    if ctx.ami is not None:
        ctx.ami.close()


def _thresholds(settings: Settings) -> Thresholds:
    return Thresholds(answer_target_s=settings.answer_target.seconds)  # as `hotline report`'s


def _auditor(settings: Settings, ctx: CallContext, server: FastAgiServer) -> LineAuditor:
    return LineAuditor(
        ctx.trunks,
        server,
        ctx.ami,
        ctx.metrics,
        utcnow,
        interval_s=settings.trunks.audit_seconds,
        grace_s=settings.trunks.audit_grace_seconds,
    )


def _start_guard(settings: Settings, ctx: CallContext, tg: asyncio.TaskGroup) -> AuthGuardService | None:
    """The SIP auth guard, then AMI (the guard listens to its security events from the first
    login on). No AMI, no guard: Asterisk's failed logins come only over AMI."""
    if ctx.ami is None:
        return None
    guard = AuthGuardService(settings, ctx.ami, ctx.metrics, ctx.bus, utcnow)
    guard.start()
    tg.create_task(guard.run(), name="sip-guard")
    ctx.ami.start()
    return guard


async def _start_console(settings: Settings, ctx: CallContext) -> Console | None:
    """The web console, if configured. It failing to start (its port taken...) is loud but does
    not keep the daemon from answering calls."""
    if settings.web is None:
        return None
    try:
        console = await Console.start(ctx, settings.web)
    except Exception:
        log.exception("web.start_failed", host=settings.web.host, port=settings.web.port)
        return None
    log.info("web.console", url=console.url, login="accounts: hotline users add NAME --role supervisor")
    return console
