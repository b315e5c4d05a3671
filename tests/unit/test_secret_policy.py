"""The weak-secret rules (hotline/settings/secret_policy.py) and the secret `hotline agents secret`
writes into the config text (hotline/settings/secret_edit.py)."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from hotline.settings import Settings
from hotline.settings.secret_edit import SecretEditError, give_new_secret, new_secret, replace_secret
from hotline.settings.secret_policy import MIN_LENGTH, secret_problems, weak_secrets
from ivr.yaml_source import parse_yaml

AGENT = {"extension": "1001", "工号": "001"}
STRONG = "Vq7-mRt2-Kx9p-Lw"


def rules(secret: str, names=AGENT, company: str = "") -> list[str]:
    return secret_problems(secret, names, company)


def test_a_long_mixed_random_secret_passes():
    assert rules(STRONG) == []
    assert rules("correct-horse-battery-staple") == []  # a passphrase: letters and separators


@pytest.mark.parametrize(
    "secret,rule",
    [
        ("Vq7-mRt2-Kx", f"shorter than {MIN_LENGTH} characters"),
        ("1001", "is or contains the extension"),
        ("Vq7-mRt2-1001-Kx", "is or contains the extension"),
        ("Vq7-mRt2-001-Kx9", "is or contains the 工号"),
        ("vqmrtkxplwzyhgfa", "made of one kind of character only"),
        ("VQMRTKXPLWZYHGFA", "made of one kind of character only"),
        ("846193027561938", "made of one kind of character only"),
        ("!@#%^&*()_+-=~<>", "made of one kind of character only"),
        ("MyPassword-2026!", "contains a common word"),
        ("P@ssw0rd-Vq7mRt", "contains a common word"),  # behind substitutions
        ("Vq7m-Change-Me!", "contains a common word"),  # behind a separator
        ("Vq7m-pw2044-lab!", "contains a common word, a lab pattern"),  # the lab's pw<digits>
        ("Vq7m-Kx1234-Lw!z", "a run such as 1234"),
        ("Vq7m-Kxaaaa-Lw!z", "a run such as 1234"),
        ("Vq7m-KxDCBA-Lw!z", "a run such as 1234"),
    ],
)
def test_each_rule_is_named(secret, rule):
    assert any(rule in r for r in rules(secret)), rules(secret)


def test_a_short_name_counts_only_when_equal():
    names = {"extension": "17", "工号": "7"}
    assert rules("Vq7-mRt2-Kx9p-Lw", names) == []  # "7" appears by chance: not a finding
    assert "is or contains the 工号" in rules("7", names)


def test_the_company_name_is_a_common_word_when_long_enough():
    assert "contains a common word, a lab pattern or a run such as 1234" in rules(
        "Vq7-Acme-Kx9p-Lw", company="ACME"
    )
    assert rules("Vq7-mRt2-Kx9p-Lw", company="X") == []  # a 1-letter name is no word


RULE_TEXTS = {
    f"shorter than {MIN_LENGTH} characters",
    "is or contains the extension",
    "is or contains the 工号",
    "made of one kind of character only (mix letters, digits and symbols)",
    "contains a common word, a lab pattern or a run such as 1234",
}


@given(st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=40))
def test_a_finding_is_one_of_the_fixed_rule_texts_never_a_piece_of_the_secret(secret):
    assert set(rules(secret)) <= RULE_TEXTS


def settings(**over) -> Settings:
    data = {
        "company": "平安县",
        "agents": [
            {"id": "001", "extension": "1001", "secret": "pw1001-lab"},
            {"id": "002", "extension": "1002", "secret": STRONG},
        ],
        "ami": {"secret": "Zr8#kLm2-Qw9x-Tb"},
        **over,
    }
    return Settings.model_validate(data)


def test_weak_secrets_names_the_agent_and_the_ami_user_never_the_secret():
    found = weak_secrets(settings(ami={"username": "hotline", "secret": "lab-ami-secret"}))
    owners = {(w.loc, w.owner) for w in found}
    assert owners == {
        (("agents", 0, "secret"), "agent 001 (extension 1001)"),
        (("ami", "secret"), "AMI user hotline"),
    }
    for w in found:
        assert "pw1001" not in w.message() and "lab-ami" not in w.message()
    assert found[0].message().startswith("agents.0.secret: weak secret of agent 001 (extension 1001): ")


def test_the_default_ami_secret_is_weak():
    assert any(w.loc == ("ami", "secret") for w in weak_secrets(Settings(company="x")))


# ---- the generated secret and the in-place edit ----------------------------------------------


def test_a_generated_secret_passes_every_rule_and_is_new_each_time():
    seen = {new_secret(AGENT, "ACME") for _ in range(50)}
    assert len(seen) == 50
    assert all(rules(s, AGENT, "ACME") == [] and len(s) == 24 and s.isalnum() for s in seen)


CONFIG = """\
# site config (a comment that must survive)
company: 平安县   # greeting
agents:
  - {id: "001", extension: "1001", secret: pw1001-lab, name: 座席一}
  - id: "002"
    extension: "1002"
    secret: 'pw1002-lab'   # keep this comment
    name: 座席二
ami: {secret: lab-ami-secret}
"""


def test_only_the_agents_secret_changes_in_flow_and_block_style():
    text, secret = give_new_secret(CONFIG, "002")
    assert text == CONFIG.replace("'pw1002-lab'", f'"{secret}"')
    text, secret = give_new_secret(CONFIG, "001")
    assert text == CONFIG.replace("secret: pw1001-lab,", f'secret: "{secret}",')
    assert Settings.model_validate(yaml.safe_load(text)).agents[0].secret.get_secret_value() == secret


@pytest.mark.parametrize(
    "text,agent,message",
    [
        (CONFIG, "009", "no agent with 工号 '009' (agents: 001, 002)"),
        ("company: x\n", "001", "there is no agents: list"),
        ("agents:\n  - {id: '001', extension: '1001'}\n", "001", "agent 001 has no secret: key"),
        ("agents:\n  - id: '001'\n    secret: |\n      abc\n", "001", "not a one-line value"),
        ("agents:\n  - id: '001'\n    secret:\n", "001", "not a one-line value"),
        ("agents: &a\n  - {id: '001', secret: x}\n", "001", "anchors/aliases are not allowed"),
    ],
)
def test_what_cannot_be_replaced_is_refused(text, agent, message):
    with pytest.raises(SecretEditError, match=message.replace("(", r"\(").replace(")", r"\)")):
        give_new_secret(text, agent)


def test_a_secret_that_would_break_the_yaml_is_refused():
    with pytest.raises(SecretEditError, match="without quotes or backslashes"):
        replace_secret(CONFIG, "001", 'ab"c')
    assert (
        parse_yaml(replace_secret(CONFIG, "001", "Plain-Text-9x")).data["agents"][0]["secret"]
        == "Plain-Text-9x"
    )
