"""The accounts page (admins): how many customer accounts the bill query knows, and an import of
the billing system's CSV export by upload, all or nothing like `hotline accounts import`: every
bad line is shown with its line number and nothing is written.

  GET  /admin/accounts          the count, the last import, the upload form
  POST /admin/accounts/import   file (multipart, UTF-8 CSV with the COLUMNS header)

The file is checked and written in the offload pool (accounts_offload.py).
"""

from __future__ import annotations

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import Response

from hotline.selfservice.account_import import COLUMNS, OPTIONAL_COLUMNS, AccountImportError
from hotline.selfservice.models import AccountRow
from hotline.store.prompt_overrides import original_name
from hotline.web.accounts_offload import import_blocking
from hotline.web.admin_kit import (
    BadForm,
    done,
    done_count,
    done_message,
    local_text,
    offload,
    refused,
    upload_field,
)
from hotline.web.auth.audit import audit_action
from hotline.web.deps import WebDeps
from hotline.web.templating import page

BASE = "/admin/accounts"
DONE = {"imported": "账户已导入。"}
LINES_SHOWN = 200  # bad lines listed on the page (the count says how many there are in all)


class AccountsPage:
    def __init__(self, deps: WebDeps) -> None:
        self.deps = deps

    async def index(self, request: Request) -> Response:
        async with self.deps.engine.connect() as conn:
            count, last = (await conn.execute(select(func.count(), func.max(AccountRow.updated_at)))).one()
        ctx = {
            "count": count,
            "last": local_text(last) if last is not None else None,
            "columns": COLUMNS,
            "optional": OPTIONAL_COLUMNS,
            "done": done_message(request, DONE),
            "imported": done_count(request),
        }
        return page(request, "admin_accounts.html", ctx)

    async def upload(self, request: Request) -> Response:
        async with request.form() as form:
            try:
                file = upload_field(form, "file", "CSV 文件")
            except BadForm as exc:
                return refused(request, str(exc), BASE)
            data = await file.read()
            source = original_name(file.filename)
        now = self.deps.clock()
        try:
            count = await offload(
                self.deps, import_blocking, self.deps.settings.database.url, data, source, now
            )
        except AccountImportError as exc:
            more = len(exc.errors) - LINES_SHOWN
            message = f"文件中 {len(exc.errors)} 行有错误，未导入任何账户。请改正后重新上传。"
            lines = exc.errors[:LINES_SHOWN] + ([f"……另有 {more} 行错误未列出"] if more > 0 else [])
            return refused(request, message, BASE, title="导入失败", lines=lines)
        await audit_action(
            request, "accounts_import", {"file": source, "accounts": count, "bytes": len(data)}
        )
        return done(BASE, "imported", n=count)
