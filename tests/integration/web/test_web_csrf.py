"""Every POST needs the CSRF token (form field or X-CSRF-Token header); without it: 403 and the
endpoint never runs. The body still reaches the endpoint when the token is right."""

from __future__ import annotations

from sqlalchemy import func, select
from web_harness import PASSWORD, add_user, client, csrf_of, log_in

from hotline.store.web_models import WebSessionRow
from hotline.web.auth.csrf import MAX_BODY


async def logged_in(engine, http) -> str:
    await add_user(engine, "wang")
    await log_in(http, "wang")
    return await csrf_of(http, "/board")


async def test_a_post_without_token_is_refused_and_changes_nothing(engine, http, probe):
    await logged_in(engine, http)
    r = await http.post("/change", data={"value": "x"})
    assert r.status_code == 403 and "CSRF" in r.text and "未做任何更改" in r.text
    r = await http.post("/change", data={"value": "x", "csrf_token": "wrong"})
    assert r.status_code == 403
    r = await http.post("/change", json={"value": "x"})
    assert r.status_code == 403
    assert probe.changes == []


async def test_a_post_with_the_token_reaches_the_endpoint_with_its_body(engine, http, probe):
    token = await logged_in(engine, http)
    assert (await http.post("/change", data={"csrf_token": token, "value": "一"})).status_code == 200
    r = await http.post("/change", data={"value": "二"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200
    r = await http.post("/change", data={"csrf_token": token, "value": "三"}, files={"f": ("a.csv", b"x,y")})
    assert r.status_code == 200
    assert probe.changes == ["一", "二", "三"]


async def test_the_pre_login_token_does_not_work_after_login(engine, http, probe):
    await add_user(engine, "wang")
    pre = await csrf_of(http)
    await log_in(http, "wang")
    assert (await http.post("/change", data={"csrf_token": pre, "value": "x"})).status_code == 403
    assert probe.changes == []


async def test_the_login_form_needs_its_token(engine, http):
    await add_user(engine, "wang")
    await http.get("/login")
    r = await http.post("/login", data={"username": "wang", "password": PASSWORD})
    assert r.status_code == 403
    r = await http.post("/login", data={"username": "wang", "password": PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 403
    async with engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(WebSessionRow)) == 0


async def test_a_token_from_another_browser_is_refused(engine, http, web):
    await add_user(engine, "wang")
    async with client(web[0]) as other:
        theirs = await csrf_of(other)
    await http.get("/login")
    r = await http.post("/login", data={"username": "wang", "password": PASSWORD, "csrf_token": theirs})
    assert r.status_code == 403


async def test_an_oversized_body_is_refused(engine, http, probe):
    token = await logged_in(engine, http)
    r = await http.post("/change", data={"csrf_token": token, "value": "x" * (MAX_BODY + 1)})
    assert r.status_code == 413 and probe.changes == []


async def test_logout_without_token_keeps_the_session(engine, http):
    await logged_in(engine, http)
    assert (await http.post("/logout")).status_code == 403
    assert (await http.get("/board")).status_code == 200
