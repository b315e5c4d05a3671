"""Read a menu file: YAML -> header + node models, every error at once as `file:line: message`.

`load_menu(path, known_prompts=..., categories=...)` is the one call the daemon and the CLI need;
it also runs the graph checks of `menu_validate` and returns an immutable `Menu`, or raises
`MenuError`. `categories` are the business category keys a node may name: the site's configured
ones (hotline.settings.Categories.keys); the default is both default lists of `menu_vocab`.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import ErrorList, MenuError
from .menu_model import Menu, MenuHeader
from .menu_nodes import NODE_KINDS, Node
from .menu_validate import build_menu
from .menu_vocab import DEFAULT_CATEGORIES, ID_PATTERN, PRE_MENU_STEPS
from .yaml_source import Located, YamlSyntaxError, load_yaml, parse_yaml


def load_menu(
    path: str | Path, *, known_prompts: Collection[str], categories: Collection[str] = DEFAULT_CATEGORIES
) -> Menu:
    try:
        doc = load_yaml(path)
    except YamlSyntaxError as exc:
        raise MenuError([str(exc)]) from None
    return menu_from(doc, known_prompts=known_prompts, categories=categories)


def parse_menu(
    text: str,
    *,
    known_prompts: Collection[str],
    path: str = "<menu>",
    categories: Collection[str] = DEFAULT_CATEGORIES,
) -> Menu:
    try:
        doc = parse_yaml(text, path)
    except YamlSyntaxError as exc:
        raise MenuError([str(exc)]) from None
    return menu_from(doc, known_prompts=known_prompts, categories=categories)


def menu_from(
    doc: Located, *, known_prompts: Collection[str], categories: Collection[str] = DEFAULT_CATEGORIES
) -> Menu:
    doc = _with_string_keys(doc)
    errors = ErrorList(doc.path, doc.line_of)
    if not isinstance(doc.data, dict):
        errors.add((), "a menu file is a mapping with version, start and nodes")
        errors.raise_if_any()
    header = _header(doc.data, errors)
    nodes, broken = _nodes(doc.data.get("nodes"), errors)
    start = header.start if header else doc.data.get("start")
    agent = header.agent if header else doc.data.get("agent", "agent")
    menu = build_menu(
        doc.path,
        header,
        nodes,
        broken,
        set(known_prompts),
        errors,
        categories=tuple(dict.fromkeys(categories)),
        start=start if isinstance(start, str) else "",
        agent=agent if isinstance(agent, str) else "",
    )
    errors.raise_if_any()
    assert menu is not None
    return menu


def _with_string_keys(doc: Located) -> Located:
    """YAML reads `1:` as the int 1; menus keys are strings, so index their lines both ways."""
    lines = dict(doc.lines)
    for loc, line in doc.lines.items():
        if len(loc) == 4 and loc[0] == "nodes" and loc[2] == "keys" and isinstance(loc[3], int):
            lines.setdefault(loc[:3] + (str(loc[3]),), line)
    return Located(doc.path, doc.data, lines)


def _pydantic_errors(exc: ValidationError, prefix: tuple[Any, ...], errors: ErrorList) -> None:
    for e in exc.errors():
        loc = prefix + tuple(e["loc"])
        name = ".".join(str(p) for p in loc) or "(file)"
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "literal_error":
            msg = f"must be {msg.removeprefix('Input should be ')} (got {e['input']!r})"
        errors.add(loc, f"{name}: {msg}")


def _header(data: dict[Any, Any], errors: ErrorList) -> MenuHeader | None:
    try:
        return MenuHeader.model_validate({k: v for k, v in data.items() if k != "nodes"})
    except ValidationError as exc:
        _pydantic_errors(exc, (), errors)
        return None


def _nodes(raw_nodes: Any, errors: ErrorList) -> tuple[dict[str, Node], set[str]]:
    """Parse every node; `broken` holds the ids of nodes that exist but did not parse."""
    nodes: dict[str, Node] = {}
    broken: set[str] = set()
    if not isinstance(raw_nodes, dict) or not raw_nodes:
        errors.add(("nodes",), "nodes: must map node ids to nodes (at least the start menu)")
        return nodes, broken
    for nid, raw in raw_nodes.items():
        loc = ("nodes", nid)
        if not isinstance(nid, str) or not re.fullmatch(ID_PATTERN, nid):
            errors.add(loc, f"node id {nid!r}: use lower-case letters, digits and _ (start with a letter)")
            continue
        if nid in PRE_MENU_STEPS:
            errors.add(loc, f"node id '{nid}' is reserved: the daemon logs it as a step before the menu")
            continue
        broken.add(nid)
        if not isinstance(raw, dict):
            errors.add(loc, f"node '{nid}': must be a mapping with a kind")
            continue
        kind = raw.get("kind")
        model = NODE_KINDS.get(kind) if isinstance(kind, str) else None
        if model is None:
            errors.add(
                loc + ("kind",),
                f"node '{nid}': kind must be one of {', '.join(NODE_KINDS)} (got {raw.get('kind')!r})",
            )
            continue
        raw = dict(raw)
        if isinstance(raw.get("keys"), dict):
            keys = {str(k): v for k, v in raw["keys"].items()}
            if len(keys) < len(raw["keys"]):
                errors.add(loc + ("keys",), f"menu '{nid}': a key is written twice (e.g. 1 and '1')")
                continue
            raw["keys"] = keys
        try:
            nodes[nid] = model.model_validate(raw)
        except ValidationError as exc:
            _pydantic_errors(exc, loc, errors)
            continue
        broken.discard(nid)
    return nodes, broken
