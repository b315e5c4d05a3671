"""ACD timing settings (seconds). Built by the daemon from the site config."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AcdSettings:
    ring_timeout_s: float = 12.0  # 4 rings x 3 s: the Dial timeout per agent
    answer_target_s: float = 12.0  # from joining the queue; an offer after that is `late`
    wrap_up_s: float = 15.0  # 0 = straight back to ready
    busy_backoff_s: float = 5.0  # a busy agent stays ready but is not offered for this long
    ring_guard_s: float = 5.0  # after ring_timeout_s with no Dial result: treat as no answer

    def __post_init__(self) -> None:
        bad = [
            f"{k}={getattr(self, k)}"
            for k in ("ring_timeout_s", "busy_backoff_s", "ring_guard_s")
            if getattr(self, k) <= 0
        ]
        bad += [f"{k}={getattr(self, k)}" for k in ("answer_target_s", "wrap_up_s") if getattr(self, k) < 0]
        if bad:
            raise ValueError(f"ACD settings out of range: {', '.join(bad)}")
