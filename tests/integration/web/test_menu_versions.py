"""The menu's versions in the console: the list (who, when, hash), one version with its diff,
and roll back = publish that version's text again (checked again, recorded, audited)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from menu_app import ORIGINAL, MenuSite, audit_rows, build, editor_text, logged_in, post_menu, version_rows

from hotline.services import menu_history
from hotline.services.menus import LoadedMenu

NEW = ORIGINAL.replace('version: "2025.1"', 'version: "2025.2"')
NEW = NEW.replace("label: 主菜单", "label: 新主菜单")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def site(engine, db_url, tmp_path, clock, offload) -> MenuSite:
    return build(engine, db_url, tmp_path, clock, offload)


@pytest.fixture
async def admin(site: MenuSite) -> AsyncIterator[httpx.AsyncClient]:
    c = await logged_in(site)
    yield c
    await c.aclose()


async def rollback_form(c: httpx.AsyncClient, version_id: int) -> dict[str, str]:
    """The roll back button's form for `version_id`, as the versions list shows it."""
    html = (await c.get("/admin/menu/versions")).text
    form = re.search(
        r'action="/admin/menu/rollback".{0,80}?name="csrf_token" value="([^"]+)"'
        rf'.{{0,80}}?name="id" value="{version_id}".{{0,80}}?name="sha256" value="([0-9a-f]{{64}})"',
        html,
        re.S,
    )
    assert form, html
    return {"csrf_token": form.group(1), "id": str(version_id), "sha256": form.group(2)}


async def test_the_list_shows_who_when_and_the_hash(site, admin):
    assert (await post_menu(admin, "publish", NEW, note="试行")).status_code == 303
    html = (await admin.get("/admin/menu/versions")).text
    found, published = await version_rows(site.engine)
    assert re.search(rf'<tr id="version-{published.id}"[^>]*class="live"', html)
    assert published.sha256[:12] in html and found.sha256[:12] in html
    assert "admin1" in html and "已在运行（首次记录）" in html and "试行" in html
    assert "2026-11-26 09:00:00" in html  # the test clock's 01:00 UTC, in the center's time
    assert f'name="id" value="{found.id}"' in html
    assert f'name="id" value="{published.id}"' not in html  # it is running: no roll back button


async def test_roll_back_restores_the_old_text_and_version(site, admin):
    original = site.menus.current
    assert (await post_menu(admin, "publish", NEW)).status_code == 303
    in_call = site.menus.current
    r = await admin.post("/admin/menu/rollback", data=await rollback_form(admin, 1))
    assert r.status_code == 303 and r.headers["location"] == "/admin/menu/versions?rolled_back=3"
    assert site.path.read_text(encoding="utf-8") == ORIGINAL
    live = site.menus.current
    assert (live.version, live.sha256) == (original.version, original.sha256)
    assert in_call.version.startswith("2025.2+")  # a call on the published menu keeps it
    rows = await version_rows(site.engine)
    assert [(v.id, v.rolled_back_from, v.published_by) for v in rows] == [
        (1, None, menu_history.BY_FOUND),
        (2, None, "admin1"),
        (3, 1, "admin1"),
    ]
    assert rows[2].yaml == ORIGINAL and rows[2].version == original.version
    (audit,) = await audit_rows(site.engine, "menu_rollback")
    detail = json.loads(audit.detail)
    assert (detail["version"], detail["sha256"], detail["rolled_back_from"]) == (
        original.version,
        original.sha256,
        1,
    )
    assert "已回滚" in (await admin.get(r.headers["location"])).text
    editor = await admin.get("/admin/menu")
    assert editor_text(editor.text) == ORIGINAL


async def test_a_version_that_no_longer_checks_is_not_rolled_back(site, admin):
    """The prompts may have changed since: the old text is checked again, and shown with its errors."""
    await admin.get("/admin/menu")
    broken = ORIGINAL.replace("prompt: menu_top", "prompt: retired_prompt").encode("utf-8")
    stale = LoadedMenu(site.menus.current.menu, "2024.9+0badf00d", broken)
    old_id = await menu_history.record(site.engine, stale, at=datetime(2026, 11, 20, tzinfo=UTC), by="admin1")
    form = await rollback_form(admin, old_id)
    running, before = site.menus.current, await version_rows(site.engine)
    r = await admin.post("/admin/menu/rollback", data=form)
    assert r.status_code == 422 and "retired_prompt" in r.text
    line = next(i for i, s in enumerate(broken.decode().splitlines(), 1) if "retired_prompt" in s)
    assert re.findall(r'<li data-line="(\d+)">', r.text) == [str(line)]
    assert editor_text(r.text) == broken.decode()  # in the editor, to be fixed and published
    assert site.menus.current is running and site.path.read_text(encoding="utf-8") == ORIGINAL
    assert len(await version_rows(site.engine)) == len(before)
    assert await audit_rows(site.engine, "menu_rollback") == []


async def test_roll_back_refusals_change_nothing(site, admin):
    assert (await post_menu(admin, "publish", NEW)).status_code == 303
    running = site.menus.current
    form = await rollback_form(admin, 1)
    token = {"csrf_token": form["csrf_token"]}
    refused = [
        (token, 400),  # which version?
        ({**token, "id": "1"}, 400),  # and its hash?
        ({**form, "id": "x1"}, 400),
        ({**form, "sha256": "0" * 64}, 409),  # not the version the list showed
        ({**form, "id": "99"}, 404),
        ({**token, "id": "2", "sha256": running.sha256}, 409),  # the running one
        ({"id": "1", "sha256": form["sha256"]}, 403),  # no CSRF token
    ]
    for data, status in refused:
        assert (await admin.post("/admin/menu/rollback", data=data)).status_code == status, data
    assert site.menus.current is running and site.path.read_text(encoding="utf-8") == NEW
    assert len(await version_rows(site.engine)) == 2


async def test_one_version_shows_its_text_and_its_diff_escaped(site, admin):
    hostile = NEW.replace("label: 新主菜单", "label: '<b onmouseover=alert(1)>主</b>'")
    assert (await post_menu(admin, "publish", hostile)).status_code == 303
    r = await admin.get("/admin/menu/version?id=1")
    assert r.status_code == 200 and "<b onmouseover" not in r.text
    assert "&lt;b onmouseover=alert(1)&gt;" in r.text  # in the diff (running -> this version)
    assert ("add", "+    label: 主菜单") in re.findall(r'<span class="(add|del)">(.*?)</span>', r.text)
    assert (await admin.get("/admin/menu/version?id=42")).status_code == 404
    assert (await admin.get("/admin/menu/version?id=")).status_code == 400


async def test_a_supervisor_cannot_roll_back(site, admin):
    assert (await post_menu(admin, "publish", NEW)).status_code == 303
    form = await rollback_form(admin, 1)
    c = await logged_in(site, "supervisor")
    try:
        page = await c.get("/admin/menu", headers={"accept": "text/html"})
        csrf = CSRF.search(page.text)
        assert csrf, page.text
        r = await c.post("/admin/menu/rollback", data={**form, "csrf_token": csrf.group(1)})
        assert r.status_code == 403
        assert (await c.get("/admin/menu/version?id=1")).status_code == 403
    finally:
        await c.aclose()
    assert site.path.read_text(encoding="utf-8") == NEW
