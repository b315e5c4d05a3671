"""Every command and sub-command of `hotline` as plain data: its path, its settings (help texts,
metavars, no_args_is_help...) and every parameter's (names, flags, annotated type, default, help,
ranges...). What `--help` shows is made from exactly these, so two equal descriptions print the
same help, and parse the same arguments.

tests/unit/test_cli_help.py compares the description with tests/unit/cli_help.json; after a
deliberate change of a command's options or help, rewrite the file with
    python tests/cli_shape.py > tests/unit/cli_help.json
"""

from __future__ import annotations

import enum
import json
from pathlib import Path, PurePath
from typing import Any

import typer
import typer.main

ROOT = Path(__file__).resolve().parents[1]
_SKIPPED = ("callback", "commands", "params", "type_descriptor")  # described apart, or code


def _plain(value: Any) -> Any:
    """A JSON value, or None for what is code or an object's identity (a callback, a function)."""
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, PurePath):  # a file of the project: the same in every checkout
        return str(value).replace(str(ROOT), "<project>", 1)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if type(value).__name__ == "DefaultPlaceholder":  # typer's "not set here" marker
        return {"default": _plain(value.value)}
    return None


def _settings(obj: object) -> dict[str, Any]:
    return {k: _plain(v) for k, v in sorted(vars(obj).items()) if not k.startswith("_") and k not in _SKIPPED}


def _annotation(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return {"enum": annotation.__name__, "values": [m.value for m in annotation]}
    return getattr(annotation, "__name__", None) or str(annotation)


def _param(param: object) -> dict[str, Any]:
    described = {"class": type(param).__name__, **_settings(param)}
    descriptor = getattr(param, "type_descriptor", None)
    described["annotation"] = _annotation(descriptor.annotation) if descriptor else None
    return described


def describe(command: Any, path: list[str]) -> list[dict[str, Any]]:
    """`command` and every command below it, depth first in the order `--help` lists them."""
    found = [{"path": " ".join(path), **_settings(command), "params": [_param(p) for p in command.params]}]
    if hasattr(command, "list_commands"):
        ctx = typer.Context(command, info_name=path[-1])
        for name in command.list_commands(ctx):
            found += describe(command.get_command(ctx, name), [*path, name])
    return found


def describe_hotline() -> list[dict[str, Any]]:
    from hotline.cli import app

    return describe(typer.main.get_command(app), ["hotline"])


if __name__ == "__main__":
    print(json.dumps(describe_hotline(), ensure_ascii=False, indent=1))
