"""The prompts page: every prompt of the catalog with its text and where its file comes from;
listening (supervisors and admins); a studio recording over a prompt, its revert, rendering (admins).

  GET  /admin/prompts                the list, with a player per prompt
  GET  /admin/prompts/audio?id=ID    the WAV Asterisk plays for ID: ID must be a catalog id, the
                                     file is found from it (never from a path in the request)
  POST /admin/prompts/upload         prompt_id + audio (multipart): ID overridden by a recording
  POST /admin/prompts/revert         prompt_id: back to the rendered prompt
  POST /admin/prompts/render         prompt_id: that prompt made again; or scope=changed: every
                                     prompt whose text changed or whose file is missing (as
                                     `hotline prompts render`, overridden ones left alone)

The files are in asterisk.prompts_host_dir (else asterisk.prompts_dir); conversion and rendering
run in the offload pool (prompts_work.py), one change at a time. An upload is recorded in
`prompt_overrides` in the same transaction as its files are installed: if they cannot be written
the row is not committed. Every change is audited.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import structlog
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from hotline.store.prompt_overrides import (
    PromptOverride,
    forget_override,
    original_name,
    overrides,
    record_override,
)
from hotline.web.admin_kit import (
    BadForm,
    done,
    done_message,
    local_text,
    not_found,
    offload,
    refused,
    text_field,
    upload_field,
)
from hotline.web.auth.audit import audit_action
from hotline.web.auth.roles import Role, current_user, require
from hotline.web.deps import WebDeps
from hotline.web.prompts_work import install, prepare_upload, render_changed, render_one, revert, survey
from hotline.web.templating import page
from prompts.catalog import site_catalog
from prompts.render import RenderError
from prompts.studio import original_of, played_file
from prompts.studio_audio import MAX_SECONDS, MAX_UPLOAD_BYTES, UploadRefused

log = structlog.get_logger("web.prompts")
BASE = "/admin/prompts"
DONE = {
    "uploaded": "录音已上传，之后的来电将听到新录音。",
    "reverted": "已撤销录音室录音，恢复为原提示音。",
    "rendered": "提示音已重新生成。",
}


def stamp(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


class _PromptsPage:
    def __init__(self, deps: WebDeps) -> None:
        s = deps.settings
        self.deps = deps
        self.catalog = site_catalog(company=s.company, agent_ids=[a.id for a in s.agents])
        self.dir = Path(s.asterisk.prompts_dir_on_host())
        self.native = s.prompts.native_formats  # also write the G.711 copies (.alaw, .ulaw)
        self.lock = asyncio.Lock()  # one change of the prompt files at a time

    def _prompt_id(self, form: FormData) -> str:
        pid = text_field(form, "prompt_id", "提示音编号", max_len=64)
        if pid not in self.catalog:
            raise BadForm("没有这个提示音编号。")
        return pid

    async def index(self, request: Request) -> Response:
        records = await overrides(self.deps.engine)
        views = await offload(self.deps, survey, self.dir, self.catalog, records)
        user = current_user(request)
        ctx = {
            "views": views,
            "can_edit": user is not None and user.role is Role.ADMIN,
            "done": done_message(request, DONE),
            "local": local_text,
            "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
            "max_seconds": int(MAX_SECONDS),
        }
        return page(request, "admin_prompts.html", ctx)

    async def audio(self, request: Request) -> Response:
        pid = request.query_params.get("id", "")
        if pid not in self.catalog:
            return not_found(request, "没有这个提示音编号。", BASE)
        path = played_file(self.dir, pid)
        if not path.is_file():
            return not_found(request, "这个提示音还没有生成音频文件。", BASE)
        headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
        return FileResponse(
            path,
            media_type="audio/wav",
            filename=f"{pid}.wav",
            content_disposition_type="inline",
            headers=headers,
        )

    async def upload(self, request: Request) -> Response:
        async with request.form() as form:
            try:
                pid = self._prompt_id(form)
                audio = upload_field(form, "audio", "录音文件")
            except BadForm as exc:
                return refused(request, str(exc), BASE)
            data = await audio.read(MAX_UPLOAD_BYTES + 1)
            name = original_name(audio.filename)
        async with self.lock:
            try:
                prepared = await offload(self.deps, prepare_upload, data)
            except UploadRefused as exc:
                return refused(request, str(exc), BASE, status=413 if len(data) > MAX_UPLOAD_BYTES else 400)
            user = current_user(request)
            assert user is not None  # behind require()
            now = self.deps.clock()
            record = PromptOverride(
                pid, name, prepared.sha256, now, user.username, prepared.converted.seconds
            )
            try:
                async with self.deps.engine.begin() as conn:
                    await record_override(conn, record)
                    await offload(
                        self.deps,
                        partial(install, native=self.native),
                        self.dir,
                        pid,
                        prepared,
                        data,
                        stamp(now),
                    )
            except OSError as exc:
                return self._write_failed(request, pid, exc)
        detail: dict[str, object] = {
            "prompt_id": pid,
            "original_name": name,
            "format": prepared.converted.kind,
        }
        detail |= {"sha256": prepared.sha256, "seconds": round(prepared.converted.seconds, 2)}
        await audit_action(request, "prompt_upload", detail)
        return done(BASE, "uploaded")

    async def revert(self, request: Request) -> Response:
        async with request.form() as form:
            try:
                pid = self._prompt_id(form)
            except BadForm as exc:
                return refused(request, str(exc), BASE)
        async with self.lock:
            if original_of(self.dir, pid) is None:
                return refused(request, "这个提示音没有录音室录音，无需撤销。", BASE)
            try:
                async with self.deps.engine.begin() as conn:
                    await forget_override(conn, pid)
                    sha = await offload(
                        self.deps,
                        partial(revert, native=self.native),
                        self.dir,
                        pid,
                        self.catalog[pid],
                        stamp(self.deps.clock()),
                    )
            except RenderError as exc:
                return refused(request, f"重新生成失败，录音室录音保持不变：{exc}", BASE, status=503)
            except OSError as exc:
                return self._write_failed(request, pid, exc)
        await audit_action(request, "prompt_revert", {"prompt_id": pid, "sha256": sha})
        return done(BASE, "reverted")

    async def render(self, request: Request) -> Response:
        async with request.form() as form:
            scope = form.get("scope")
            try:
                pid = None if scope == "changed" else self._prompt_id(form)
            except BadForm as exc:
                return refused(request, f"{exc}（或选择重新生成全部有改动的提示音）", BASE)
        async with self.lock:
            try:
                if pid is None:
                    detail: dict[str, object] = {"scope": "changed"}
                    detail |= await offload(
                        self.deps, partial(render_changed, native=self.native), self.dir, self.catalog
                    )
                else:
                    if original_of(self.dir, pid) is not None:
                        return refused(request, "这个提示音正在使用录音室录音：请先撤销录音。", BASE)
                    how = await offload(
                        self.deps, partial(render_one, native=self.native), self.dir, pid, self.catalog[pid]
                    )
                    detail = {"prompt_id": pid, "made": how}
            except RenderError as exc:
                return refused(request, f"生成失败：{exc}", BASE, status=503)
            except OSError as exc:
                return self._write_failed(request, pid or "*", exc)
        await audit_action(request, "prompt_render", detail)
        return done(BASE, "rendered")

    def _write_failed(self, request: Request, pid: str, exc: OSError) -> Response:
        log.error("web.prompt_write_failed", prompt=pid, directory=str(self.dir), error=str(exc))
        message = (
            f"无法写入提示音目录（{exc.strerror or exc}），未做任何更改。请联系管理员检查目录权限和磁盘空间。"
        )
        return refused(request, message, BASE, status=500)


def prompt_routes(deps: WebDeps) -> list[BaseRoute]:
    """The prompts page: list and listening for supervisors and admins, changes for admins."""
    pages = _PromptsPage(deps)
    listen = require("supervisor", "admin")
    edit = require("admin")
    return [
        Route(BASE, listen(pages.index), methods=["GET"], name="admin_prompts"),
        Route(f"{BASE}/audio", listen(pages.audio), methods=["GET"], name="admin_prompt_audio"),
        Route(f"{BASE}/upload", edit(pages.upload), methods=["POST"], name="admin_prompt_upload"),
        Route(f"{BASE}/revert", edit(pages.revert), methods=["POST"], name="admin_prompt_revert"),
        Route(f"{BASE}/render", edit(pages.render), methods=["POST"], name="admin_prompt_render"),
    ]
