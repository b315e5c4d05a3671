"""Weak secrets: what `hotline config check` and `hotline run` refuse unless the config says `lab: true`.

An agent's SIP password is all that stands between whoever reaches the SIP port and the outbound
lines (toll fraud); whoever registers as a supervisor's phone hears the calls that supervisor
listens to; the AMI secret guards the daemon's control of Asterisk. Guessing online is slowed
by the daemon (hotline/services/auth_guard.py blocks guessers), but a digest captured on the
network or a leaked config is attacked offline, at billions of tries a second. The rules, each
reported on its own so the admin sees every reason (never the secret, nor the part that matched):

- length: fewer than MIN_LENGTH (12) characters;
- account: it is, or contains, the account's own name - the extension or the 工号 of an agent,
  the extension or console user of a supervisor's phone, the user name of AMI. A name shorter
  than 3 characters counts only when equal: a 1-2 digit 工号 turns up by chance in a random secret;
- one kind: only lowercase letters, only uppercase, only digits or only symbols;
- common: it contains a common password word or a lab pattern (COMMON_WORDS, the company's name,
  pw + digits as in the lab's pw1001-lab), also behind the usual substitutions (p@ssw0rd) and
  separators (change-me), or a run of 4 repeated or consecutive characters (aaaa, 1234, dcba).

Pure: settings in, findings out. `hotline agents secret` generates secrets that pass.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass

from hotline.settings.config_file import Settings

MIN_LENGTH = 12
MIN_NAME_FOR_CONTAINS = 3
RUN = 4  # repeated or consecutive characters that make a pattern
COMMON_WORDS = (
    "password",
    "passwd",
    "passw",
    "qwert",
    "azert",
    "asdf",
    "zxcv",
    "letmein",
    "welcome",
    "admin",
    "root",
    "login",
    "secret",
    "changeme",
    "default",
    "asterisk",
    "freepbx",
    "hotline",
    "voip",
    "test",
    "demo",
    "guest",
    "iloveyou",
    "monkey",
    "dragon",
    "master",
    "sunshine",
    "abc123",
    "95598",
    "5201314",
    "woaini",
)
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_LAB_PATTERN = re.compile(r"pw[^a-z0-9]?[0-9]{2,}")
_KINDS = (string.ascii_lowercase, string.ascii_uppercase, string.digits)


@dataclass(frozen=True)
class WeakSecret:
    """One rule one secret breaks: where it is in the config, whose it is, which rule."""

    loc: tuple[str | int, ...]
    owner: str
    rule: str

    def message(self) -> str:
        name = ".".join(str(p) for p in self.loc)
        return f"{name}: weak secret of {self.owner}: {self.rule}"


def secret_problems(secret: str, names: Mapping[str, str], company: str = "") -> list[str]:
    """The rules `secret` breaks (empty: strong). `names`: {"extension": "1001", ...}, the
    account's own names. The texts never quote the secret or the part of it that matched."""
    problems = []
    if len(secret) < MIN_LENGTH:
        problems.append(f"shorter than {MIN_LENGTH} characters")
    lowered = secret.lower()
    for label, name in names.items():
        name = name.lower()
        if lowered == name or (len(name) >= MIN_NAME_FOR_CONTAINS and name in lowered):
            problems.append(f"is or contains the {label}")
    if _one_kind(secret):
        problems.append("made of one kind of character only (mix letters, digits and symbols)")
    if _common(lowered, company):
        problems.append("contains a common word, a lab pattern or a run such as 1234")
    return problems


def weak_secrets(settings: Settings) -> list[WeakSecret]:
    """Every rule broken by an agent's or a supervisor's SIP secret or the AMI secret (see the
    module docstring)."""
    found = []
    for i, agent in enumerate(settings.agents):
        names = {"extension": agent.extension, "工号": agent.id}
        owner = f"agent {agent.id} (extension {agent.extension})"
        for rule in secret_problems(agent.secret.get_secret_value(), names, settings.company):
            found.append(WeakSecret(("agents", i, "secret"), owner, rule))
    for i, sup in enumerate(settings.supervisors):
        names = {"extension": sup.extension, "user name": sup.user}
        owner = f"supervisor {sup.user} (extension {sup.extension})"
        for rule in secret_problems(sup.secret.get_secret_value(), names, settings.company):
            found.append(WeakSecret(("supervisors", i, "secret"), owner, rule))
    ami = settings.ami
    for rule in secret_problems(ami.secret.get_secret_value(), {"user name": ami.username}, settings.company):
        found.append(WeakSecret(("ami", "secret"), f"AMI user {ami.username}", rule))
    return found


def _one_kind(secret: str) -> bool:
    """Only lowercase letters, only uppercase, only digits, or no letter or digit at all."""
    if not secret:
        return False
    return any(all(ch in kind for ch in secret) for kind in _KINDS) or not any(ch.isalnum() for ch in secret)


def _common(lowered: str, company: str) -> bool:
    plain = re.sub(r"[^a-z0-9]", "", lowered)
    unleet = re.sub(r"[^a-z0-9]", "", lowered.translate(_LEET))
    words = [*COMMON_WORDS, *([company.lower()] if len(company) >= RUN else [])]
    if any(w in plain or w in unleet for w in words):
        return True
    return bool(_LAB_PATTERN.search(lowered)) or _has_run(lowered)


def _has_run(text: str) -> bool:
    """RUN characters in a row that are all the same, or each one after (or before) the last."""
    for i in range(len(text) - RUN + 1):
        codes = [ord(ch) for ch in text[i : i + RUN]]
        steps = {b - a for a, b in zip(codes, codes[1:], strict=False)}
        if len(steps) == 1 and steps <= {-1, 0, 1} and text[i : i + RUN].isalnum():
            return True
    return False
