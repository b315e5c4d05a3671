"""Loading the config for `hotline config check` and `hotline run`: every config error, then every
weak secret (hotline/settings/secret_policy.py) as `file:line: ...`, one line each, never the
secret itself; exit 2. A config with `lab: true` may keep weak secrets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from hotline.cli.common import BAD_INPUT, config_path, err

if TYPE_CHECKING:
    from hotline.settings import Settings
    from hotline.settings.secret_policy import WeakSecret
    from ivr.yaml_source import Located


def load_or_exit(path: Path | None) -> tuple[Settings, list[str]]:
    """The settings and one `file:line: ...` line per weak secret problem (also in a lab config);
    a config that does not load is listed on stderr (exit 2)."""
    from hotline.settings import ConfigError, settings_from
    from hotline.settings.secret_policy import weak_secrets
    from ivr.yaml_source import YamlSyntaxError, load_yaml

    where = config_path(path)
    try:
        doc = load_yaml(where)
        settings = settings_from(doc)
    except YamlSyntaxError as exc:
        _exit([str(exc)], f"1 error(s) in {where}")
    except ConfigError as exc:
        _exit(exc.errors, f"{len(exc.errors)} error(s) in {where}")
    return settings, [_located(w, doc) for w in weak_secrets(settings)]


def strong_settings_or_exit(path: Path | None) -> Settings:
    """The settings, refused (exit 2) if they do not load or - outside a lab - a secret is weak."""
    settings, weak = load_or_exit(path)
    refuse_weak(settings, weak, path)
    return settings


def refuse_weak(settings: Settings, weak: list[str], path: Path | None) -> None:
    """Exit 2 listing `weak` (from load_or_exit) unless there is none or the config is a lab."""
    if weak and not settings.lab:
        _exit(
            weak,
            f"{len(weak)} weak secret problem(s) in {config_path(path)}: give the agent a strong one "
            "with `hotline agents secret <工号>` (AMI: ami.secret, 12+ mixed characters), "
            "or set `lab: true` if this config is a lab",
        )


def _located(weak: WeakSecret, doc: Located) -> str:
    return f"{doc.where(weak.loc)}: {weak.message()}"


def _exit(lines: list[str], summary: str) -> NoReturn:
    for line in lines:
        err.print(line, markup=False, highlight=False)
    err.print(summary, markup=False, highlight=False)
    raise typer.Exit(BAD_INPUT)
