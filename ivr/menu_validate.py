"""Graph checks of a menu, and the immutable `Menu` they produce.

Rules (001 §4.2.5c and ours):
- `start` is a menu (level 1); `agent` is an agent node - key 0 leads there on every level.
  Other agent nodes (e.g. fault repair with a higher priority) may be reached by ordinary keys.
- Menus form a tree: a menu's keys may bind a sub-menu that no other menu binds (its parent),
  or the menu itself (repeat). To jump anywhere else (e.g. back to the top) use a goto node.
- At most `MAX_LEVELS` menu levels; the top menu is level 1.
- Keys are one character, 1-9 or #. 0 (agent) and * (parent; repeat on the top level) are added
  to every menu; a file may write them only with that meaning.
- Every target exists, every node is reachable from `start`, goto chains end, every prompt
  (including those the core plays itself) is in the catalog, every node's category is one of the
  site's configured categories.
"""

from __future__ import annotations

from collections import deque
from types import MappingProxyType
from typing import Any

from .errors import ErrorList
from .menu_model import Menu, MenuHeader
from .menu_nodes import AgentNode, AnnounceNode, HangupNode, MenuNode, Node, _Entry
from .menu_vocab import (
    AGENT_KEY,
    ALWAYS_NEEDED,
    CONFIRM_ENTRY,
    GOODBYE,
    MAX_LEVELS,
    MENU_KEYS,
    PRESS_ANY_KEY,
    UP_KEY,
)


def build_menu(
    path: str,
    header: MenuHeader | None,
    nodes: dict[str, Node],
    broken: set[str],
    known_prompts: set[str],
    errors: ErrorList,
    start: str,
    agent: str,
    categories: tuple[str, ...],
) -> Menu | None:
    """Check the graph; add every problem to `errors`; return the Menu when there is none.

    `start` and `agent` come from the header, or from the raw file when the header is broken
    (so that the graph is still checked); `categories`: the keys a node's category may be."""
    ids = set(nodes) | broken
    for nid, node in nodes.items():
        for loc, target in node.targets():
            if target not in ids:
                errors.add(("nodes", nid) + loc, f"node '{nid}': '{target}' is not a node")
    _check_prompts(header, nodes, known_prompts, errors)
    _check_categories(nodes, categories, errors)
    start_ok = _is(nodes, start, MenuNode, "start", "a menu", ids, errors)
    agent_ok = _is(nodes, agent, AgentNode, "agent", "an agent node", ids, errors)
    menus = {nid: n for nid, n in nodes.items() if isinstance(n, MenuNode)}
    parent = _parents(start, menus, errors)
    level = _levels(start, menus, parent, errors) if start_ok else {}
    keymap = _keymaps(start, agent, menus, parent, errors)
    _check_gotos(nodes, errors)
    if start_ok and agent_ok and not broken:
        _check_reachable(start, nodes, keymap, errors)
    if errors or header is None or not (start_ok and agent_ok):
        return None
    parent[start] = start
    return Menu(
        path=path,
        version=header.version,
        retries=header.retries,
        digit_timeout_s=header.digit_timeout_s,
        start=start,
        agent=agent,
        greeting=header.greeting,
        nodes=MappingProxyType(dict(nodes)),
        keymap=MappingProxyType({m: MappingProxyType(k) for m, k in keymap.items()}),
        parent=MappingProxyType(parent),
        level=MappingProxyType(level),
    )


def _is(
    nodes: dict[str, Node],
    nid: str,
    kind: type[Node],
    field: str,
    what: str,
    ids: set[str],
    errors: ErrorList,
) -> bool:
    if not nid:  # missing or not a string: the header check has said so
        return False
    if nid not in ids:
        errors.add((field,), f"{field}: '{nid}' is not a node")
        return False
    if nid in nodes and not isinstance(nodes[nid], kind):
        errors.add((field,), f"{field}: '{nid}' must be {what}, not a {nodes[nid].kind} node")
        return False
    return nid in nodes


def _own_keys(menu: MenuNode) -> list[tuple[str, str]]:
    return [(k, t) for k, t in menu.keys.items() if k not in (AGENT_KEY, UP_KEY)]


def _parents(start: str, menus: dict[str, MenuNode], errors: ErrorList) -> dict[str, str]:
    """Parent of every sub-menu: the one menu whose key binds it."""
    parent: dict[str, str] = {}
    for mid, menu in menus.items():
        for key, target in _own_keys(menu):
            if target not in menus or target == mid:
                continue
            loc = ("nodes", mid, "keys", key)
            if target == start:
                errors.add(
                    loc,
                    f"menu '{mid}': key {key} cannot lead to the top menu '{start}' "
                    f"(it is nobody's sub-menu); use a goto node, or * to go back",
                )
            elif target in parent:
                first = errors.line(("nodes", parent[target], "keys"))
                errors.add(
                    loc,
                    f"menu '{mid}': key {key} leads to '{target}', already the sub-menu "
                    f"of '{parent[target]}' (line {first}); use a goto node to jump there",
                )
            else:
                parent[target] = mid
    return parent


