"""The code stays in small pieces a newcomer can read: no source file over 300 lines, no function
over 50 (from its `def` to its last line, docstring included)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core_errors", "ivr", "acd", "hotline", "lab", "prompts", "bench", "agi_scripts")
MAX_FILE_LINES = 300
MAX_FUNCTION_LINES = 50


def sources() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def test_the_packages_are_found():
    assert len(sources()) > 100


def test_no_file_over_300_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in sources()
        if (n := len(p.read_text().splitlines())) > MAX_FILE_LINES
    }
    assert long == {}


def test_no_function_over_50_lines():
    long = {}
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = lines
    assert long == {}


def test_test_modules_have_unique_names():
    """pytest imports test modules by their base name (no packages): two files with one name in
    different folders cannot be collected in one run."""
    tests = Path(__file__).resolve().parents[1]
    names = [p.name for p in tests.rglob("*.py") if p.name not in ("conftest.py", "__init__.py")]
    assert sorted({n for n in names if names.count(n) > 1}) == []


def test_lab_tests_call_from_numbers_of_their_own():
    """The lab tests share one daemon and one call store for the session, and find their calls
    by the caller's number: a number two modules dial from makes one of them count both calls."""
    owners: dict[str, set[str]] = {}
    for path in (ROOT / "tests" / "e2e").glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if len(node.value) == 11 and node.value.isdigit() and node.value[0] == "1":
                    owners.setdefault(node.value, set()).add(path.name)
    assert {n: sorted(m) for n, m in owners.items() if len(m) > 1} == {}
