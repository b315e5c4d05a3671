"""Draw a checked `Menu` as a self-contained SVG diagram (pure: Menu -> SVG text, no graphviz).

Layout: a left-to-right tidy tree, one column per level (the top menu in column 1). Tree edges
are the menus' own keys (1-9, #) and the `next`/`target` of the other nodes when they lead to a
node not drawn yet; every node is drawn exactly once, so a second way into a node (a shared `bye`,
a goto back to the top) is a dotted cross edge. Leaves take consecutive rows and a parent is
centred on its children. Nodes that no key reaches (the agent, reached by key 0) start their own
trees below. Key 0 (转人工) and * (返回上级, on the top menu 重听) hang under every menu as dashed
tags. Groups carry class and data-* attributes (data-id, data-from, data-key, data-to) for tools
and tests.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from xml.sax.saxutils import escape

from .menu_model import Menu
from .menu_nodes import MenuNode
from .menu_vocab import AGENT_KEY, UP_KEY

FONTS = (
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', "
    "'PingFang SC', 'SimHei', sans-serif"
)
COL_W, BOX_W, LINE_H = 290, 220, 15
BOX_H = 4 * LINE_H + 12
TAG_GAP, TAG_H, ROW_GAP, ROOT_GAP = 10, 20, 16, 24
MARGIN, HEADER = 24, 56
PROMPT_UNITS = 32  # width of the prompt snippet, in half-width characters (a CJK character is 2)
UP_TEXT, REPEAT_TEXT, AGENT_TEXT = "返回上级", "重听", "转人工"

STYLE = f"""
svg {{ font-family: {FONTS}; font-size: 12px; }}
.box {{ stroke: #5f6368; stroke-width: 1; fill: #f8f9fa; }}
.kind-menu {{ fill: #e8f0fe; stroke: #1a73e8; }}
.kind-agent {{ fill: #fce8e6; stroke: #d93025; }}
.kind-hangup, .kind-goto {{ fill: #f1f3f4; }}
.head {{ font-weight: bold; }}
.prompt {{ fill: #5f6368; font-style: italic; }}
.title {{ font-size: 15px; font-weight: bold; }}
.note, .level {{ fill: #5f6368; }}
.edge path, .edge line {{ fill: none; stroke: #5f6368; stroke-width: 1.2; }}
.edge.cross path {{ stroke: #9aa0a6; stroke-dasharray: 2 3; }}
.edge.fixed line {{ stroke: #d93025; stroke-dasharray: 4 3; }}
.tag {{ fill: #ffffff; stroke: #d93025; stroke-dasharray: 4 3; }}
.tagtext {{ font-size: 11px; fill: #d93025; }}
.keylabel {{ fill: #ffffff; stroke: #1a73e8; }}
.keytext {{ font-weight: bold; fill: #1a73e8; text-anchor: middle; }}
"""


@dataclass
class _Layout:
    roots: list[str] = field(default_factory=list)
    children: dict[str, list[str]] = field(default_factory=dict)
    tree_edges: set[tuple[str, str]] = field(default_factory=set)
    col: dict[str, int] = field(default_factory=dict)
    top: dict[str, float] = field(default_factory=dict)
    height: float = 0.0


def menu_svg(menu: Menu, prompts: Mapping[str, str] | None = None) -> str:
    """The menu as SVG text. `prompts` (prompt id -> text) adds each node's first prompt words."""
    lay = _layout(menu)
    width = MARGIN * 2 + (max(lay.col.values()) + 1) * COL_W
    height = HEADER + lay.height + MARGIN
    parts = [
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:g}" '
        f'viewBox="0 0 {width} {height:g}">',
        f"<style>{STYLE}</style>",
        '<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#5f6368"/></marker></defs>',
    ]
    parts += _header(menu, lay)
    for src, label, dst, cls in _edges(menu):
        parts.append(_edge(lay, src, label, dst, cls, tree=(src, dst) in lay.tree_edges))
    for nid in menu.nodes:
        parts.append(_box(menu, lay, nid, prompts))
    for mid in menu.keymap:
        parts += _fixed_tags(menu, lay, mid)
    parts.append("</svg>\n")
    return "\n".join(parts)


def _edges(menu: Menu) -> list[tuple[str, str, str, str]]:
    """(from, label, to, class) for every edge but 0/*: menu keys, then next/target."""
    out = []
    for nid, node in menu.nodes.items():
        if isinstance(node, MenuNode):
            out += [(nid, k, t, "key") for k, t in menu.keymap[nid].items() if k not in (AGENT_KEY, UP_KEY)]
        else:
            out += [(nid, "goto" if loc[0] == "target" else loc[0], t, "next") for loc, t in node.targets()]
    return out


def _layout(menu: Menu) -> _Layout:
    lay = _Layout()
    edges: dict[str, list[tuple[str, str]]] = {}
    for src, _, dst, cls in _edges(menu):
        edges.setdefault(src, []).append((dst, cls))

    def claim(nid: str, col: int) -> None:
        lay.col[nid] = col
        lay.children[nid] = []
        for dst, cls in edges.get(nid, []):
            tree = (
                dst not in lay.col
                and dst != menu.start
                and (cls == "key" or not isinstance(menu.nodes[dst], MenuNode))
            )
            if tree:
                lay.children[nid].append(dst)
                lay.tree_edges.add((nid, dst))
                claim(dst, col + 1)

    for nid in [menu.start, *menu.nodes]:
        if nid not in lay.col:
            lay.roots.append(nid)
            claim(nid, 0)
    cursor = 0.0
    for root in lay.roots:
        cursor = _place(menu, lay, root, cursor) + ROOT_GAP
    lay.height = cursor
    return lay


def _slot(menu: Menu, nid: str) -> float:
    tags = TAG_GAP + TAG_H if isinstance(menu.nodes[nid], MenuNode) else 0
    return BOX_H + tags + ROW_GAP


def _place(menu: Menu, lay: _Layout, nid: str, top: float) -> float:
    """Place the subtree of `nid` from `top` down; return where the next subtree may start."""
    kids = lay.children[nid]
    if not kids:
        lay.top[nid] = top
        return top + _slot(menu, nid)
    bottom = top
    for kid in kids:
        bottom = _place(menu, lay, kid, bottom)
    centre = (lay.top[kids[0]] + lay.top[kids[-1]]) / 2 + BOX_H / 2
    own_top = centre - BOX_H / 2
    if own_top < top:  # the parent (with its 0/* tags) is taller than its children: push them down
        _shift(lay, nid, top - own_top)
        bottom += top - own_top
        own_top = top
    lay.top[nid] = own_top
    return max(bottom, own_top + _slot(menu, nid))


def _shift(lay: _Layout, nid: str, dy: float) -> None:
    for kid in lay.children[nid]:
        lay.top[kid] += dy
        _shift(lay, kid, dy)


def _xy(lay: _Layout, nid: str) -> tuple[float, float]:
    return MARGIN + lay.col[nid] * COL_W, HEADER + lay.top[nid]


def _header(menu: Menu, lay: _Layout) -> list[str]:
    title = (
        f"{PurePath(menu.path).name} · version {menu.version} · {len(menu.nodes)} nodes · "
        f"{menu.depth} menu levels"
    )
    note = (
        f"every menu: {AGENT_KEY} → {AGENT_TEXT} ({menu.agent}), {UP_KEY} → {UP_TEXT} "
        f"(top menu: {REPEAT_TEXT}) - dashed; dotted: a further way into a node drawn elsewhere"
    )
    out = [
        f'<text class="title" x="{MARGIN}" y="22">{_text(title)}</text>',
        f'<text class="note" x="{MARGIN}" y="40">{_text(note)}</text>',
    ]
    for col in sorted({lay.col[m] for m in menu.keymap}):
        out.append(
            f'<text class="level" x="{MARGIN + col * COL_W}" y="{HEADER - 2}">menu level {col + 1}</text>'
        )
    return out


def _edge(lay: _Layout, src: str, label: str, dst: str, cls: str, *, tree: bool) -> str:
    (sx, sy), (dx, dy) = _xy(lay, src), _xy(lay, dst)
    x1, y1, y2 = sx + BOX_W, sy + BOX_H / 2, dy + BOX_H / 2
    if tree or dx > x1:  # into the left side of the target
        x2, mid = dx, (x1 + dx) / 2
        path = f"M{x1:g},{y1:g} C{mid:g},{y1:g} {mid:g},{y2:g} {x2:g},{y2:g}"
    elif src == dst:  # a key that repeats its own menu: a loop on the right side
        x2, y1, y2 = x1, y1 - 12, y2 + 12
        path = f"M{x1:g},{y1:g} C{x1 + 40:g},{y1:g} {x1 + 40:g},{y2:g} {x2:g},{y2:g}"
    else:  # back or sideways (a goto to the top): come down into the target's top side
        x2, y2 = dx + BOX_W - 30, dy
        path = f"M{x1:g},{y1:g} C{x1 + 60:g},{y1:g} {x2:g},{y2 - 80:g} {x2:g},{y2:g}"
    key_attr = f" data-key={_attr(label)}" if cls == "key" else ""
    classes = f"edge {cls}" + ("" if tree else " cross")
    lx, ly = (x2 - 16, y2) if tree else ((x2 + 40, y2 - 24) if x2 < x1 else ((x1 + x2) / 2, (y1 + y2) / 2))
    if cls == "key":
        mark = (
            f'<circle class="keylabel" cx="{lx:g}" cy="{ly:g}" r="8"/>'
            f'<text class="keytext" x="{lx:g}" y="{ly + 4:g}">{_text(label)}</text>'
        )
    else:
        mark = f'<text class="note" x="{lx - 24:g}" y="{ly - 4:g}">{_text(label)}</text>'
    return (
        f'<g class="{classes}" data-from={_attr(src)} data-to={_attr(dst)}{key_attr}>'
        f'<path d="{path}" marker-end="url(#arrow)"/>{mark}</g>'
    )


def _box(menu: Menu, lay: _Layout, nid: str, prompts: Mapping[str, str] | None) -> str:
    node = menu.nodes[nid]
    x, y = _xy(lay, nid)
    refs = node.prompt_refs()
    pid = refs[0][1] if refs else None
    if pid is None:
        prompt, full = "", ""
    elif prompts is not None and pid in prompts:
        prompt, full = _clip(prompts[pid], PROMPT_UNITS), f"{pid}: {prompts[pid]}"
    else:
        prompt = full = f"prompt: {pid}"
    level = menu.level.get(nid, lay.col[nid] + 1)
    lines = [
        (f"{node.kind} · {nid}", "head"),
        (_clip(node.label, PROMPT_UNITS), "label"),
        (f"category: {node.category}", "cat"),
        (prompt, "prompt"),
    ]
    texts = "".join(
        f'<text class="{cls}" x="{x + 8:g}" y="{y + 16 + i * LINE_H:g}">{_text(s)}</text>'
        for i, (s, cls) in enumerate(lines)
        if s
    )
    title = "\n".join(s for s in (f"{nid} ({node.kind}, {node.category})", node.label, full) if s)
    return (
        f'<g class="node" data-id={_attr(nid)} data-kind="{node.kind}" data-level="{level}">'
        f"<title>{_text(title, keep_newlines=True)}</title>"
        f'<rect class="box kind-{node.kind}" x="{x:g}" y="{y:g}" width="{BOX_W}" height="{BOX_H}" '
        f'rx="6"/>{texts}</g>'
    )


def _fixed_tags(menu: Menu, lay: _Layout, mid: str) -> list[str]:
    """The dashed 0 and * tags under a menu box."""
    x, y = _xy(lay, mid)
    up = menu.keymap[mid][UP_KEY]
    fixed = [
        (AGENT_KEY, menu.keymap[mid][AGENT_KEY], AGENT_TEXT, 8, 96),
        (UP_KEY, up, REPEAT_TEXT if mid == menu.start else UP_TEXT, 112, 104),
    ]
    out = []
    for key, dst, meaning, dx, w in fixed:
        tx, ty = x + dx, y + BOX_H + TAG_GAP
        cx = tx + w / 2
        out.append(
            f'<g class="edge fixed" data-from={_attr(mid)} data-to={_attr(dst)} data-key="{key}">'
            f'<line x1="{cx:g}" y1="{y + BOX_H:g}" x2="{cx:g}" y2="{ty:g}"/>'
            f'<rect class="tag" x="{tx:g}" y="{ty:g}" width="{w}" height="{TAG_H}" rx="10"/>'
            f'<text class="tagtext" x="{tx + 10:g}" y="{ty + 14:g}">{_text(f"{key} → {meaning}")}</text></g>'
        )
    return out


def _clip(s: str, units: int) -> str:
    """The start of `s` on one line, at most `units` wide (CJK characters count 2), with … if cut."""
    s = " ".join(s.split())
    out: list[str] = []
    used = 0
    for ch in s:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > units - 1:
            return "".join(out) + "…"
        out.append(ch)
        used += w
    return s


def _xml_safe(s: str) -> str:
    """Replace the characters XML 1.0 cannot hold (control characters, lone surrogates)."""
    return "".join(
        ch
        if ch in "\t\n\r" or (" " <= ch and not "\ud800" <= ch <= "\udfff" and ch not in "\ufffe\uffff")
        else "\ufffd"
        for ch in s
    )


def _text(s: str, *, keep_newlines: bool = False) -> str:
    s = _xml_safe(s)
    return escape(s if keep_newlines else " ".join(s.split()))


def _attr(s: str) -> str:
    return '"' + escape(_xml_safe(s), {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}) + '"'
