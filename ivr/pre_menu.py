"""What a caller hears between the answer and the menu's greeting, decided from what the daemon
found out about the caller. Pure: the lookups' results in, the announcements out.

In this order, each at most once:

1. `harassment_warning` when the caller's number is flagged as harassing (seed 000 §27: warn
   with proper words, log it). The call then goes on to the menu: the norm warns and lets the
   agent hang up, it does not block - a flagged number may still be the one phone of a customer
   with a real fault, and a power line down must always be reportable.
2. `repair_notice` (该地区故障正在抢修) when a repair order is open in an area where the caller
   has an account (seed 000 §24: the fault is known and being repaired; the caller may not need
   to wait for an agent to report it again).
3. `peak_notice` when peak mode is on (a wide outage), unless the repair notice was just said:
   it says the same thing less precisely and would only make every caller of that area wait
   longer for the menu in the busiest hour.

The first two are steps of the call's IVR path (their `step` is logged as a path node and as a
call event of that kind with `data`); the peak notice is not, as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .menu_vocab import HARASSMENT_WARNING, REPAIR_NOTICE

PEAK_NOTICE = "peak_notice"
PROMPTS: tuple[str, ...] = (HARASSMENT_WARNING, REPAIR_NOTICE, PEAK_NOTICE)  # all in the catalog


class OpenRepairOrder(Protocol):
    """A repair order not closed yet (hotline.orders.open_repairs.OpenRepair is one)."""

    @property
    def number(self) -> str: ...

    @property
    def area_code(self) -> str: ...


@dataclass(frozen=True)
class Announcement:
    prompt: str  # prompt id from the catalog
    step: str | None = None  # the IVR path node and call event kind; None: not logged
    data: Mapping[str, Any] = field(default_factory=dict)  # the call event's data


def before_menu(
    flagged_number: str | None, repairs: Sequence[OpenRepairOrder], peak: bool
) -> tuple[Announcement, ...]:
    """The announcements before the menu. `flagged_number`: the caller's national number when it
    is flagged, else None; `repairs`: the open repair orders in the caller's areas (newest first);
    `peak`: peak mode is on."""
    out: list[Announcement] = []
    if flagged_number is not None:
        out.append(Announcement(HARASSMENT_WARNING, HARASSMENT_WARNING, {"number": flagged_number}))
    if repairs:
        orders = list(dict.fromkeys(r.number for r in repairs))
        areas = sorted({r.area_code for r in repairs})
        out.append(Announcement(REPAIR_NOTICE, REPAIR_NOTICE, {"orders": orders, "area_codes": areas}))
    elif peak:
        out.append(Announcement(PEAK_NOTICE))
    return tuple(out)
