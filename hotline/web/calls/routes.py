"""The calls pages (supervisors and admins):

  GET /calls                         the search (number, local dates, agent, outcome, category), paged
  GET /calls/{uniqueid}              the call: its details, recordings and timeline
  GET /calls/{uniqueid}/recording    the call's recording (MixMonitor of the agent leg), ranged
  GET /calls/{uniqueid}/message/{n}  the n-th message the caller recorded (1-based), ranged

A recording's path comes only from the store (calls.recording_path, the message events). Starting
a playback (a request without a range, or from byte 0) is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from hotline.orders.models import WorkOrderRow
from hotline.recordings.paths import RecordingsDir
from hotline.recordings.sources import messages_of
from hotline.reports.period import DEFAULT_TZ, zone
from hotline.store.models import Call, CallEvent
from hotline.web.auth.audit import audit_action
from hotline.web.auth.roles import require
from hotline.web.calls.event_labels import Names
from hotline.web.calls.recording import plays_from_start, recording_response
from hotline.web.calls.search import OUTCOME_LABELS, BadSearch, parse_search, run_search
from hotline.web.calls.timeline import timeline
from hotline.web.calls.views import call_view, form_values, row_view
from hotline.web.deps import WebDeps
from hotline.web.templating import error_page, page

UNIQUEID_MAX = 64
NodeLabels = Callable[[], Mapping[str, str]]


class _CallPages:
    def __init__(self, deps: WebDeps, node_labels: NodeLabels | None, tz: ZoneInfo) -> None:
        self.deps, self.tz, self.node_labels = deps, tz, node_labels
        self.folder = RecordingsDir.from_settings(deps.settings.asterisk)
        self.agents = {a.id: a.name for a in deps.settings.agents}
        self.categories = deps.settings.categories.labels

    def names(self) -> Names:
        return Names(self.node_labels() if self.node_labels else {}, self.agents, self.categories)

    def _choices(self) -> dict[str, Any]:
        return {
            "agents": sorted(self.agents.items()),
            "outcomes": sorted(OUTCOME_LABELS.items()),
            "categories": list(self.categories.items()),
            "tz": self.tz.key,
        }

    async def index(self, request: Request) -> Response:
        params = request.query_params
        today = self.deps.clock().astimezone(self.tz).date()
        context = {**self._choices(), "values": form_values(params, today), "error": ""}
        try:
            search = parse_search(params, today, self.categories)
        except BadSearch as exc:
            return page(request, "calls.html", {**context, "error": str(exc), "found": None}, 400)
        found = await run_search(self.deps.engine, search, self.tz)
        rows = [row_view(r, self.tz, self.agents, self.categories) for r in found.rows]
        return page(request, "calls.html", {**context, "found": found, "rows": rows, "search": search})

    async def _load(self, uniqueid: str) -> tuple[Any, list[Any], list[Any]] | None:
        if len(uniqueid) > UNIQUEID_MAX:
            return None
        async with self.deps.engine.connect() as conn:
            call = (await conn.execute(select(Call).where(Call.uniqueid == uniqueid))).first()
            if call is None:
                return None
            events = (
                await conn.execute(
                    select(CallEvent).where(CallEvent.call_uniqueid == uniqueid).order_by(CallEvent.id)
                )
            ).all()
            orders = (
                await conn.execute(
                    select(WorkOrderRow)
                    .where(WorkOrderRow.call_uniqueid == uniqueid)
                    .order_by(WorkOrderRow.created_at, WorkOrderRow.id)
                )
            ).all()
        return call, list(events), list(orders)

    async def call(self, request: Request) -> Response:
        loaded = await self._load(request.path_params["uniqueid"])
        if loaded is None:
            return error_page(request, 404, "通话不存在", "没有找到这个通话。")
        call, events, orders = loaded
        entries = timeline(call, events, orders, self.tz, self.names())
        view = call_view(call, self.tz, self.agents, self.categories)
        messages = messages_of(call, events)
        return page(request, "call.html", {"call": view, "entries": entries, "messages": messages})

    async def recording(self, request: Request) -> Response:
        uniqueid = request.path_params["uniqueid"]
        loaded = await self._load(uniqueid)
        if loaded is None or not loaded[0].recording_path:
            return error_page(request, 404, "录音不存在", "该通话没有通话录音。")
        call = loaded[0]
        response = await recording_response(
            request, self.folder, call.recording_path, call.recording_deleted_at, self.tz
        )
        return await _audited(request, response, {"call": uniqueid, "recording": "call"})

    async def message(self, request: Request) -> Response:
        uniqueid, n = request.path_params["uniqueid"], request.path_params["n"]
        loaded = await self._load(uniqueid)
        messages = messages_of(loaded[0], loaded[1]) if loaded is not None else []
        if loaded is None or not 1 <= n <= len(messages):
            return error_page(request, 404, "录音不存在", "该通话没有这条留言录音。")
        path, deleted_at = messages[n - 1].path, loaded[0].recording_deleted_at
        response = await recording_response(request, self.folder, path, deleted_at, self.tz)
        return await _audited(request, response, {"call": uniqueid, "recording": f"message {n}"})


async def _audited(request: Request, response: Response, detail: dict[str, str]) -> Response:
    """`response`, after auditing the start of a playback (a file served from its first byte)."""
    if isinstance(response, FileResponse) and plays_from_start(request):
        await audit_action(request, "recording_play", detail)
    return response


def calls_routes(deps: WebDeps, node_labels: NodeLabels | None = None) -> list[BaseRoute]:
    """The calls pages, each for supervisors and admins only. `node_labels()`: the running
    menu's node names (id -> label) for the timeline's menu steps; None shows the ids."""
    pages = _CallPages(deps, node_labels, zone(DEFAULT_TZ))
    allowed = require("supervisor", "admin")
    return [
        Route("/calls", allowed(pages.index), methods=["GET"], name="calls"),
        Route("/calls/{uniqueid}", allowed(pages.call), methods=["GET"], name="call"),
        Route(
            "/calls/{uniqueid}/recording", allowed(pages.recording), methods=["GET"], name="call_recording"
        ),
        Route(
            "/calls/{uniqueid}/message/{n:int}", allowed(pages.message), methods=["GET"], name="call_message"
        ),
    ]
