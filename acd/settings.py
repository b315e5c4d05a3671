"""ACD settings (seconds, and the auto-login policy). Built by the daemon from the site config."""

from __future__ import annotations

from dataclasses import dataclass

from .rules import AcdError


@dataclass(frozen=True, slots=True)
class AcdSettings:
    ring_timeout_s: float = 12.0  # 4 rings x 3 s: the Dial timeout per agent (Asterisk ends the ring)
    answer_target_s: float = 12.0  # from joining the queue; an offer after that is `late`
    wrap_up_s: float = 15.0  # 0 = straight back to ready
    busy_backoff_s: float = 5.0  # a busy agent stays ready but is not offered for this long
    position_announce_s: float = 30.0  # 您前面还有N位客户 when a call starts waiting, then this often
    max_wait_s: float = 120.0  # after this long the message / callback options are offered again
    auto_login: bool = False  # a softphone that registers logs its logged-out agent in

    def __post_init__(self) -> None:
        positive = ("ring_timeout_s", "busy_backoff_s", "position_announce_s", "max_wait_s")
        bad = [f"{k}={getattr(self, k)}" for k in positive if getattr(self, k) <= 0]
        bad += [f"{k}={getattr(self, k)}" for k in ("answer_target_s", "wrap_up_s") if getattr(self, k) < 0]
        if bad:
            raise AcdError(f"ACD settings out of range: {', '.join(bad)}")
