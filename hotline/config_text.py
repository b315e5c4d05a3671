"""Text rules shared by the site config and the Asterisk renderer.

Every string of the config may end up in an Asterisk file (a path, a URL, a user name, a secret,
an agent's name in a comment...). A line break there would start a new line - a new setting or
a new `[section]` - of extensions.conf or manager.conf, so no config string may hold one, nor any
other control character. The config refuses them; the renderer refuses them again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def control_char(text: str) -> str | None:
    """The first control character of `text` as U+XXXX, or None."""
    m = _CONTROL.search(text)
    return f"U+{ord(m.group()):04X}" if m else None


def strings_in(value: Any) -> Iterator[str]:
    """Every str in a value: itself, a secret's text, the items of lists/tuples/sets/dicts."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, SecretStr):
        yield value.get_secret_value()
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings_in(k)
            yield from strings_in(v)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from strings_in(item)


def one_line(value: Any) -> Any:
    """Pydantic validator: refuse any control character (never echoes the value: it may be a secret)."""
    for text in strings_in(value):
        bad = control_char(text)
        if bad:
            raise ValueError(f"must be one line without control characters (found {bad})")
    return value


# a PJSIP endpoint of the hotline (agent or supervisor): its name in pjsip.conf, in dialplan
# lines (Dial(PJSIP/<ext>), ChanSpy(PJSIP/<ext>-)) and in AMI headers (Originate Channel)
_EXTENSION = re.compile(r"[0-9]{2,8}")

# characters that mean something in a dialplan line or an AGI argument (see `dialplan_path`)
_DIALPLAN_SPECIAL = re.compile(r"""[\s,;&|()$\[\]{}"'`\\]""")


def no_semicolon(secret: SecretStr) -> SecretStr:
    """Refuse a secret with ';' (it starts a comment in Asterisk's config files)."""
    if ";" in secret.get_secret_value():
        raise ValueError("secret must not contain ';' (it starts a comment in Asterisk's config files)")
    return secret


def sip_extension(v: str) -> str:
    """A softphone's extension: 2-8 digits, nothing else (it is written into pjsip.conf section
    names, dialplan lines and AMI headers, so no separator, space or line break can be in it)."""
    if not isinstance(v, str) or not _EXTENSION.fullmatch(v):
        raise ValueError("extension must be 2-8 digits")
    return v


def dialplan_path(v: str) -> str:
    """An absolute path Asterisk reads, written into the dialplan and into AGI arguments."""
    if not v.startswith("/"):
        raise ValueError(f"must be an absolute path (got {v!r})")
    bad = _DIALPLAN_SPECIAL.search(v)
    if bad:
        raise ValueError(
            f"must not contain spaces or any of , ; & | ( ) $ [ ] {{ }} quotes \\ (found {bad.group()!r})"
        )
    return v


class StrictSection(BaseModel):
    """A config section: unknown keys refused; no inf/nan; no string with a line break or another
    control character."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*")
    @classmethod
    def _one_line(cls, v: Any) -> Any:
        return one_line(v)