def _levels(
    start: str, menus: dict[str, MenuNode], parent: dict[str, str], errors: ErrorList
) -> dict[str, int]:
    level = {start: 1}
    queue = deque([start])
    children: dict[str, list[str]] = {}
    for child, p in parent.items():
        children.setdefault(p, []).append(child)
    while queue:
        mid = queue.popleft()
        for child in children.get(mid, []):
            if child not in level:
                level[child] = level[mid] + 1
                queue.append(child)
    for mid in menus:
        if mid not in level and mid in parent:
            errors.add(
                ("nodes", mid),
                f"menu '{mid}': its parent menus never lead up to the top "
                f"menu '{start}' (sub-menus in a circle)",
            )
        elif mid not in level:
            errors.add(
                ("nodes", mid),
                f"menu '{mid}' is no menu's sub-menu: bind it to a key of its "
                f"parent menu (a goto node may then jump to it)",
            )
        elif level.get(mid) == MAX_LEVELS + 1:
            chain = " > ".join(_chain(mid, parent, start))
            errors.add(
                ("nodes", mid),
                f"menu '{mid}' is at level {MAX_LEVELS + 1} ({chain}); "
                f"at most {MAX_LEVELS} menu levels (the top menu is level 1)",
            )
    return level


def _chain(mid: str, parent: dict[str, str], start: str) -> list[str]:
    chain = [mid]
    while chain[-1] != start:
        chain.append(parent[chain[-1]])
    return list(reversed(chain))


def _keymaps(
    start: str, agent: str, menus: dict[str, MenuNode], parent: dict[str, str], errors: ErrorList
) -> dict[str, dict[str, str]]:
    keymap: dict[str, dict[str, str]] = {}
    for mid, menu in menus.items():
        up = mid if mid == start else parent.get(mid)
        own = {}
        for key, target in menu.keys.items():
            loc = ("nodes", mid, "keys", key)
            if key == AGENT_KEY:
                if target != agent:
                    errors.add(
                        loc,
                        f"menu '{mid}': key 0 is always the agent ('{agent}') "
                        f"on every level; it cannot lead to '{target}'",
                    )
            elif key == UP_KEY:
                if up is not None and target != up:
                    meaning = "repeats the top menu" if mid == start else "goes back to the parent menu"
                    errors.add(
                        loc, f"menu '{mid}': key * always {meaning} ('{up}'); it cannot lead to '{target}'"
                    )
            elif len(key) != 1 or key not in MENU_KEYS:
                errors.add(loc, f"menu '{mid}': key {key!r} must be one character, 1-9 or #")
            else:
                own[key] = target
        if not own:
            errors.add(("nodes", mid, "keys"), f"menu '{mid}': binds no key (only 0 and * would work)")
        keymap[mid] = {**own, AGENT_KEY: agent, UP_KEY: up or mid}
    return keymap


def _check_gotos(nodes: dict[str, Node], errors: ErrorList) -> None:
    for nid, node in nodes.items():
        if node.kind != "goto":
            continue
        seen = [nid]
        while (nxt := getattr(nodes.get(seen[-1]), "target", None)) is not None:
            if nxt in seen:
                errors.add(
                    ("nodes", nid, "target"),
                    f"goto '{nid}': goes round in a circle ({' > '.join(seen + [nxt])})",
                )
                break
            seen.append(nxt)


def _check_reachable(
    start: str, nodes: dict[str, Node], keymap: dict[str, dict[str, str]], errors: ErrorList
) -> None:
    seen = {start}
    queue = deque([start])
    while queue:
        nid = queue.popleft()
        node = nodes.get(nid)
        if node is None:
            continue
        nexts = list(keymap.get(nid, {}).values()) + [t for _, t in node.targets()]
        for t in nexts:
            if t not in seen:
                seen.add(t)
                queue.append(t)
    for nid in nodes:
        if nid not in seen:
            errors.add(
                ("nodes", nid),
                f"node '{nid}' is unreachable: no key, next or goto leads to it from the top menu '{start}'",
            )


def _check_categories(nodes: dict[str, Node], categories: tuple[str, ...], errors: ErrorList) -> None:
    allowed = set(categories)
    for nid, node in nodes.items():
        if node.category not in allowed:
            errors.add(
                ("nodes", nid, "category"),
                f"node '{nid}': category '{node.category}' is not a configured category "
                f"(categories: in the site config); configured: {', '.join(categories) or '(none)'}",
            )


def _check_prompts(
    header: MenuHeader | None, nodes: dict[str, Node], known: set[str], errors: ErrorList
) -> None:
    def need(loc: tuple[Any, ...], pid: str, why: str = "") -> None:
        if pid not in known:
            errors.add(loc, f"prompt '{pid}'{why} is not in the prompt catalog")

    for pid in ALWAYS_NEEDED:
        need(("start",), pid, " (played by the IVR core)")
    if header is not None and header.greeting:
        need(("greeting",), header.greeting)
    for nid, node in nodes.items():
        for loc, pid in node.prompt_refs():
            need(("nodes", nid) + loc, pid)
        if isinstance(node, AnnounceNode) and len(node.prompts) > 1:
            need(("nodes", nid, "prompts"), PRESS_ANY_KEY, " (said before several messages)")
        if isinstance(node, HangupNode):
            need(("nodes", nid), GOODBYE, " (said before hanging up)")
        if isinstance(node, _Entry) and node.readback:
            need(("nodes", nid, "readback"), CONFIRM_ENTRY, " (said after a read-back)")
