"""The auth guard core (acd/auth_guard.py): N failures in the window block an address for a while,
never an exempt one; the time is injected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acd.auth_guard import AuthFailed, AuthGuard, AuthGuardError, Block, GuardPolicy, Restore, Tick, Unblock
from acd.rules import AcdError

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
POLICY = GuardPolicy(max_failures=3, window_s=60, block_s=900, never_block=("127.0.0.1", "10.9.0.0/16"))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def fail(guard: AuthGuard, address: str, seconds: float) -> list:
    return guard.handle(AuthFailed(address), at(seconds))


def test_three_failures_within_the_window_block_for_block_s_then_tick_lifts_it():
    g = AuthGuard(POLICY)
    assert fail(g, "127.0.0.5", 0) == [] and fail(g, "127.0.0.5", 30) == []
    assert fail(g, "127.0.0.5", 59) == [Block("127.0.0.5/32", at(959), 3)]
    assert g.blocked() == {"127.0.0.5/32": at(959)}
    assert fail(g, "127.0.0.5", 60) == []  # in flight when the block began: nothing more
    assert g.handle(Tick(), at(958)) == [] and g.next_end() == at(959)
    assert g.handle(Tick(), at(959)) == [Unblock("127.0.0.5/32")]
    assert g.blocked() == {} and g.next_end() is None
    assert fail(g, "127.0.0.5", 960) == [] and fail(g, "127.0.0.5", 961) == []  # counts from zero


def test_failures_spread_wider_than_the_window_never_block():
    g = AuthGuard(POLICY)
    for t in range(0, 3000, 31):  # one every 31 s: never 3 within 60 s
        assert fail(g, "192.0.2.7", t) == []


def test_other_addresses_are_unaffected_and_exempt_ones_never_counted():
    g = AuthGuard(POLICY)
    for t in range(3):
        fail(g, "127.0.0.5", t)
        assert fail(g, "127.0.0.1", t) == []  # the daemon's own gateway / agent address: exempt
        assert fail(g, "10.9.4.4", t) == []  # a never_block network
    assert fail(g, "127.0.0.6", 3) == []
    assert set(g.blocked()) == {"127.0.0.5/32"}
    assert g.network_of("127.0.0.1") is None and g.network_of("127.0.0.2") is not None  # not all of 127/8


def test_ipv6_is_counted_per_64_unless_the_64_holds_an_exempt_address():
    g = AuthGuard(GuardPolicy(max_failures=2, never_block=("2001:db8:1::1",)))
    fail(g, "2001:db8::1", 0)
    assert fail(g, "2001:db8::ffff:2", 1) == [Block("2001:db8::/64", at(901), 2)]  # one host, new address
    assert str(g.network_of("2001:db8:1::9")) == "2001:db8:1::9/128"
    assert str(g.network_of("::ffff:192.0.2.9")) == "192.0.2.9/32"  # IPv4-mapped is IPv4
    assert g.network_of("[2001:db8:1::1]") is None


def test_a_successful_login_is_not_an_event_and_resets_nothing():
    """There is no success event: a guesser holding one good account gains nothing by using it."""
    g = AuthGuard(POLICY)
    fail(g, "127.0.0.5", 0)
    fail(g, "127.0.0.5", 10)
    assert fail(g, "127.0.0.5", 20)[0].failures == 3


def test_restore_keeps_a_block_until_its_time_but_never_longer_than_block_s():
    g = AuthGuard(POLICY)
    assert g.handle(Restore("192.0.2.7/32", at(100)), at(0)) == []
    assert g.handle(Restore("192.0.2.8/32", at(10**7)), at(0)) == []  # a hand-edited far future
    assert g.handle(Restore("192.0.2.9/32", at(-1)), at(0)) == [Unblock("192.0.2.9/32")]
    assert g.handle(Restore("10.9.0.0/24", at(100)), at(0)) == [Unblock("10.9.0.0/24")]  # exempt now
    assert g.blocked() == {"192.0.2.7/32": at(100), "192.0.2.8/32": at(900)}


def test_memory_is_bounded():
    g = AuthGuard(GuardPolicy(max_failures=3, window_s=60, max_tracked=100))
    for i in range(1000):
        fail(g, f"198.51.{i // 250}.{i % 250}", i * 0.01)
    assert g.tracked() == 100  # the ones with the oldest last failure went first
    assert g.handle(Tick(), at(200)) == [] and g.tracked() == 0  # all left the window


@pytest.mark.parametrize("address", ["", "not-an-ip", "192.0.2.300", "example.com"])
def test_a_bad_address_is_refused_and_changes_nothing(address):
    g = AuthGuard(POLICY)
    with pytest.raises(AuthGuardError, match="not an IP address") as exc:
        fail(g, address, 0)
    assert isinstance(exc.value, AcdError) and g.tracked() == 0


@pytest.mark.parametrize(
    "policy",
    [
        GuardPolicy(max_failures=0),
        GuardPolicy(window_s=0),
        GuardPolicy(block_s=-1),
        GuardPolicy(never_block=("x",)),
    ],
)
def test_a_bad_policy_is_refused(policy):
    with pytest.raises(AuthGuardError):
        AuthGuard(policy)


# ---- against a model that keeps every failure --------------------------------------------------

ADDRESSES = ["127.0.0.1", "127.0.0.5", "127.0.0.6", "192.0.2.7", "10.9.1.1"]
STEPS = st.lists(
    st.tuples(st.sampled_from(["fail", "tick"]), st.sampled_from(ADDRESSES), st.floats(0, 400)), max_size=80
)


class Model:
    """The rules in their plainest form: every failure since the address was last unblocked."""

    def __init__(self, policy: GuardPolicy) -> None:
        self.p = policy
        self.failures: dict[str, list[datetime]] = {}
        self.blocked: dict[str, datetime] = {}

    def fail(self, address: str, now: datetime) -> list:
        key = f"{address}/32"
        if address in ("127.0.0.1", "10.9.1.1") or key in self.blocked:
            return []
        times = [*self.failures.get(key, []), now]
        recent = [t for t in times if now - t <= timedelta(seconds=self.p.window_s)]
        if len(recent) < self.p.max_failures:
            self.failures[key] = times
            return []
        self.failures.pop(key, None)
        self.blocked[key] = now + timedelta(seconds=self.p.block_s)
        return [Block(key, self.blocked[key], self.p.max_failures)]

    def tick(self, now: datetime) -> list:
        over = sorted(k for k, until in self.blocked.items() if until <= now)
        for k in over:
            del self.blocked[k]
        return [Unblock(k) for k in over]


@settings(max_examples=300)
@given(STEPS)
def test_the_core_does_what_the_model_does(steps):
    policy = GuardPolicy(max_failures=3, window_s=60, block_s=120, never_block=("127.0.0.1", "10.9.0.0/16"))
    core, model, now = AuthGuard(policy), Model(policy), T0
    for kind, address, gap in steps:
        now += timedelta(seconds=gap)
        if kind == "fail":
            assert core.handle(AuthFailed(address), now) == model.fail(address, now)
        else:
            assert core.handle(Tick(), now) == model.tick(now)
        assert core.blocked() == model.blocked
        assert core.tracked() <= len(ADDRESSES)
