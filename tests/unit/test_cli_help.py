"""Every `hotline` command and sub-command keeps its options and help: the description of the
whole command tree (tests/cli_shape.py: every command's help texts and settings, every option's
names, type, default, help...) is the one recorded in cli_help.json. After a deliberate change,
rewrite it: python tests/cli_shape.py > tests/unit/cli_help.json
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
import typer.main
from cli_shape import describe, describe_hotline

SNAPSHOT = Path(__file__).with_name("cli_help.json")


def test_every_command_keeps_its_options_and_help():
    recorded = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    now = describe_hotline()
    assert [c["path"] for c in now] == [c["path"] for c in recorded]
    for command, was in zip(now, recorded, strict=True):
        assert command == was, command["path"]


def _tiny(help_text: str, default: int, name: str = "--retries") -> list[dict[str, object]]:
    app = typer.Typer(help="a tool")
    group = typer.Typer(help="a group")

    @group.command("go")
    def go(retries: int = typer.Option(default, name, help=help_text)) -> None:
        """Go."""

    app.add_typer(group, name="group")
    app.command("other")(go)
    return describe(typer.main.get_command(app), ["tool"])


def test_the_description_sees_a_changed_help_default_or_name():
    same = _tiny("how many times", 3)
    assert [c["path"] for c in same] == ["tool", "tool other", "tool group", "tool group go"]
    assert _tiny("how many times", 3) == same
    assert _tiny("how often", 3) != same
    assert _tiny("how many times", 4) != same
    assert _tiny("how many times", 3, "--tries") != same
