"""The admin's menu editor on a real MenuStore: check shows the validator's errors at their lines
and changes nothing, publish swaps the running menu (calls in progress keep theirs) and records
the version, the diff, the diagram, and what is refused (CSRF, role, size, encoding, stale edit)."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from html import unescape

import httpx
import pytest
from menu_app import (
    ORIGINAL,
    MenuSite,
    audit_rows,
    build,
    editor_text,
    logged_in,
    page_form,
    post_menu,
    version_rows,
)
from web_harness import client

from hotline.services import menu_history

# two mistakes: a prompt id not in the catalog (line 22) and key 0 bound to a menu entry (line 30)
INVALID = ORIGINAL.replace("prompt: menu_top", "prompt: no_such_prompt").replace(
    "      6: feedback", "      6: feedback\n      0: outage"
)
NEW = ORIGINAL.replace('version: "2025.1"', 'version: "2025.2"')
NEW = NEW.replace("label: 主菜单", "label: 主菜单（新）")
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.fixture
def site(engine, db_url, tmp_path, clock, offload) -> MenuSite:
    return build(engine, db_url, tmp_path, clock, offload)


@pytest.fixture
async def admin(site: MenuSite) -> AsyncIterator[httpx.AsyncClient]:
    c = await logged_in(site)
    yield c
    await c.aclose()


async def test_the_page_shows_the_running_menu_and_records_it_once(site, admin):
    r = await admin.get("/admin/menu")
    assert r.status_code == 200
    assert editor_text(r.text) == ORIGINAL
    assert site.menus.current.version in r.text and 'src="/admin/menu/diagram.svg' in r.text
    await admin.get("/admin/menu")
    (row,) = await version_rows(site.engine)  # the menu that was running before any publication
    assert (row.version, row.published_by) == (site.menus.current.version, menu_history.BY_FOUND)
    assert row.sha256 == site.menus.current.sha256 and row.yaml == ORIGINAL


async def test_the_page_warns_when_the_file_was_edited_on_the_server_and_not_reloaded(site, admin):
    assert 'id="menu-file-edited"' not in (await admin.get("/admin/menu")).text
    site.path.write_text(NEW, encoding="utf-8")  # edited on the server, no `hotline menu reload`
    r = await admin.get("/admin/menu")
    assert 'id="menu-file-edited"' in r.text and editor_text(r.text) == ORIGINAL  # the running one


async def test_an_invalid_edit_shows_its_errors_at_their_lines_and_changes_nothing(site, admin):
    running = site.menus.current
    await admin.get("/admin/menu")  # the browser opens the editor: the running menu is recorded
    before = await version_rows(site.engine)
    bad_prompt, bad_key = line_of(INVALID, "no_such_prompt"), line_of(INVALID, "0: outage")
    for action, status in (("check", 200), ("publish", 422)):
        r = await post_menu(admin, action, INVALID)
        assert r.status_code == status, r.text
        listed = re.findall(r'<li data-line="(\d+)">', r.text)
        assert listed == [str(bad_prompt), str(bad_key)]
        assert f"第 {bad_prompt} 行" in r.text and "no_such_prompt" in unescape(r.text)
        marked = re.findall(r'<span class="bad">(\d+)</span>', r.text)
        assert marked == [str(bad_prompt), str(bad_key)]
        assert f'data-error-lines="{bad_prompt},{bad_key}"' in r.text
        assert editor_text(r.text) == INVALID  # the draft stays in the editor to be fixed
    assert site.path.read_text(encoding="utf-8") == ORIGINAL
    assert site.menus.current is running and site.menus.reloads == 0
    assert len(await version_rows(site.engine)) == len(before)
    assert await audit_rows(site.engine, "menu_publish") == []


async def test_check_of_a_valid_edit_shows_its_version_and_the_diff(site, admin):
    r = await post_menu(admin, "check", NEW)
    assert r.status_code == 200 and 'id="menu-ok"' in r.text
    assert re.search(r"2025\.2\+[0-9a-f]{8}", r.text)
    diff = re.findall(r'<span class="(add|del)">(.*?)</span>', r.text)
    assert ("del", "-    label: 主菜单") in diff and ("add", "+    label: 主菜单（新）") in diff
    assert ("del", "-version: &#34;2025.1&#34;") in diff and ("add", "+version: &#34;2025.2&#34;") in diff
    assert site.menus.reloads == 0 and site.path.read_text(encoding="utf-8") == ORIGINAL


async def test_a_valid_publish_swaps_the_running_menu_and_records_the_version(site, admin):
    os.chmod(site.path, 0o640)
    in_call = site.menus.current  # what a call in progress holds (inbound.py takes it at the start)
    r = await post_menu(admin, "publish", NEW, note="主菜单改名")
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/menu?published=")
    assert site.path.read_text(encoding="utf-8") == NEW  # LF kept, not the browser's CRLF
    assert os.stat(site.path).st_mode & 0o777 == 0o640
    live = site.menus.current
    assert live.version.startswith("2025.2+") and live.menu.nodes["top"].label == "主菜单（新）"
    assert in_call.version.startswith("2025.1+") and in_call.menu.nodes["top"].label == "主菜单"
    found, published = await version_rows(site.engine)
    assert found.published_by == menu_history.BY_FOUND and found.version == in_call.version
    assert (published.version, published.sha256, published.yaml) == (live.version, live.sha256, NEW)
    assert (published.published_by, published.note) == ("admin1", "主菜单改名")
    (audit,) = await audit_rows(site.engine, "menu_publish")
    detail = json.loads(audit.detail)
    assert (detail["version"], detail["sha256"], detail["id"]) == (live.version, live.sha256, published.id)
    page = await admin.get(r.headers["location"])
    assert f"现在运行的菜单是 {live.version}" in page.text and editor_text(page.text) == NEW


async def test_publishing_the_running_menu_again_or_a_stale_edit_changes_nothing(site, admin):
    stale = await page_form(admin)
    assert (await post_menu(admin, "publish", ORIGINAL)).status_code == 409  # nothing to publish
    assert (await post_menu(admin, "publish", NEW)).status_code == 303
    running = site.menus.current
    other = NEW.replace("主菜单（新）", "主菜单（又一版）")
    r = await admin.post("/admin/menu/publish", data={**stale, "yaml": other})  # began from 2025.1
    assert r.status_code == 409 and "在您编辑期间" in r.text
    assert site.menus.current is running and site.path.read_text(encoding="utf-8") == NEW
    assert len(await version_rows(site.engine)) == 2


async def test_a_file_that_cannot_be_written_changes_nothing(site, admin):
    form = await page_form(admin)
    running = site.menus.current
    site.path.unlink()
    site.path.mkdir()  # the menu's place taken by a folder: replacing the file fails
    r = await admin.post("/admin/menu/publish", data={**form, "yaml": NEW})
    assert r.status_code == 503 and "无法写入菜单文件" in r.text
    assert site.menus.current is running and len(await version_rows(site.engine)) == 1


async def test_an_oversized_or_badly_encoded_menu_is_refused(site, admin):
    form = await page_form(admin)
    huge = ORIGINAL + "#" * (256 * 1024) + "\n"
    r = await admin.post("/admin/menu/publish", data={**form, "yaml": huge})
    assert r.status_code == 413 and "256 KiB" in r.text
    body = "&".join(f"{k}={v}" for k, v in form.items()) + "&yaml=version%3A+%FF%FE%0A"  # not UTF-8
    headers = {"content-type": "application/x-www-form-urlencoded"}
    r = await admin.post("/admin/menu/check", content=body, headers=headers)
    assert r.status_code == 400 and "UTF-8" in r.text
    r = await admin.post("/admin/menu/publish", content=body, headers=headers)
    assert r.status_code == 400 and "UTF-8" in r.text
    assert site.menus.reloads == 0 and site.path.read_text(encoding="utf-8") == ORIGINAL


async def test_a_post_without_its_csrf_token_is_refused(site, admin):
    form = await page_form(admin)
    r = await admin.post("/admin/menu/publish", data={"base": form["base"], "yaml": NEW})
    assert r.status_code == 403
    assert site.menus.reloads == 0 and site.path.read_text(encoding="utf-8") == ORIGINAL


@pytest.mark.parametrize("role", ["supervisor", "agent", None])
async def test_only_an_admin_may_see_or_change_the_menu(site, role):
    c = await logged_in(site, role) if role else client(site.app)
    try:
        token = re.search(r'name="csrf_token" value="([^"]+)"', (await c.get("/login")).text)
        form = {"csrf_token": token.group(1) if token else "", "base": "0" * 64, "yaml": NEW}
        want = 403 if role else 401
        gets = ("/admin/menu", "/admin/menu/diagram.svg", "/admin/menu/versions", "/admin/menu/version?id=1")
        for path in gets:
            assert (await c.get(path)).status_code == want, path
        for path in ("/admin/menu/check", "/admin/menu/publish", "/admin/menu/rollback"):
            assert (await c.post(path, data={**form, "id": "1"})).status_code == want, path
    finally:
        await c.aclose()
    assert site.menus.reloads == 0 and site.path.read_text(encoding="utf-8") == ORIGINAL


async def test_markup_in_a_label_is_escaped_in_the_page_and_the_diagram(site, admin):
    hostile = NEW.replace("label: 主菜单（新）", f"label: '{XSS}'")
    r = await post_menu(admin, "check", hostile)
    assert XSS not in r.text and "<script>alert" not in r.text and 'id="menu-ok"' in r.text
    assert (await post_menu(admin, "publish", hostile)).status_code == 303
    page = await admin.get("/admin/menu")
    assert XSS not in page.text and "<script>alert" not in page.text and editor_text(page.text) == hostile
    svg = await admin.get("/admin/menu/diagram.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "default-src 'none'" in svg.headers["content-security-policy"]
    assert "<script" not in svg.text and "<img" not in svg.text
    root = ET.fromstring(svg.content)  # well-formed: the label is text, not markup
    ns = "{http://www.w3.org/2000/svg}"
    top = next(g for g in root.iter(f"{ns}g") if g.get("data-id") == "top")
    assert XSS in top.find(f"{ns}title").text  # type: ignore[union-attr]
