"""`hotline menu check|show|render`: the IVR menu file (config/menu.yaml).

A node's category must be one of the site's configured categories (`categories:` in the site
config, `--config`), so each command reads the site config too."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

import prompts
from hotline.cli.common import ConfigOption, err, out, settings_or_exit

if TYPE_CHECKING:
    from ivr.menu_model import Menu

app = typer.Typer(no_args_is_help=True, help="check, show or draw the IVR menu")

MENU_FILE = Path("config/menu.yaml")
# prompts.catalog's CATALOG_FILE, found from its package: prompts.catalog (and YAML) is imported
# only when a command runs (tests/unit/test_cli_start.py checks that the two are the same)
CATALOG_FILE = Path(prompts.__file__).with_name("catalog.yaml")
FileArg = typer.Argument(MENU_FILE, help="menu file (default: config/menu.yaml)")
CatalogOption = typer.Option(CATALOG_FILE, "--catalog", help="prompt catalog (prompt ids the menu may use)")


@app.callback()
def _group() -> None:
    """The IVR menu: check it, show its tree, or draw it as SVG."""


def _catalog_or_exit(catalog: Path) -> dict[str, str]:
    """Prompt id -> text, with {company} left as written (the menu is the same for every site)."""
    from prompts.catalog import CatalogError, load_catalog

    try:
        return load_catalog(catalog, company="{company}")
    except (CatalogError, OSError) as exc:
        err.print(f"{catalog}: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from None


def _menu_or_exit(
    file: Path, catalog: Path, config: Path | None, prompts: dict[str, str] | None = None
) -> Menu:
    from ivr.errors import MenuError
    from ivr.menu_load import load_menu

    known = set(prompts if prompts is not None else _catalog_or_exit(catalog))
    categories = settings_or_exit(config).categories.keys
    try:
        return load_menu(file, known_prompts=known, categories=categories)
    except MenuError as exc:
        for line in exc.errors:
            err.print(line, markup=False, highlight=False)
        err.print(f"{len(exc.errors)} error(s) in {file}", markup=False)
        raise typer.Exit(2) from None


@app.command("check")
def check(file: Path = FileArg, catalog: Path = CatalogOption, config: Path = ConfigOption) -> None:
    """Report every error at once as file:line; exit 2 if there is any."""
    menu = _menu_or_exit(file, catalog, config)
    kinds: dict[str, int] = {}
    for node in menu.nodes.values():
        kinds[node.kind] = kinds.get(node.kind, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    out.print(
        f"{file}: ok (version {menu.version}, {len(menu.nodes)} nodes: {summary}; "
        f"{menu.depth} menu levels; retries {menu.retries}, key timeout {menu.digit_timeout_s:g} s)",
        markup=False,
        highlight=False,
    )


@app.command("render")
def render(
    file: Path = FileArg,
    out_file: Path = typer.Option(..., "--out", "-o", help="SVG file to write"),
    catalog: Path = CatalogOption,
    config: Path = ConfigOption,
) -> None:
    """Draw the menu tree as a self-contained SVG: a box per node, keys on the edges, 0/* dashed."""
    from ivr.menu_svg import menu_svg

    prompts = _catalog_or_exit(catalog)
    menu = _menu_or_exit(file, catalog, config, prompts)
    try:
        out_file.write_text(menu_svg(menu, prompts), encoding="utf-8")
    except OSError as exc:
        err.print(f"{out_file}: cannot write the diagram: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    out.print(f"{out_file}: {len(menu.nodes)} nodes, {menu.depth} menu levels", markup=False, highlight=False)


@app.command("show")
def show(file: Path = FileArg, catalog: Path = CatalogOption, config: Path = ConfigOption) -> None:
    """Print the menu tree: level, key, node, kind, category (0 and * are on every menu)."""
    from ivr.menu_model import AGENT_KEY, UP_KEY

    menu = _menu_or_exit(file, catalog, config)
    out.print(
        f"{file} version {menu.version}; on every menu: {AGENT_KEY} = agent "
        f"({menu.agent}), {UP_KEY} = back (top: repeat)",
        markup=False,
        highlight=False,
    )
    _tree(menu, menu.start, "", 0, set())


def _tree(menu: Menu, nid: str, key: str, indent: int, seen: set[str]) -> None:
    from ivr.menu_model import AGENT_KEY, UP_KEY, MenuNode

    node = menu.nodes[nid]
    level = f"L{menu.level[nid]} " if nid in menu.level else ""
    label = f" {node.label}" if node.label else ""
    then = "".join(f" -> {t}" for _, t in node.targets()) if not isinstance(node, MenuNode) else ""
    out.print(
        f"{'  ' * indent}{key + ' ' if key else ''}{level}{nid} [{node.kind}, {node.category}]{label}{then}",
        markup=False,
        highlight=False,
    )
    if not isinstance(node, MenuNode) or nid in seen:
        return
    seen.add(nid)
    for k, target in menu.keymap[nid].items():
        if k not in (AGENT_KEY, UP_KEY) and target != nid:
            _tree(menu, target, k, indent + 1, seen)
