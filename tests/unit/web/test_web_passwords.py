"""The password policy and the Argon2 checks (cheap costs: the costs are not what is tested)."""

from __future__ import annotations

import pytest
from pwdlib.hashers.argon2 import Argon2Hasher

from hotline.web.auth.passwords import (
    MAX_LENGTH,
    Passwords,
    WeakPassword,
    check_policy,
    fast_hasher_for_tests,
)


@pytest.mark.parametrize(
    "username, password, rule",
    [
        ("wang", "Short-1", "至少 10"),
        ("wang", "x" * (MAX_LENGTH + 1), "最多"),
        ("wang.xiaoming", "Wang.XiaoMing", "用户名"),
        ("wang.xiaoming", "gnimoaix.gnaw", "用户名"),
        ("wang", "13800000000", "数字"),
        ("wang", "zzzzzzzzzzzz", "同一个字符"),
    ],
)
def test_weak_passwords_are_refused_with_the_rule(username, password, rule):
    with pytest.raises(WeakPassword, match=rule):
        check_policy(username, password)


@pytest.mark.parametrize("password", ["correct horse", "Grid-95598!", "电力热线密码安全第一号", "a1" * 5])
def test_good_passwords_pass(password):
    check_policy("wang", password)


@pytest.fixture
def passwords() -> Passwords:
    return Passwords(fast_hasher_for_tests())


def test_hash_and_check(passwords):
    stored = passwords.hash("Grid-95598!")
    assert stored.startswith("$argon2id$") and "Grid-95598!" not in stored
    assert passwords.check("Grid-95598!", stored).ok
    assert not passwords.check("Grid-95598?", stored).ok
    assert passwords.hash("Grid-95598!") != stored  # salted


def test_unknown_user_damaged_hash_and_huge_password_fail(passwords):
    assert passwords.check("anything-at-all", None) == passwords.check("x", None)
    assert not passwords.check("anything-at-all", None).ok
    assert not passwords.check("anything-at-all", "not a hash").ok
    stored = passwords.hash("y" * MAX_LENGTH)
    assert passwords.check("y" * MAX_LENGTH, stored).ok
    assert not passwords.check("y" * (MAX_LENGTH + 1), stored).ok


def test_outdated_costs_give_a_new_hash_on_success_only(passwords):
    older = Passwords(Argon2Hasher(time_cost=2, memory_cost=1024, parallelism=1)).hash("Grid-95598!")
    assert passwords.needs_rehash(older)
    verified = passwords.check("Grid-95598!", older)
    assert verified.ok and verified.new_hash is not None and not passwords.needs_rehash(verified.new_hash)
    assert passwords.check("wrong-password", older).new_hash is None
    current = passwords.hash("Grid-95598!")
    assert passwords.check("Grid-95598!", current).new_hash is None
