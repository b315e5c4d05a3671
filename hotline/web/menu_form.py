"""The menu editor's input and output, pure: the posted form read strictly (UTF-8, size-capped),
the validator's `file:line: message` errors split into line and message, the unified diff.

A browser sends a <textarea> with CRLF line ends; the menu is kept with LF (as the shipped file
and every editor on the server have it), so a menu edited in the browser and published unchanged
keeps its bytes, its hash and its version.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from ivr.yaml_source import MAX_BYTES

FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FIELDS = 10  # csrf_token, yaml, base, note, id, sha256: a few more are tolerated, not thousands
NOTE_MAX = 200
_SHA256 = re.compile(r"[0-9a-f]{64}")


class BadEdit(Exception):
    """The posted form cannot be taken as it is; `status` is the HTTP status, the message is for
    the admin (Chinese)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class LineError:
    line: int | None  # 1-based; None for a problem of the whole file
    message: str


def parse_form(content_type: str, body: bytes) -> dict[str, str]:
    """The fields of an urlencoded form, decoded as strict UTF-8 (BadEdit otherwise: a form the
    browser did not send as UTF-8 is refused, never read as something else)."""
    if content_type.split(";")[0].strip().lower() != FORM_TYPE:
        raise BadEdit(415, "请通过页面上的表单提交菜单（application/x-www-form-urlencoded）。")
    try:
        text = body.decode("ascii")
        pairs = parse_qsl(
            text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=MAX_FIELDS
        )
    except UnicodeDecodeError:
        raise BadEdit(
            400, "提交的内容不是有效的 UTF-8 文本，未做任何更改。请以 UTF-8 编码粘贴菜单。"
        ) from None
    except ValueError:
        raise BadEdit(400, "表单字段过多，未做任何更改。") from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            raise BadEdit(400, f"表单字段 {name} 重复，未做任何更改。")
        fields[name] = value
    return fields


def menu_bytes(fields: dict[str, str]) -> bytes:
    """The posted menu (field `yaml`) as the bytes to check and write: LF line ends, UTF-8, at
    most the YAML reader's cap."""
    text = fields.get("yaml")
    if text is None or not text.strip():
        raise BadEdit(400, "菜单内容为空，未做任何更改。")
    raw = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8", errors="strict")
    if len(raw) > MAX_BYTES:
        raise BadEdit(
            413,
            f"菜单内容有 {len(raw)} 字节，超过上限 {MAX_BYTES // 1024} KiB"
            f"（{MAX_BYTES} 字节），未做任何更改。",
        )
    return raw


def sha256_field(fields: dict[str, str], name: str) -> str:
    """A SHA-256 (64 lower-case hex digits) the form must carry in `name`."""
    value = fields.get(name, "")
    if not _SHA256.fullmatch(value):
        raise BadEdit(400, "表单缺少菜单版本的校验值（请刷新页面后重试），未做任何更改。")
    return value


def id_field(fields: dict[str, str]) -> int:
    """The version row id a form or query names in `id`."""
    value = fields.get("id", "")
    if not (value.isascii() and value.isdigit() and len(value) <= 9 and int(value) > 0):
        raise BadEdit(400, "缺少或无效的版本记录编号，未做任何更改。")
    return int(value)


def note_field(fields: dict[str, str]) -> str | None:
    note = " ".join(fields.get("note", "").split())
    if len(note) > NOTE_MAX:
        raise BadEdit(400, f"发布说明最多 {NOTE_MAX} 个字，未做任何更改。")
    return note or None


def line_errors(errors: list[str], path: str) -> list[LineError]:
    """The validator's `path:line: message` errors as (line, message); line 0 (the file as a
    whole) and anything not in that form come without a line."""
    out = []
    prefix = f"{path}:"
    for error in errors:
        number, sep, message = error.removeprefix(prefix).partition(": ")
        if error.startswith(prefix) and sep and number.isdigit():
            out.append(LineError(int(number) or None, message))
        else:
            out.append(LineError(None, error))
    return out


def diff_lines(old: str, new: str, old_name: str, new_name: str) -> list[tuple[str, str]]:
    """The unified diff from `old` to `new` as (kind, line): kind is head, hunk, add, del or ctx
    (for the page's colours); empty if the texts are the same."""
    kinds = {"+": "add", "-": "del", " ": "ctx", "@": "hunk"}
    out = []
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), fromfile=old_name, tofile=new_name, lineterm=""
    )
    for i, line in enumerate(lines):
        out.append(("head" if i < 2 else kinds.get(line[:1], "ctx"), line))
    return out
