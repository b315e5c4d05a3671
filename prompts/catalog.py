"""The prompt catalog: which prompt ids exist and what each says."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

CATALOG_FILE = Path(__file__).with_name("catalog.yaml")
RECORDED_DIR = Path(__file__).with_name("recorded")
_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")


class CatalogError(ValueError):
    pass


def load_catalog(path: Path = CATALOG_FILE, *, company: str) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise CatalogError(f"{path}: must map prompt ids to texts")
    out: dict[str, str] = {}
    for pid, text in data.items():
        if not isinstance(pid, str) or not _ID.fullmatch(pid):
            raise CatalogError(f"{path}: bad prompt id {pid!r} (lower-case letters, digits, _)")
        if not isinstance(text, str) or not text.strip():
            raise CatalogError(f"{path}: prompt {pid} has no text")
        out[pid] = text.replace("{company}", company)
    return out
