"""Sessions end: idle (sliding), at the maximum age, when the account is disabled or gets a new
password; a tampered cookie is refused."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from web_harness import add_user, log_in

from hotline.store.web_models import UserRow, WebSessionRow
from hotline.web.auth import accounts

HTML = {"accept": "text/html"}


async def board(http) -> int:
    return (await http.get("/board", headers=HTML)).status_code


async def session_count(engine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(WebSessionRow)))


async def last_seen(engine):
    async with engine.connect() as conn:
        return await conn.scalar(select(WebSessionRow.last_seen_at))


async def test_idle_session_ends_and_its_row_goes(engine, http, clock):
    await add_user(engine, "wang")
    await log_in(http, "wang")
    clock.advance(minutes=59, seconds=59)  # session_idle_minutes: 60
    assert await board(http) == 200
    clock.advance(minutes=60)
    r = await http.get("/board", headers=HTML)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert "Max-Age=0" in r.headers["set-cookie"]
    assert await session_count(engine) == 0


async def test_activity_slides_the_idle_limit_and_is_written_once_a_minute(engine, http, clock):
    await add_user(engine, "wang")
    await log_in(http, "wang")
    start = await last_seen(engine)
    clock.advance(seconds=59)
    assert await board(http) == 200
    assert await last_seen(engine) == start  # not written: less than a minute
    clock.advance(seconds=1)
    assert await board(http) == 200
    assert await last_seen(engine) == clock.now
    clock.advance(minutes=59)
    assert await board(http) == 200  # 119 minutes after login, 59 idle


async def test_a_busy_session_still_ends_at_its_maximum_age(engine, http, clock):
    await add_user(engine, "wang")
    await log_in(http, "wang")
    for _ in range(23):  # every 30 min for 11.5 h (session_max_hours: 12)
        clock.advance(minutes=30)
        assert await board(http) == 200
    clock.advance(minutes=30)
    assert await board(http) == 303


async def test_a_disabled_user_is_out_at_the_next_request(engine, http):
    await add_user(engine, "wang")
    await log_in(http, "wang")
    assert await board(http) == 200
    assert await accounts.set_disabled(engine, "wang", True)
    assert await board(http) == 303
    assert await session_count(engine) == 0


async def test_a_disabled_flag_alone_ends_the_session(engine, http):
    """Even if a row survived (written by another tool), the join with users refuses it."""
    await add_user(engine, "wang")
    await log_in(http, "wang")
    async with engine.begin() as conn:
        await conn.execute(update(UserRow).values(disabled=True))
    assert await board(http) == 303


async def test_a_new_password_ends_the_sessions(engine, http, clock):
    await add_user(engine, "wang")
    await log_in(http, "wang")
    await accounts.set_password_hash(engine, "wang", "$argon2id$replaced", clock.now)
    assert await board(http) == 303


async def test_a_tampered_cookie_is_refused(engine, http):
    await add_user(engine, "wang")
    await log_in(http, "wang")
    value = http.cookies["hotline_session"]
    token, signature = value.rsplit(".", 1)
    for forged in (
        f"{token[:-1]}{'A' if token[-1] != 'A' else 'B'}.{signature}",
        f"{token}.{signature[::-1]}",
    ):
        http.cookies.set("hotline_session", forged)
        assert await board(http) == 303
    http.cookies.set("hotline_session", value)
    assert await board(http) == 200


async def test_a_signed_token_without_a_row_is_refused(engine, http):
    await add_user(engine, "wang")
    await log_in(http, "wang")
    async with engine.begin() as conn:
        await conn.execute(delete(WebSessionRow))
    assert await board(http) == 303
