"""Console passwords: Argon2id hashes (pwdlib) and the password policy.

Argon2 costs tens of milliseconds of CPU by design: callers inside the daemon run `hash`,
`verify` and `check` in the console's offload executor, never on the calls' event loop.
`check` verifies against a dummy hash when there is no such user (or the account is disabled), so
a wrong user name costs the same time as a wrong password and the answer tells nothing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError
from pwdlib.hashers.argon2 import Argon2Hasher

MIN_LENGTH = 10
MAX_LENGTH = 256  # a megabyte "password" would only burn CPU


class WeakPassword(ValueError):
    """The password breaks the policy; the message says which rule, in Chinese and English."""


def check_policy(username: str, password: str) -> None:
    """Raise WeakPassword unless `password` is 10..256 characters, is not the user name (in any
    case, or reversed) and is not digits only."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(
            f"密码至少 {MIN_LENGTH} 个字符 (password must be at least {MIN_LENGTH} characters)"
        )
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"密码最多 {MAX_LENGTH} 个字符 (password must be at most {MAX_LENGTH} characters)")
    folded = password.casefold()
    if folded in (username.casefold(), username.casefold()[::-1]):
        raise WeakPassword("密码不能与用户名相同 (password must not be the user name)")
    if password.isdigit():
        raise WeakPassword("密码不能全是数字 (password must not be digits only)")
    if len(set(password)) == 1:
        raise WeakPassword("密码不能是同一个字符重复 (password must not repeat one character)")


@dataclass(frozen=True)
class Verified:
    ok: bool
    new_hash: str | None  # set when the stored hash used older costs: store this one instead


class Passwords:
    """Hash and verify with one Argon2id configuration (pwdlib's defaults unless given)."""

    def __init__(self, hasher: Argon2Hasher | None = None) -> None:
        self._hash = PasswordHash((hasher or Argon2Hasher(),))
        self._dummy: str | None = None
        self._lock = threading.Lock()

    def hash(self, password: str) -> str:
        return self._hash.hash(password)

    def needs_rehash(self, stored: str) -> bool:
        return self._hash.current_hasher.check_needs_rehash(stored)

    def check(self, password: str, stored: str | None) -> Verified:
        """Verify `password` against `stored`; None (no such user) verifies against a dummy hash
        and fails. An unreadable stored hash fails too. Over-long passwords fail unhashed."""
        if len(password) > MAX_LENGTH:
            return Verified(False, None)
        if stored is None:
            self._hash.verify(password, self._dummy_hash())
            return Verified(False, None)
        try:
            ok, new_hash = self._hash.verify_and_update(password, stored)
        except UnknownHashError:  # a damaged row never logs anyone in
            return Verified(False, None)
        return Verified(ok, new_hash if ok else None)

    def _dummy_hash(self) -> str:
        with self._lock:
            if self._dummy is None:
                self._dummy = self._hash.hash("dummy password nobody has")
            return self._dummy


def fast_hasher_for_tests() -> Argon2Hasher:
    """Argon2id with tiny costs: only for tests, where hundreds of logins must stay fast."""
    return Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1)
