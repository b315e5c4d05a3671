"""Login and logout: the cookie, one answer for a wrong name or password, the rate limit, where
the browser goes next, and the audit rows."""

from __future__ import annotations

import json

import pytest
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import select
from web_harness import CSRF_FIELD, PASSWORD, add_user, build, client, csrf_of, log_in, settings

from hotline.store.web_models import AuditRow, UserRow, WebSessionRow
from hotline.web.auth import accounts
from hotline.web.auth.passwords import Passwords

WRONG = "用户名或密码错误"


def set_cookies(response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


async def audit_rows(engine) -> list[tuple[str, str, str | None]]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(AuditRow).order_by(AuditRow.id))).all()
    return [(r.action, r.username, r.role) for r in rows]


async def test_login_sets_an_httponly_strict_session_cookie_and_goes_home(engine, http):
    await add_user(engine, "wang", "supervisor")
    r = await log_in(http, "wang")
    assert r.status_code == 303 and r.headers["location"] == "/wallboard"
    cookie = set_cookies(r)["hotline_session"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie and "Max-Age" not in cookie
    assert (await http.get("/board")).status_code == 200
    async with engine.connect() as conn:
        stored = (await conn.execute(select(WebSessionRow.token_hash))).scalars().all()
    raw_token = cookie.split("=", 1)[1].split(";")[0].rsplit(".", 1)[0]
    assert len(stored) == 1 and raw_token not in stored[0] and len(stored[0]) == 64


async def test_secure_cookies_are_marked_secure(engine, db_url, tmp_path, clock, offload):
    app, _ = build(engine, settings(db_url, tmp_path, secure_cookies=True), clock, offload)
    await add_user(engine, "wang")
    async with client(app) as c:
        first = await c.get("/login")
        assert "Secure" in set_cookies(first)["hotline_prelogin"]
        token = CSRF_FIELD.search(first.text).group(1)
        prelogin = set_cookies(first)["hotline_prelogin"].split(";")[0].split("=", 1)[1]
        c.cookies.set("hotline_prelogin", prelogin)  # httpx keeps Secure cookies off http://
        r = await c.post("/login", data={"csrf_token": token, "username": "wang", "password": PASSWORD})
    assert r.status_code == 303, r.text
    assert "Secure" in set_cookies(r)["hotline_session"]


@pytest.mark.parametrize("username, password", [("wang", "wrong-password-1"), ("nobody", PASSWORD)])
async def test_a_wrong_password_or_user_gets_one_generic_401(engine, http, username, password):
    await add_user(engine, "wang")
    r = await log_in(http, username, password)
    assert r.status_code == 401
    assert WRONG in r.text and "hotline_session" not in set_cookies(r)
    assert (await audit_rows(engine)) == [("login_failed", username, None)]


async def test_a_disabled_account_cannot_log_in_even_with_its_password(engine, http):
    await add_user(engine, "wang")
    await accounts.set_disabled(engine, "wang", True)
    r = await log_in(http, "wang")
    assert r.status_code == 401 and WRONG in r.text


async def test_rate_limit_refuses_even_the_right_password_until_the_window_passes(engine, http, clock):
    await add_user(engine, "wang")
    for _ in range(3):  # login_attempts: 3
        assert (await log_in(http, "wang", "wrong-password-1")).status_code == 401
    r = await log_in(http, "wang")
    assert r.status_code == 429
    assert "登录失败次数过多，请稍后再试" in r.text and "5 分钟" in r.text
    assert int(r.headers["retry-after"]) == 300
    clock.advance(seconds=299)
    assert (await log_in(http, "wang")).status_code == 429
    clock.advance(seconds=1)
    assert (await log_in(http, "wang")).status_code == 303
    actions = [a for a, _, _ in await audit_rows(engine)]
    assert actions == ["login_failed"] * 3 + ["login_blocked"] * 2 + ["login"]


async def test_rate_limit_counts_per_address_across_user_names(engine, http):
    await add_user(engine, "wang")
    for name in ("a1", "a2", "a3"):
        await log_in(http, name, "wrong-password-1")
    assert (await log_in(http, "wang")).status_code == 429


async def test_next_is_followed_only_to_a_local_path(engine, http):
    await add_user(engine, "wang")
    r = await log_in(http, "wang", next_="//evil.example/x")
    assert r.headers["location"] == "/wallboard"
    await http.post("/logout", data={"csrf_token": await csrf_of(http, "/board")})
    r = await log_in(http, "wang", next_="/reports?day=2026-11-25")
    assert r.headers["location"] == "/reports?day=2026-11-25"


async def test_the_login_page_drops_a_foreign_next(http):
    r = await http.get("/login?next=//evil.example")
    assert r.status_code == 200 and 'name="next" value=""' in r.text
    assert "用户名" in r.text and "密码" in r.text and "登录" in r.text


async def test_home_redirects_by_role(engine, http):
    assert (await http.get("/")).headers["location"] == "/login"
    await add_user(engine, "li", "agent", agent_id="001")
    await log_in(http, "li")
    assert (await http.get("/")).headers["location"] == "/agent"
    assert (await http.get("/login")).headers["location"] == "/agent"


async def test_an_agent_account_is_refused_on_a_supervisor_page(engine, http):
    await add_user(engine, "li", "agent", agent_id="001")
    r = await log_in(http, "li")
    assert r.headers["location"] == "/agent"
    r = await http.get("/board", headers={"accept": "text/html"})
    assert r.status_code == 403 and "无权访问" in r.text


async def test_logged_out_browser_is_sent_to_login_with_next(http):
    r = await http.get("/board?wall=1", headers={"accept": "text/html"})
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fboard%3Fwall%3D1"


async def test_logout_ends_the_session_and_is_audited(engine, http):
    await add_user(engine, "wang")
    await log_in(http, "wang")
    token = await csrf_of(http, "/board")
    r = await http.post("/logout", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert "Max-Age=0" in set_cookies(r)["hotline_session"]
    async with engine.connect() as conn:
        assert (await conn.execute(select(WebSessionRow))).all() == []
    assert (await http.get("/board", headers={"accept": "text/html"})).status_code == 303
    assert await audit_rows(engine) == [("login", "wang", "supervisor"), ("logout", "wang", "supervisor")]


async def test_a_display_name_is_rendered_as_text(engine, http):
    await add_user(engine, "wang", display_name="<script>alert(1)</script>")
    await log_in(http, "wang")
    r = await http.get("/board")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text and "<script>alert" not in r.text


async def test_an_outdated_hash_is_replaced_at_login(engine, http):
    old = Passwords(Argon2Hasher(time_cost=2, memory_cost=1024, parallelism=1))
    await add_user(engine, "wang", passwords=old)
    async with engine.connect() as conn:
        before = await conn.scalar(select(UserRow.password_hash))
    assert (await log_in(http, "wang")).status_code == 303
    async with engine.connect() as conn:
        after = await conn.scalar(select(UserRow.password_hash))
    assert before.startswith("$argon2id$v=19$m=1024,t=2") and after.startswith("$argon2id$v=19$m=1024,t=1")


async def test_a_route_audits_what_the_user_did(engine, http):
    await add_user(engine, "wang")
    await log_in(http, "wang")
    token = await csrf_of(http, "/board")
    assert (await http.post("/change", data={"csrf_token": token, "value": "暂停 001"})).status_code == 200
    async with engine.connect() as conn:
        row = (await conn.execute(select(AuditRow).where(AuditRow.action == "probe_change"))).one()
    assert (row.username, row.role, json.loads(row.detail)) == ("wang", "supervisor", {"value": "暂停 001"})
    assert row.at.tzinfo is not None and row.address == "127.0.0.1"
