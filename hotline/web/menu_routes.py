"""The menu pages' routes, for the console's app: `menu_routes(deps, menus)`."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from hotline.services.menus import MenuStore
from hotline.web.auth.roles import require
from hotline.web.deps import WebDeps
from hotline.web.menu_admin import MenuAdmin
from hotline.web.menu_page import MenuPage
from hotline.web.menu_versions_page import VersionPages
from prompts.catalog import site_catalog


def menu_routes(deps: WebDeps, menus: MenuStore) -> list[BaseRoute]:
    """The menu pages, admins only: editor, diagram, check, publish, versions, roll back.
    `menus` is the daemon's MenuStore (CallContext.menus), the one calls take their menu from.
    The prompt texts the diagram shows are the site's catalog, read once here."""
    prompts = site_catalog(company=deps.settings.company, agent_ids=[a.id for a in deps.settings.agents])
    admin = MenuAdmin(deps, menus, prompts)
    editor, versions = MenuPage(admin), VersionPages(admin)
    admins = require("admin")
    return [
        Route("/admin/menu", admins(editor.index), methods=["GET"], name="menu"),
        Route("/admin/menu/diagram.svg", admins(editor.diagram), methods=["GET"], name="menu_diagram"),
        Route("/admin/menu/check", admins(editor.check), methods=["POST"], name="menu_check"),
        Route("/admin/menu/publish", admins(editor.publish), methods=["POST"], name="menu_publish"),
        Route("/admin/menu/versions", admins(versions.index), methods=["GET"], name="menu_versions"),
        Route("/admin/menu/version", admins(versions.show), methods=["GET"], name="menu_version"),
        Route("/admin/menu/rollback", admins(versions.rollback), methods=["POST"], name="menu_rollback"),
    ]
