"""Password guessing on the SIP port: count failed logins per address, block an address that fails
too often, lift the block when its time is over.

Pure core: events and `now` in, commands out. Asterisk reports every failed SIP authentication
(AMI security events); the adapter (hotline/services/auth_guard.py) feeds them in as `AuthFailed`
and carries out `Block` / `Unblock` (a PJSIP ACL). It feeds `Tick` at `next_end()`.

- `max_failures` failures from one address within `window_s` seconds (a sliding window) block it
  for `block_s` seconds: `Block(network, until)`. `Tick(now)` at or after `until` gives
  `Unblock(network)`, and the address starts again from zero.
- A failure from a blocked address (one in flight when the block began) changes nothing.
- Addresses in `never_block` (the trunk gateway; the site's own list) are never counted nor
  blocked. Nothing else is exempt: the lab's agents and its "attackers" share 127.0.0.0/8.
- A successful login does NOT reset the count: an attacker who holds one valid account (or shares
  a NAT address with a working phone) could otherwise interleave a good login with every few
  guesses and guess for ever. A real user's typo still ages out of the window.
- IPv6: an address is counted and blocked as its /64 (one host gets a whole /64 and may change
  address inside it at will), or as itself when that /64 holds a never_block address.
- Memory is bounded: at most `max_failures` instants per address and `max_tracked` addresses (the
  ones whose last failure is oldest are dropped first; so are those whose failures all left the
  window). Blocks end by themselves after `block_s`.
"""

from __future__ import annotations

import ipaddress
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from .rules import AcdError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class AuthGuardError(AcdError):
    """A bad policy or an address that is not an IP address; nothing changed."""


@dataclass(frozen=True, slots=True)
class AuthFailed:
    """A failed SIP login (or a request for an account that does not exist) from `address`."""

    address: str


@dataclass(frozen=True, slots=True)
class Tick:
    """Time has passed: lift the blocks that are over, forget failures that left the window."""


@dataclass(frozen=True, slots=True)
class Restore:
    """A block written before a restart (the blocklist file): keep it until `until`."""

    network: str
    until: datetime


Event = AuthFailed | Tick | Restore


@dataclass(frozen=True, slots=True)
class Block:
    """Refuse every SIP request from `network` (e.g. 192.0.2.7/32) until `until`."""

    network: str
    until: datetime
    failures: int


@dataclass(frozen=True, slots=True)
class Unblock:
    network: str


Command = Block | Unblock


@dataclass(frozen=True, slots=True)
class GuardPolicy:
    max_failures: int = 5
    window_s: float = 60.0
    block_s: float = 900.0
    never_block: tuple[str, ...] = ()
    max_tracked: int = 10_000

    def check(self) -> tuple[Network, ...]:
        """The never_block networks; AuthGuardError naming a bad value."""
        if self.max_failures < 1 or self.max_tracked < 1:
            raise AuthGuardError("max_failures and max_tracked must be at least 1")
        if not (self.window_s > 0 and self.block_s > 0):
            raise AuthGuardError(f"window_s and block_s must be > 0, got {self.window_s}, {self.block_s}")
        try:
            return tuple(ipaddress.ip_network(n, strict=False) for n in self.never_block)
        except ValueError as exc:
            raise AuthGuardError(f"never_block: {exc}") from None


class AuthGuard:
    def __init__(self, policy: GuardPolicy) -> None:
        self.policy = policy
        self._exempt = policy.check()
        self._window = timedelta(seconds=policy.window_s)
        self._failures: OrderedDict[str, deque[datetime]] = OrderedDict()  # oldest last failure first
        self._blocked: dict[str, datetime] = {}

    def handle(self, event: Event, now: datetime) -> list[Command]:
        if isinstance(event, AuthFailed):
            out = self._failed(event.address, now)
        elif isinstance(event, Restore):
            out = self._restore(event, now)
        else:
            out = self._lift(now)
        self._forget_stale(now)
        return out

    def blocked(self) -> dict[str, datetime]:
        """Blocked network -> until."""
        return dict(self._blocked)

    def next_end(self) -> datetime | None:
        """When the first block ends (the next `Tick` worth feeding), None if nothing is blocked."""
        return min(self._blocked.values(), default=None)

    def tracked(self) -> int:
        """Addresses with failures in memory."""
        return len(self._failures)

    def network_of(self, address: str) -> Network | None:
        """The network `address` is counted and blocked as; None if it is never blocked.
        AuthGuardError if `address` is not an IP address."""
        try:
            ip = ipaddress.ip_address(address.strip().strip("[]"))
        except ValueError:
            raise AuthGuardError(f"not an IP address: {address[:64]!r}") from None
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if any(ip in net for net in self._exempt):
            return None
        if isinstance(ip, ipaddress.IPv4Address):
            return ipaddress.ip_network(f"{ip}/32")
        net64 = ipaddress.ip_network(f"{ip}/64", strict=False)
        return ipaddress.ip_network(f"{ip}/128") if any(net64.overlaps(n) for n in self._exempt) else net64

    # ---- steps -------------------------------------------------------------------------------
    def _failed(self, address: str, now: datetime) -> list[Command]:
        net = self.network_of(address)
        if net is None or str(net) in self._blocked:
            return []
        key = str(net)
        times = self._failures.pop(key, None) or deque(maxlen=self.policy.max_failures)
        times.append(now)
        if len(times) < self.policy.max_failures or now - times[0] > self._window:
            self._failures[key] = times  # re-inserted last: the most recent failure
            while len(self._failures) > self.policy.max_tracked:
                self._failures.popitem(last=False)
            return []
        until = now + timedelta(seconds=self.policy.block_s)
        self._blocked[key] = until
        return [Block(key, until, len(times))]

    def _restore(self, event: Restore, now: datetime) -> list[Command]:
        try:
            key = str(ipaddress.ip_network(event.network, strict=False))
        except ValueError:
            raise AuthGuardError(f"not an IP network: {event.network[:64]!r}") from None
        if event.until <= now or any(ipaddress.ip_network(key).overlaps(n) for n in self._exempt):
            return [Unblock(key)]
        self._blocked[key] = min(event.until, now + timedelta(seconds=self.policy.block_s))
        self._failures.pop(key, None)
        return []

    def _lift(self, now: datetime) -> list[Command]:
        over = sorted(k for k, until in self._blocked.items() if until <= now)
        for key in over:
            del self._blocked[key]
        return [Unblock(key) for key in over]

    def _forget_stale(self, now: datetime) -> None:
        while self._failures:
            key, times = next(iter(self._failures.items()))
            if now - times[-1] <= self._window:
                return
            del self._failures[key]
