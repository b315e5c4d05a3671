"""Additive call counts of an interval (a quarter hour, an hour, a day, a period) and the rates
derived from them.

Counts add up (a day = the sum of its quarter hours); rates are always recomputed from counts,
never averaged. A rate whose denominator is zero is None ("no calls to measure"), so a period
without calls gives zeros and Nones, never an error. Inbound calls only; definitions (README,
"Statistics definitions"):

- inbound: every inbound call that started in the interval; blocked (all lines busy) and
  in_progress (no outcome yet) are counted apart, the rest is `handled`;
- offered: handled calls that asked for an agent (`queued_at` set, or an outcome that only
  follows a transfer: agent_answered, abandoned_queue, abandoned_ringing), and every `fallback`
  call (the fallback dialplan rang the agents directly while the daemon was down);
- ivr_only = handled - offered (self-service: the machine answered everything);
- answered = outcome agent_answered, or a `fallback` call an agent took (agent_id set);
  unanswered = offered - answered (abandons, messages, callbacks, failures after the transfer,
  fallback calls no agent took);
- fallback: calls through the fallback dialplan (recorded from Asterisk's CDR ledger);
  fallback_answered: those an agent took. Their wait is not measured unless the daemon had
  queued the call, so they count in answered but not in answered_within or wait_*;
- answered_within: answered with talk_started_at - queued_at <= the answer target (12 s);
- abandoned: outcome abandoned_queue/abandoned_ringing; abandoned_within: ended_at - queued_at
  <= the target; short_abandoned: ended_at - queued_at < 5 s;
- wait_*: talk_started_at - queued_at of answered calls (speed of answer); talk_*: talk_s of
  answered calls (handle time); survey_*: survey_score of every inbound call that has one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from operator import attrgetter
from typing import Any

RATE_NAMES = (
    "share_ivr_only",
    "share_answered",
    "share_unanswered",
    "connect_rate",
    "service_level",
    "service_level_inclusive",
    "abandon_rate",
    "abandon_rate_incl_short",
    "asa_s",
    "aht_s",
    "survey_avg",
)


def ratio(part: float, whole: float) -> float | None:
    """part / whole, or None when whole is 0."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Counts:
    inbound: int = 0
    blocked: int = 0
    in_progress: int = 0
    offered: int = 0
    answered: int = 0
    answered_within: int = 0
    abandoned: int = 0
    abandoned_within: int = 0
    short_abandoned: int = 0
    wait_n: int = 0
    wait_sum_s: float = 0.0
    talk_n: int = 0
    talk_sum_s: float = 0.0
    survey_n: int = 0
    survey_sum: int = 0
    fallback: int = 0
    fallback_answered: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(_values(self), _values(other), strict=True)))

    @classmethod
    def total(cls, items: Iterable[Counts]) -> Counts:
        """The field-by-field sum, added in the order given (a year's 35,040 quarter hours at
        once: one pass per field, not a Counts per addition)."""
        parts = list(items)
        if len(parts) == 1:
            return parts[0]
        columns = list(zip(*map(_values, parts), strict=True))
        return cls(*(sum(c, type(c[0])()) for c in columns)) if columns else cls()

    @property
    def handled(self) -> int:
        return self.inbound - self.blocked - self.in_progress

    @property
    def ivr_only(self) -> int:
        return self.handled - self.offered

    @property
    def unanswered(self) -> int:
        return self.offered - self.answered

    # ----- rates (None when there is nothing to measure) -----

    @property
    def share_ivr_only(self) -> float | None:
        return ratio(self.ivr_only, self.handled)

    @property
    def share_answered(self) -> float | None:
        return ratio(self.answered, self.handled)

    @property
    def share_unanswered(self) -> float | None:
        return ratio(self.unanswered, self.handled)

    @property
    def connect_rate(self) -> float | None:
        """接通率 = answered / offered."""
        return ratio(self.answered, self.offered)

    @property
    def service_level(self) -> float | None:
        """answered within the target / answered."""
        return ratio(self.answered_within, self.answered)

    @property
    def service_level_inclusive(self) -> float | None:
        """(answered within + abandoned within) / (answered + abandoned)."""
        return ratio(self.answered_within + self.abandoned_within, self.answered + self.abandoned)

    @property
    def abandon_rate(self) -> float | None:
        """Abandons / offered, short abandons left out of both."""
        return ratio(self.abandoned - self.short_abandoned, self.offered - self.short_abandoned)

    @property
    def abandon_rate_incl_short(self) -> float | None:
        return ratio(self.abandoned, self.offered)

    @property
    def asa_s(self) -> float | None:
        """Average speed of answer (seconds from joining the queue to the agent's answer)."""
        return ratio(self.wait_sum_s, self.wait_n)

    @property
    def aht_s(self) -> float | None:
        """Average handle time (talk seconds of answered calls)."""
        return ratio(self.talk_sum_s, self.talk_n)

    @property
    def survey_avg(self) -> float | None:
        return ratio(self.survey_sum, self.survey_n)

    def as_dict(self) -> dict[str, int | float | None]:
        """Counts, derived counts and rates under their stable names."""
        out: dict[str, int | float | None] = dict(asdict(self))
        out.update(handled=self.handled, ivr_only=self.ivr_only, unanswered=self.unanswered)
        out.update({name: getattr(self, name) for name in RATE_NAMES})
        return out


_values = attrgetter(*(f.name for f in fields(Counts)))


def count_values(counts: Counts) -> tuple[Any, ...]:
    """A Counts' fields as a tuple, in their order (Counts(*values) gives it back)."""
    values: tuple[Any, ...] = _values(counts)
    return values


@dataclass(frozen=True)
class Thresholds:
    """The seconds the definitions use: answer target (4 rings = 12 s) and short abandons (5 s)."""

    answer_target_s: float = 12.0
    short_abandon_s: float = 5.0

    def __post_init__(self) -> None:
        for name in ("answer_target_s", "short_abandon_s"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value < 86400:
                raise ValueError(f"{name} must be a number of seconds in [0, 86400), got {value!r}")


DEFAULT_THRESHOLDS = Thresholds()
