"""The admins' knowledge-base pages: the list, a new article, an edit, archive and restore.

  GET  /kb/admin                  every article (archived ones marked), with its buttons
  GET  /kb/admin/new              the empty form;  POST: create, then to the article
  GET  /kb/admin/{id}/edit        the form with the article and its versions;  POST: save
  POST /kb/admin/{id}/archive     hide it from search (kept, restorable)
  POST /kb/admin/{id}/restore     searchable again

Every POST carries the CSRF token (checked by the session middleware before these run) and
every change is audited (kb_create, kb_edit, kb_archive, kb_restore). Bad input comes back on
the form with the reason beside its field (400), an edit made from an outdated version or a
title another article has is refused (409): nothing changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from hotline.kb import store
from hotline.kb.drafts import BODY_MAX, TAG_MAX, TAGS_MAX, TITLE_MAX, InvalidArticle, KbError, check_draft
from hotline.kb.store import Article, ArticleNotFound, StaleEdit, TitleTaken, Version
from hotline.selfservice.local_time import LOCAL_TZ
from hotline.web.auth.audit import audit_action
from hotline.web.auth.roles import current_user, require
from hotline.web.deps import WebDeps
from hotline.web.templating import error_page, page

ACTION_LABELS = {
    "created": "新建",
    "edited": "编辑",
    "archived": "归档",
    "restored": "恢复",
    "imported": "导入",
}
ID_MAX = 2**31 - 1  # larger ids exist in no table (and SQLite cannot bind them)
LIMITS = {"title_max": TITLE_MAX, "body_max": BODY_MAX, "tag_max": TAG_MAX, "tags_max": TAGS_MAX}


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _actor(request: Request) -> str:
    user = current_user(request)
    assert user is not None  # behind require()
    return user.username


def local_time(value: datetime | None) -> str:
    """A stored time as the center's wall clock (Asia/Shanghai), to the minute."""
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if value else ""


def history(versions: Sequence[Version]) -> list[dict[str, Any]]:
    return [
        {"version": v.version, "action": ACTION_LABELS.get(v.action, v.action), "title": v.title}
        | {"at": local_time(v.saved_at), "by": v.saved_by}
        for v in versions
    ]


def _not_found(request: Request) -> Response:
    return error_page(request, 404, "文章不存在", "没有这篇知识库文章。")


class _AdminPages:
    def __init__(self, deps: WebDeps, labels: dict[str, str]) -> None:
        self.deps = deps
        self.labels = labels

    def _form(self, request: Request, values: dict[str, Any], *, status: int = 200, **extra: Any) -> Response:
        context: dict[str, Any] = {"values": values, "labels": self.labels, "errors": {}, "problem": None}
        context["versions"] = []
        return page(request, "kb_form.html", context | LIMITS | extra, status)

    async def _article(self, request: Request) -> Article | None:
        article_id = request.path_params["article_id"]
        return await store.get_article(self.deps.engine, article_id) if article_id <= ID_MAX else None

    async def index(self, request: Request) -> Response:
        articles = await store.list_articles(self.deps.engine, include_archived=True)
        return page(request, "kb_admin.html", {"articles": articles, "labels": self.labels})

    async def new(self, request: Request) -> Response:
        empty = {"title": "", "body": "", "tags": "", "category": "", "version": ""}
        if request.method == "GET":
            return self._form(request, empty, action="/kb/admin/new")
        form = await request.form()
        values = {name: _text(form, name) for name in empty}
        try:
            draft = check_draft(
                values["title"], values["body"], values["tags"], values["category"], self.labels
            )
            article = await store.create_article(
                self.deps.engine, draft, actor=_actor(request), now=self.deps.clock()
            )
        except KbError as exc:
            return self._refused(request, values, exc, action="/kb/admin/new")
        await audit_action(request, "kb_create", {"id": article.id, "title": article.title})
        return RedirectResponse(f"/kb/{article.id}", status_code=303)

    async def edit(self, request: Request) -> Response:
        article = await self._article(request)
        if article is None:
            return _not_found(request)
        action = f"/kb/admin/{article.id}/edit"
        versions = history(await store.list_versions(self.deps.engine, article.id))
        if request.method == "GET":
            values = {"title": article.title, "body": article.body, "tags": " ".join(article.tags)}
            values |= {"category": article.category or "", "version": str(article.version)}
            return self._form(request, values, action=action, article=article, versions=versions)
        form = await request.form()
        values = {name: _text(form, name) for name in ("title", "body", "tags", "category", "version")}
        try:
            draft = check_draft(
                values["title"], values["body"], values["tags"], values["category"], self.labels
            )
            version = int(values["version"]) if values["version"].isdigit() else -1
            saved = await store.update_article(
                self.deps.engine,
                article.id,
                draft,
                version=version,
                actor=_actor(request),
                now=self.deps.clock(),
            )
        except KbError as exc:
            return self._refused(request, values, exc, action=action, article=article, versions=versions)
        await audit_action(
            request, "kb_edit", {"id": saved.id, "title": saved.title, "version": saved.version}
        )
        return RedirectResponse(f"/kb/{saved.id}", status_code=303)

    def _refused(self, request: Request, values: dict[str, str], exc: KbError, **extra: Any) -> Response:
        if isinstance(exc, InvalidArticle):
            return self._form(request, values, status=400, errors=exc.errors, **extra)
        if isinstance(exc, TitleTaken):
            return self._form(request, values, status=409, errors={"title": str(exc)}, **extra)
        status = 409 if isinstance(exc, StaleEdit) else 404 if isinstance(exc, ArticleNotFound) else 400
        return self._form(request, values, status=status, problem=str(exc), **extra)

    async def _set_archived(self, request: Request, archived: bool) -> Response:
        article_id = request.path_params["article_id"]
        if article_id > ID_MAX:
            return _not_found(request)
        try:
            article, changed = await store.set_archived(
                self.deps.engine, article_id, archived, actor=_actor(request), now=self.deps.clock()
            )
        except ArticleNotFound:
            return _not_found(request)
        if changed:
            action = "kb_archive" if archived else "kb_restore"
            await audit_action(request, action, {"id": article.id, "title": article.title})
        return RedirectResponse("/kb/admin", status_code=303)

    async def archive(self, request: Request) -> Response:
        return await self._set_archived(request, True)

    async def restore(self, request: Request) -> Response:
        return await self._set_archived(request, False)


def admin_routes(deps: WebDeps, labels: dict[str, str]) -> list[BaseRoute]:
    """The admins' routes (admin only); `labels`: the agent categories, key -> label."""
    pages = _AdminPages(deps, labels)
    admin = require("admin")
    return [
        Route("/kb/admin", admin(pages.index), methods=["GET"], name="kb_admin"),
        Route("/kb/admin/new", admin(pages.new), methods=["GET", "POST"], name="kb_new"),
        Route("/kb/admin/{article_id:int}/edit", admin(pages.edit), methods=["GET", "POST"], name="kb_edit"),
        Route(
            "/kb/admin/{article_id:int}/archive", admin(pages.archive), methods=["POST"], name="kb_archive"
        ),
        Route(
            "/kb/admin/{article_id:int}/restore", admin(pages.restore), methods=["POST"], name="kb_restore"
        ),
    ]
