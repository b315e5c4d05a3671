"""Give one agent a new SIP secret in the config text, changing nothing else (`hotline agents secret`).

The file is the admin's: comments, key order, flow or block style and the other values must
survive. So the text is not loaded and dumped again: PyYAML's composer gives the exact start and
end of the agent's `secret:` value, and only those characters are replaced (by the new secret
in double quotes: valid in block and flow mappings alike). Pure: text in, text out.
"""

from __future__ import annotations

import secrets
import string

import yaml

from hotline.settings.secret_policy import secret_problems
from ivr.yaml_source import parse_yaml

SECRET_LENGTH = 24  # letters and digits: about 143 bits, and easy to type into any softphone
_ALPHABET = string.ascii_letters + string.digits


class SecretEditError(ValueError):
    """The agent's secret cannot be replaced in this text; the message says why."""


def new_secret(names: dict[str, str], company: str = "") -> str:
    """A random secret (the `secrets` module) that passes every rule of secret_policy."""
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(SECRET_LENGTH))
        if not secret_problems(candidate, names, company):
            return candidate


def give_new_secret(text: str, agent_id: str, path: str = "<config>") -> tuple[str, str]:
    """(`text` with a new strong secret for agent `agent_id`, that secret). SecretEditError as
    `replace_secret`."""
    entry = agent_entry(text, agent_id, path)
    extension = _value(entry, "extension")
    names = {"工号": agent_id}
    if isinstance(extension, yaml.ScalarNode):
        names["extension"] = extension.value
    data = parse_yaml(text, path).data
    company = data.get("company") if isinstance(data, dict) else None
    secret = new_secret(names, company if isinstance(company, str) else "")
    return replace_secret(text, agent_id, secret, path), secret


def agent_entry(text: str, agent_id: str, path: str = "<config>") -> yaml.MappingNode:
    """The mapping node of agent `agent_id` under `agents:`. SecretEditError if the text is not
    YAML the config loader accepts, or there is no such agent."""
    try:
        parse_yaml(text, path)  # the hardened loader first: no aliases, size and depth caps
    except ValueError as exc:
        raise SecretEditError(str(exc)) from None
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    agents = _value(root, "agents") if isinstance(root, yaml.MappingNode) else None
    if not isinstance(agents, yaml.SequenceNode):
        raise SecretEditError(f"{path}: there is no agents: list")
    for item in agents.value:
        found = _value(item, "id") if isinstance(item, yaml.MappingNode) else None
        if isinstance(found, yaml.ScalarNode) and found.value == agent_id:
            assert isinstance(item, yaml.MappingNode)
            return item
    known = [
        n.value
        for item in agents.value
        if isinstance(item, yaml.MappingNode) and isinstance(n := _value(item, "id"), yaml.ScalarNode)
    ]
    raise SecretEditError(f"{path}: no agent with 工号 {agent_id!r} (agents: {', '.join(known) or 'none'})")


def replace_secret(text: str, agent_id: str, secret: str, path: str = "<config>") -> str:
    """`text` with agent `agent_id`'s `secret:` value replaced by `secret`, every other character
    as it was. SecretEditError: unknown agent, no `secret:` key, or a value that is not one line."""
    if not secret or any(ch in secret for ch in '"\\') or not secret.isprintable():
        raise SecretEditError("the new secret must be printable text without quotes or backslashes")
    entry = agent_entry(text, agent_id, path)
    node = _value(entry, "secret")
    line = entry.start_mark.line + 1
    if node is None:
        raise SecretEditError(f"{path}:{line}: agent {agent_id} has no secret: key to replace")
    empty = isinstance(node, yaml.ScalarNode) and node.style is None and node.value == ""
    if not isinstance(node, yaml.ScalarNode) or node.style in ("|", ">") or empty:
        raise SecretEditError(
            f"{path}:{node.start_mark.line + 1}: the secret of agent {agent_id} is not a one-line "
            "value; write it as `secret: x` first"
        )
    start, end = node.start_mark.index, node.end_mark.index
    return f'{text[:start]}"{secret}"{text[end:]}'


def _value(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    for key_node, value_node in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            found: yaml.Node = value_node
            return found
    return None
