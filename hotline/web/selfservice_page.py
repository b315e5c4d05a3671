"""The self-service data pages (admins): outage notices (outages_page.py) and customer accounts
(accounts_page.py), for the IVR's outage and bill queries."""

from __future__ import annotations

from collections.abc import Callable

from starlette.routing import BaseRoute, Route

from hotline.web.accounts_page import AccountsPage
from hotline.web.auth.roles import require
from hotline.web.deps import WebDeps
from hotline.web.outages_page import OutagesPage


def selfservice_routes(deps: WebDeps, *, dialer_changed: Callable[[], None] | None = None) -> list[BaseRoute]:
    """`dialer_changed`: the daemon's OutboundRuntime.poll_soon, so a notice's calls (or their
    cancellation) are taken up at once; None: at the dialer's next poll."""
    outages = OutagesPage(deps, dialer_changed)
    accounts = AccountsPage(deps)
    admin = require("admin")
    return [
        Route("/admin/outages", admin(outages.index), methods=["GET"], name="admin_outages"),
        Route("/admin/outages/add", admin(outages.add), methods=["POST"], name="admin_outage_add"),
        Route("/admin/outages/edit", admin(outages.edit), methods=["POST"], name="admin_outage_edit"),
        Route("/admin/outages/cancel", admin(outages.cancel), methods=["POST"], name="admin_outage_cancel"),
        Route("/admin/accounts", admin(accounts.index), methods=["GET"], name="admin_accounts"),
        Route(
            "/admin/accounts/import", admin(accounts.upload), methods=["POST"], name="admin_accounts_import"
        ),
    ]
