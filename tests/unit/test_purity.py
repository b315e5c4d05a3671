"""ivr/ and acd/ are pure cores: no I/O libraries, no daemon, no clock reading."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "asyncio",
    "socket",
    "panoramisk",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
    "aiomqtt",
    "hotline",
    "subprocess",
    "threading",
}
CLOCK = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("time", "time"),
    ("time", "monotonic"),
    ("date", "today"),
}


def _py_files():
    for pkg in ("ivr", "acd"):
        yield from (ROOT / pkg).rglob("*.py")


def test_cores_import_no_io():
    bad = []
    for f in _py_files():
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            bad += [f"{f.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert bad == []


def test_cores_do_not_read_the_clock():
    bad = []
    for f in _py_files():
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and (node.func.value.id, node.func.attr) in CLOCK
            ):
                bad.append(f"{f.relative_to(ROOT)}:{node.lineno}")
    assert bad == []
