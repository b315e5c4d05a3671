"""The knowledge base in the console (agents, supervisors, admins): search it, read an article.

  GET /kb?q=电费            the search page (results rendered; kb.js refreshes them as one types)
  GET /kb/search?q=电费     the same search as JSON, for the agent desk beside the screen pop:
                            {"query", "terms", "results": [{id, title, snippet, tags, category,
                            category_label, url}]}; &limit=1..50 (default 10); a refused query
                            (too long, too many terms) answers 400 {"error": "<Chinese message>"}
  GET /kb/{id}              an article (an archived one only for admins)

Snippets and titles are plain text: the templates autoescape them, kb.js sets textContent.
The admins' pages (kb_admin.py) come with `kb_routes`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from hotline.kb.query import QUERY_MAX, Query, QueryError, parse_query
from hotline.kb.search import LIMIT_DEFAULT, LIMIT_MAX, Hit, search
from hotline.kb.store import get_article
from hotline.web.auth.roles import Role, current_user, require
from hotline.web.deps import WebDeps
from hotline.web.kb_admin import ID_MAX, admin_routes, local_time
from hotline.web.templating import error_page, page

READERS = ("agent", "supervisor", "admin")
NO_STORE = {"Cache-Control": "no-store"}


def hit_json(hit: Hit, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "id": hit.id,
        "title": hit.title,
        "snippet": hit.snippet,
        "tags": list(hit.tags),
        "category": hit.category,
        "category_label": labels.get(hit.category, hit.category) if hit.category else None,
        "url": f"/kb/{hit.id}",
    }


def _limit(text: str | None) -> int:
    if text is None or text == "":
        return LIMIT_DEFAULT
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= LIMIT_MAX:
        raise QueryError(f"limit 须为 1 到 {LIMIT_MAX} 的整数")
    return int(text)


class _KbPages:
    def __init__(self, deps: WebDeps) -> None:
        self.deps = deps
        self.labels = dict(deps.settings.categories.agent_categories)

    async def search_page(self, request: Request) -> Response:
        raw = request.query_params.get("q", "")
        hits: list[Hit] = []
        error = None
        try:
            query = parse_query(raw)
            hits = await search(self.deps.engine, query)
        except QueryError as exc:
            query, error = Query(()), str(exc)
        context = {"q": raw[: QUERY_MAX * 2], "query": query, "hits": hits, "error": error}
        context |= {"labels": self.labels, "query_max": QUERY_MAX}
        return page(request, "kb_search.html", context, 400 if error else 200)

    async def search_json(self, request: Request) -> Response:
        params = request.query_params
        try:
            query = parse_query(params.get("q"))
            limit = _limit(params.get("limit"))
        except QueryError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400, headers=NO_STORE)
        hits = await search(self.deps.engine, query, limit=limit)
        results = [hit_json(h, self.labels) for h in hits]
        body = {"query": query.text, "terms": list(query.terms), "results": results}
        return JSONResponse(body, headers=NO_STORE)

    async def article(self, request: Request) -> Response:
        article_id = request.path_params["article_id"]
        article = await get_article(self.deps.engine, article_id) if article_id <= ID_MAX else None
        user = current_user(request)
        is_admin = user is not None and user.role == Role.ADMIN
        if article is None or (article.archived and not is_admin):
            return error_page(request, 404, "文章不存在", "没有这篇知识库文章，或它已归档。")
        context = {"article": article, "labels": self.labels, "is_admin": is_admin}
        context |= {"updated": local_time(article.updated_at), "archived": local_time(article.archived_at)}
        return page(request, "kb_article.html", context)


def kb_routes(deps: WebDeps) -> list[BaseRoute]:
    """Every knowledge-base route: reading for agents, supervisors and admins, editing for admins."""
    pages = _KbPages(deps)
    readers = require(*READERS)
    return [
        Route("/kb", readers(pages.search_page), methods=["GET"], name="kb"),
        Route("/kb/search", readers(pages.search_json), methods=["GET"], name="kb_search"),
        Route("/kb/{article_id:int}", readers(pages.article), methods=["GET"], name="kb_article"),
        *admin_routes(deps, pages.labels),
    ]
