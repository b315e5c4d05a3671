"""`hotline agents secret <工号>`: a new strong SIP secret for one agent, written into the config."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import typer

from hotline.cli.common import ConfigOption, config_path, err, fail, io_failure, out

app = typer.Typer(no_args_is_help=True, help="the agents in the site config")


@app.command("secret")
def secret(
    agent_id: str = typer.Argument(..., metavar="工号", help="the agent's number (agents: id)"),
    config: Path = ConfigOption,
    show: bool = typer.Option(False, "--show", help="print the new secret (default: only into the file)"),
) -> None:
    """Generate a strong SIP secret for one agent and write it into the config file in place
    (comments and layout kept, the file replaced atomically). Then re-render the Asterisk config
    and reload PJSIP, and set the secret in the agent's softphone."""
    from hotline.settings import ConfigError, settings_from
    from hotline.settings.secret_edit import SECRET_LENGTH, SecretEditError, give_new_secret
    from ivr.yaml_source import parse_yaml

    path = config_path(config).resolve()  # a symlinked config: the file it points at is rewritten
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        updated, value = give_new_secret(text, agent_id, str(path))
    except SecretEditError as exc:
        raise fail(str(exc)) from None
    try:  # the new text must load as the old one did: nothing is written otherwise
        settings_from(parse_yaml(updated, str(path)))
    except (ConfigError, ValueError) as exc:
        for line in getattr(exc, "errors", [str(exc)]):
            err.print(line, markup=False, highlight=False)
        raise fail(f"{path} has errors (listed above); fix them first, nothing was changed") from None
    try:
        _replace_file(path, updated)
    except OSError as exc:
        raise io_failure(f"write {path}", exc) from None
    out.print(f"agent {agent_id}: a new {SECRET_LENGTH}-character SIP secret is in {path}", markup=False)
    if show:
        out.print(f"secret: {value}", markup=False, highlight=False)
    else:
        out.print("(not shown: add --show to print it, or read it from the file)", markup=False)
    out.print(
        "next: hotline asterisk render <Asterisk config dir> -c <this config>, reload PJSIP "
        "(asterisk -rx 'module reload res_pjsip.so'), then set the new secret in the agent's softphone",
        markup=False,
    )


def _replace_file(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path` with its mode (and owner, as root), then
    rename it over `path`: a crash leaves the old file or the new one, never half of one."""
    st = path.stat()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            os.fchmod(f.fileno(), st.st_mode & 0o7777)  # before a byte of a secret is written
            if os.geteuid() == 0:
                os.fchown(f.fileno(), st.st_uid, st.st_gid)
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
