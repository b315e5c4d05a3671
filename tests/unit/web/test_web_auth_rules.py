"""The pure rules of the console's accounts: session expiry, `next=`, CSRF token comparison, the
cookie attributes, the account checks and the signing key file."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta

import pytest

from hotline.web.auth.accounts import AccountError, check_new_account
from hotline.web.auth.csrf import PreLoginTokens, set_cookie_header, tokens_match
from hotline.web.auth.login_routes import safe_next
from hotline.web.auth.roles import Role
from hotline.web.auth.secret_key import KEY_BYTES, SecretKeyError, load_or_create
from hotline.web.auth.sessions import SessionPolicy

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
POLICY = SessionPolicy(idle=timedelta(minutes=60), max_age=timedelta(hours=12))


def test_session_expiry_idle_and_max_age():
    assert not POLICY.expired(T0, T0, T0 + timedelta(minutes=59))
    assert POLICY.expired(T0, T0, T0 + timedelta(minutes=60))
    busy = T0 + timedelta(hours=11, minutes=59)
    assert not POLICY.expired(T0, busy, busy)
    assert POLICY.expired(T0, busy, T0 + timedelta(hours=12))


def test_last_seen_is_touched_once_a_minute_at_most():
    assert not POLICY.needs_touch(T0, T0 + timedelta(seconds=59))
    assert POLICY.needs_touch(T0, T0 + timedelta(seconds=60))


@pytest.mark.parametrize(
    "value, expected",
    [
        ("/wallboard", "/wallboard"),
        ("/reports?day=2026-11-25", "/reports?day=2026-11-25"),
        ("//evil.example", None),
        ("/\\evil.example", None),
        ("https://evil.example/", None),
        ("wallboard", None),
        ("/x\r\nSet-Cookie: a=b", None),
        ("", None),
        (None, None),
        ("/" + "a" * 3000, None),
    ],
)
def test_next_only_to_a_local_path(value, expected):
    assert safe_next(value) == expected


def test_tokens_compare_exactly():
    assert tokens_match("abc", "abc")
    assert not tokens_match("abc", "abd")
    assert not tokens_match("abc", None)
    assert not tokens_match("", "")
    assert not tokens_match("abc", "abc ")


def test_pre_login_cookie_is_signed():
    tokens = PreLoginTokens(b"k" * 32)
    value = tokens.cookie_value("tok")
    assert tokens.token_of(value) == "tok"
    assert tokens.token_of(value.replace("tok", "tom")) is None
    assert PreLoginTokens(b"j" * 32).token_of(value) is None
    assert tokens.token_of("tok") is None and tokens.token_of(None) is None


def test_cookie_attributes():
    header = set_cookie_header("s", "v", secure=False).decode()
    assert header == "s=v; HttpOnly; Path=/; SameSite=Strict"
    secure = set_cookie_header("s", "", secure=True, max_age=0).decode()
    assert "Secure" in secure and "Max-Age=0" in secure


def test_account_checks():
    new = check_new_account("li.1", "agent", "001", " 李四 ", ["001", "002"])
    assert (new.role, new.agent_id, new.display_name) == (Role.AGENT, "001", "李四")
    assert check_new_account("wang", "supervisor", None, "", []).display_name is None
    for bad in (
        ("", "admin", None, None),
        ("wang wang", "admin", None, None),
        ("王", "admin", None, None),
        ("wang", "root", None, None),
        ("wang", "agent", None, None),
        ("wang", "agent", "003", None),
        ("wang", "admin", None, "a\nb"),
    ):
        with pytest.raises(AccountError):
            check_new_account(*bad, ["001", "002"])


def test_secret_key_is_created_0600_then_read(tmp_path):
    path = tmp_path / "var" / "web_secret"
    key = load_or_create(path)
    assert len(key) == KEY_BYTES and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create(path) == key


def test_a_readable_or_short_key_is_refused(tmp_path):
    path = tmp_path / "web_secret"
    load_or_create(path)
    os.chmod(path, 0o644)
    with pytest.raises(SecretKeyError, match="chmod 600"):
        load_or_create(path)
    path.write_bytes(b"short")
    os.chmod(path, 0o600)
    with pytest.raises(SecretKeyError, match="fewer than"):
        load_or_create(path)
