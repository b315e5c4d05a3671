"""YAML documents that remember where every value came from (file:line).

Used by every loader that must report errors "at file:line": the site config
(`config/hotline.yaml`) and the menu (`config/menu.yaml`). Only stdlib + PyYAML (and
`ivr.errors` for the root of `YamlSyntaxError`).

Admins edit these files by hand, and the daemon re-reads the menu on SIGHUP, so the loader is
hardened: anchors/aliases (the "billion laughs" bomb) are refused outright, the file size and the
nesting depth are capped, mapping keys must be plain values, integers are at most
`MAX_INT_DIGITS` digits, and every problem - whatever PyYAML or a value constructor raises - is
a `YamlSyntaxError` (an `IvrError` and a `ValueError`) naming file:line, never a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.error import Mark
from yaml.events import Event

from .errors import IvrError

MAX_BYTES = 256 * 1024  # a real menu or site config is a few KiB
MAX_DEPTH = 20  # nested mappings/lists; the menu needs 5, the config 4
MAX_NODES = 20_000  # values + keys; the shipped menu has ~450, 200 agents ~2,500
MAX_INT_DIGITS = 18  # fits a 64-bit integer; Python's int() of 5,000 digits raises


class YamlSyntaxError(IvrError, ValueError):
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


if getattr(yaml, "__with_libyaml__", False):
    from yaml.cyaml import CSafeLoader

    class _Events(Composer, CSafeLoader):
        """libyaml scans and parses (~10x faster); PyYAML's Python composer builds the nodes, so
        every node passes `_SafeLoader.compose_node` before anything is made of it."""

        def __init__(self, stream: str):
            CSafeLoader.__init__(self, stream)
            Composer.__init__(self)
else:  # pragma: no cover - PyYAML built without libyaml
    # the same role, all in Python; mypy checks the libyaml class, which is the one in use
    _Events = yaml.SafeLoader  # type: ignore[misc, assignment]


def _start(event: Event | None) -> Mark | None:
    """Where `event` starts, as PyYAML's Mark (libyaml's events carry a Mark type of their own)."""
    mark = None if event is None else event.start_mark
    return None if mark is None else Mark(mark.name, mark.index, mark.line, mark.column, None, 0)


class _SafeLoader(_Events):
    """A safe loader without anchors/aliases, with a depth cap, plain unique keys and short ints."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise ComposerError(None, None, "YAML anchors/aliases are not allowed", _start(event))
        if self._depth >= MAX_DEPTH:
            raise ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep", _start(event))
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise ComposerError(None, None, f"more than {MAX_NODES} values in one file", _start(event))
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Any error of a value constructor (a 13th month, an empty `!!int`) -> file:line."""
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, ArithmeticError, LookupError) as exc:
            what = f" {node.value!r:.40}" if isinstance(node, yaml.ScalarNode) else ""
            raise ConstructorError(
                None, None, f"cannot read this value{what}: {exc}", node.start_mark
            ) from None


def _construct_mapping(loader: _SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise ConstructorError(
                None, None, "a mapping key must be a plain value, not a list or mapping", key_node.start_mark
            )
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise ConstructorError(
                "while constructing a mapping", node.start_mark, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_DIGITS = re.compile(r"[0-9a-fA-F]")


def _construct_int(loader: _SafeLoader, node: yaml.ScalarNode) -> int:
    value = str(node.value)
    digits = len(
        _DIGITS.findall(
            value.removeprefix("-")
            .removeprefix("+")
            .lower()
            .removeprefix("0x")
            .removeprefix("0o")
            .removeprefix("0b")
        )
    )
    if digits > MAX_INT_DIGITS:
        raise ConstructorError(
            None, None, f"integer with {digits} digits (at most {MAX_INT_DIGITS})", node.start_mark
        )
    return SafeConstructor.construct_yaml_int(loader, node)


_SafeLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_SafeLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def _walk(
    node: yaml.Node, prefix: tuple[Any, ...], loader: _SafeLoader, out: dict[tuple[Any, ...], int]
) -> None:
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


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _syntax_error(exc: yaml.YAMLError, text: str, path: str) -> YamlSyntaxError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return YamlSyntaxError(f"{path}:{line}: {_one_line(exc.problem or exc)}")
    if isinstance(exc, yaml.reader.ReaderError):  # a control character; position = byte offset
        line = text.encode("utf-8")[: exc.position].count(b"\n") + 1
        char = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
        return YamlSyntaxError(f"{path}:{line}: {_one_line(exc.reason)} ({char})")
    return YamlSyntaxError(f"{path}:1: {_one_line(exc)}")


def parse_yaml(text: str, path: str = "<string>", *, max_bytes: int = MAX_BYTES) -> Located:
    """Parse YAML text; raise YamlSyntaxError naming file:line on anything wrong with it.
    `max_bytes`: a larger cap for a data file (the knowledge base), not for configs."""
    try:
        size = len(text) if len(text) > max_bytes else len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise YamlSyntaxError(f"{path}:1: not valid Unicode text ({exc.reason})") from None
    if size > max_bytes:
        raise YamlSyntaxError(f"{path}:1: the file is over {max_bytes} bytes, the most allowed")
    try:
        loader = _SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
        lines: dict[tuple[Any, ...], int] = {}
        if node is not None:
            _walk(node, (), _SafeLoader(""), lines)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, text, path) from None
    return Located(path=path, data=data, lines=lines)


def read_source(path: str | Path, *, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a YAML file, read only up to the size cap (YamlSyntaxError beyond it)."""
    p = Path(path)
    try:
        with p.open("rb") as f:
            raw = f.read(max_bytes + 1)
    except OSError as exc:
        raise YamlSyntaxError(f"{p}:0: cannot read file: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise YamlSyntaxError(f"{p}:1: the file is over {max_bytes} bytes, the most allowed")
    return raw


def decode_source(raw: bytes, path: str | Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlSyntaxError(f"{path}:1: not UTF-8 text ({exc.reason})") from None


def load_yaml(path: str | Path, *, max_bytes: int = MAX_BYTES) -> Located:
    raw = read_source(path, max_bytes=max_bytes)
    return parse_yaml(decode_source(raw, path), str(path), max_bytes=max_bytes)
