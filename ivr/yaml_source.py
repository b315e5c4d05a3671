"""YAML documents that remember where every value came from (file:line).

Used by every loader that must report errors "at file:line": the site config
(`config/hotline.yaml`) and the menu (`config/menu.yaml`). Only stdlib + PyYAML.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class YamlSyntaxError(ValueError):
    """The file is not valid YAML; message is `file:line: problem`."""


@dataclass(frozen=True)
class Located:
    """A YAML document plus a map from value paths to 1-based line numbers."""

    path: str
    data: Any
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def line_of(self, loc: tuple[Any, ...]) -> int:
        """Line of the deepest known prefix of `loc` (pydantic `loc` tuples work as is)."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)

    def where(self, loc: tuple[Any, ...]) -> str:
        return f"{self.path}:{self.line_of(loc)}"


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys instead of keeping the last one."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    mapping: dict = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark,
                f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _walk(node: yaml.Node, prefix: tuple[Any, ...], loader: yaml.SafeLoader,
          out: dict[tuple[Any, ...], int]) -> None:
    out[prefix] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            out[prefix + (key,)] = key_node.start_mark.line + 1
            _walk(value_node, prefix + (key,), loader, out)
            # a key's own line wins over its value's (a nested mapping starts a line lower)
            out[prefix + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, prefix + (i,), loader, out)


def parse_yaml(text: str, path: str = "<string>") -> Located:
    """Parse YAML text; raise YamlSyntaxError naming file:line on bad syntax or duplicate keys."""
    try:
        loader = _UniqueKeyLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(f"{path}:{line}: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"{path}:1: {exc}") from None
    lines: dict[tuple[Any, ...], int] = {}
    if node is not None:
        walker = yaml.SafeLoader("")
        _walk(node, (), walker, lines)
    return Located(path=path, data=data, lines=lines)


def load_yaml(path: str | Path) -> Located:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise YamlSyntaxError(f"{p}:0: cannot read file: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise YamlSyntaxError(f"{p}:1: not UTF-8 text ({exc.reason})") from None
    return parse_yaml(text, str(p))
