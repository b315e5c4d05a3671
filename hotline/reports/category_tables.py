"""The business-category tables of a report (seed 002's 自动应答 / 人工接听 analysis). Pure.

Seed 002 splits all the inbound calls the center took (呼入总量) into 自动应答 (self-service),
人工接听 (agent-answered) and 人工未接 (asked for an agent, not answered), each with its share of
the total, then lists the self-service calls by IVR function and the agent-answered calls by
business category, each with its share of its own group (停电预告查询 33558 = 46.3 % of the
72500 self-service calls). Our tables carry both shares:

- `share`: of the table's own group (center.ivr_only or center.answered), as the seed writes it;
- `share_of_handled`: of every inbound call handled (center.handled = inbound less blocked and
  in-progress calls), so that the IVR rows, the agent rows and the unanswered calls add up to
  100 % of the calls taken. Blocked calls (all lines busy) never got in: they are shown apart
  (center.blocked), in no denominator.

Rows come in the site's configured order (`categories:`), every configured key listed (zeros
included, as the center's tables list every category); then keys the site no longer configures
(historical calls, shown under their own key), largest first; then `unknown` (未分类): calls
without a category.

An agent-answered call's category is the agent's disposition (`agent_category`); when the agent
saved none, the menu's `business_category` (the agent node the caller reached, or the function
they last used); when neither, `unknown`. `from_menu` counts the calls that fell back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from hotline.reports.figures import ratio
from hotline.settings.categories import UNCATEGORISED

# where an agent-answered call's category came from (Stats.agent_category_sources)
SOURCES = ("disposition", "menu", "none")


@dataclass(frozen=True)
class Share:
    key: str
    calls: int
    share: float | None  # calls / all calls of the table; None if the table is empty
    share_of_handled: float | None = None  # calls / the inbound calls handled (center.handled)
    from_menu: int = 0  # agent table: of `calls`, those without a disposition (the menu's category)


def shares(
    counts: Mapping[str, int],
    order: Sequence[str] = (),
    *,
    handled: int = 0,
    from_menu: Mapping[str, int] | None = None,
) -> list[Share]:
    """A row per key of `order` (zeros included), then the other keys with calls, largest first
    (ties by key), `unknown` last."""
    total = sum(counts.values())
    others = sorted((k for k, n in counts.items() if n and k not in order), key=lambda k: (-counts[k], k))
    others = [k for k in others if k != UNCATEGORISED] + ([UNCATEGORISED] if UNCATEGORISED in others else [])
    keys = [*dict.fromkeys(k for k in order if k != UNCATEGORISED), *others]
    menu = from_menu or {}
    return [
        Share(
            k,
            counts.get(k, 0),
            ratio(counts.get(k, 0), total),
            ratio(counts.get(k, 0), handled),
            menu.get(k, 0),
        )
        for k in keys
    ]


@dataclass(frozen=True)
class AgentCategories:
    """Agent-answered calls by category, and where each call's category came from."""

    counts: dict[str, int]
    from_menu: dict[str, int]
    sources: dict[str, int]  # SOURCES -> calls


def agent_categories(groups: Iterable[tuple[str | None, str | None, int]]) -> AgentCategories:
    """From (agent_category, business_category, calls) groups of agent-answered calls."""
    counts: dict[str, int] = defaultdict(int)
    from_menu: dict[str, int] = defaultdict(int)
    sources = dict.fromkeys(SOURCES, 0)
    for disposed, menu, calls in groups:
        if disposed:
            counts[disposed] += calls
            sources["disposition"] += calls
        elif menu:
            counts[menu] += calls
            from_menu[menu] += calls
            sources["menu"] += calls
        else:
            counts[UNCATEGORISED] += calls
            sources["none"] += calls
    return AgentCategories(dict(counts), dict(from_menu), sources)
